package io.muster.it;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.io.TempDir;
import org.openqa.selenium.By;
import org.openqa.selenium.WebElement;

/**
 * The console in a real headless Chromium against a real three-node cluster: sign-in, every screen
 * (screenshot, axe-core, no script error or CSP violation), live updates from writes made elsewhere,
 * bad input answered with the server's problem, a reader's view, a revoked token, and quorum loss.
 * One cluster and one browser for the class (the suite's time budget); the tests run in order, the
 * last one stops two nodes.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class ConsoleIT {

    static final Duration WAIT = Duration.ofSeconds(10);
    static final Duration LIVE = Duration.ofSeconds(1);
    static final List<String> SCREENS = List.of("cluster", "config", "keys", "services", "coordination", "audit", "tokens");

    @TempDir
    static Path root;
    static TestCluster cluster;
    static Browser browser;

    @BeforeAll
    static void start() {
        CompletableFuture<Browser> starting = CompletableFuture.supplyAsync(Browser::new);
        try {
            cluster = TestCluster.start(3, root, Map.of());
        } finally {
            try {
                browser = starting.join();
            } catch (CompletionException e) {
                throw e.getCause() instanceof RuntimeException cause ? cause : e;
            }
        }
    }

    @AfterAll
    static void stop() {
        try (Browser closing = browser) {
            // closes the browser, then the cluster
        } finally {
            if (cluster != null) {
                cluster.close();
            }
        }
    }

    @BeforeEach
    void forgetEarlierErrors() {
        browser.errors();
    }

    /**
     * The console's line diff and highlighter, in the browser that runs them, on generated inputs: a diff
     * gives back both texts, line for line, and is minimal (as many changed lines as a longest common
     * subsequence leaves); the tokens of YAML, properties and JSON documents cover each text exactly.
     */
    @Test
    @Order(0)
    void theDiffIsExactAndMinimalAndTheHighlighterCoversEveryCharacter() {
        browser.open(cluster.node(1).url("/console/"));
        Object failures = browser.driver().executeAsyncScript("""
                const done = arguments[arguments.length - 1];
                (async () => {
                  const { diffLines, linesOf } = await import('/console/js/diff.js');
                  const { tokenize } = await import('/console/js/highlight.js');
                  const failures = [];
                  let seed = 7;
                  const random = (n) => { seed = (seed * 1103515245 + 12345) % 2147483648; return seed % n; };
                  const pieces = ['a: 1', 'b:', '  c: "x # y"', '- [1, 2]', '# note', 'd=e\\\\', 'f: |', '  text', '{"g": [1, "h"]}', ''];
                  const text = () => Array.from({ length: random(14) }, () => pieces[random(pieces.length)]).join('\\n');
                  const lcs = (a, b) => {
                    const row = new Array(b.length + 1).fill(0);
                    for (const x of a) {
                      let diagonal = 0;
                      for (let j = 1; j <= b.length; j++) {
                        const up = row[j];
                        row[j] = x === b[j - 1] ? diagonal + 1 : Math.max(row[j], row[j - 1]);
                        diagonal = up;
                      }
                    }
                    return row[b.length];
                  };
                  for (let run = 0; run < 400 && failures.length < 5; run++) {
                    const before = text();
                    const after = text();
                    const diff = diffLines(before, after, { context: 1e9 });
                    const left = diff.rows.filter((row) => row.left).map((row) => row.left.text);
                    const right = diff.rows.filter((row) => row.right).map((row) => row.right.text);
                    const a = linesOf(before);
                    const b = linesOf(after);
                    const common = lcs(a, b);
                    if (JSON.stringify(left) !== JSON.stringify(a) || JSON.stringify(right) !== JSON.stringify(b)) {
                      failures.push('the diff does not give back both texts: ' + JSON.stringify([before, after]));
                    } else if (diff.removed !== a.length - common || diff.added !== b.length - common || !diff.exact) {
                      failures.push('not minimal: ' + JSON.stringify([before, after, diff.removed, diff.added, common]));
                    }
                    for (const format of ['yaml', 'properties', 'json']) {
                      const joined = tokenize(before, format).map((token) => token.text).join('');
                      if (joined !== before) failures.push(format + ' tokens do not cover ' + JSON.stringify(before));
                    }
                  }
                  return failures;
                })().then(done, (error) => done(['threw: ' + error]));""");
        assertThat((List<?>) failures).as("contract failures of diff.js and highlight.js").isEmpty();
    }

    @Test
    @Order(1)
    void firstLoadIsSmallAndInteractiveWithinASecond() {
        TestNode node = cluster.node(1);
        browser.driver().executeCdpCommand("Network.clearBrowserCache", Map.of());
        signIn(node, TestNode.ADMIN_TOKEN);
        Browser.Transfer signedIn = browser.transferredBytes();
        // A cold reload with the token in session storage: straight to the cluster screen with its data.
        browser.driver().executeCdpCommand("Network.clearBrowserCache", Map.of());
        browser.open(node.url("/console/"));
        double interactive = browser.millisUntilMark("muster-console-ready");
        awaitReady("cluster");
        Browser.Transfer reload = browser.transferredBytes();
        System.out.printf("[console] first load: %d bytes transferred (%d compressed body bytes, %d entries) "
                + "through sign-in; cold reload interactive after %.0f ms, %d bytes%n", signedIn.transferSize(),
                signedIn.encodedBodySize(), signedIn.entries(), interactive, reload.transferSize());
        assertThat(signedIn.transferSize()).as("bytes transferred by the first load").isLessThanOrEqualTo(300 * 1024);
        assertThat(reload.transferSize()).as("bytes transferred by a cold reload").isLessThanOrEqualTo(300 * 1024);
        assertThat(interactive).as("ms until the cluster screen shows its data").isLessThanOrEqualTo(1000);
        browser.assertNoErrors();
    }

    @Test
    @Order(2)
    void everyScreenIsScreenshotAndAccessibleWideAndNarrow() {
        signIn(cluster.node(1), TestNode.ADMIN_TOKEN);
        for (String screen : SCREENS) {
            show(screen);
            assertThat(browser.driver().findElement(By.cssSelector("[data-testid=screen-revision]")).getText())
                    .as(screen + " states the revision it reflects").matches("reflects revision \\d+");
            browser.screenshot(screen);
            browser.assertAccessible(screen);
        }
        browser.resize(400, 800);
        try {
            for (String screen : List.of("cluster", "config", "services")) {
                show(screen);
                browser.screenshot(screen + "-narrow");
                browser.assertAccessible(screen + "-narrow");
            }
        } finally {
            browser.resize(Browser.WIDTH, Browser.HEIGHT);
        }
        browser.assertNoErrors();
    }

    @Test
    @Order(3)
    void aWriteOnAnotherNodeAppearsWithinASecond() {
        signIn(cluster.node(1), TestNode.ADMIN_TOKEN);
        show("keys");
        Http.Response written = Http.put(cluster.node(3).url("/v1/kv/console/live"), "from curl", "Content-Type", "text/plain");
        assertThat(written.status()).isEqualTo(201);
        long revision = written.json().get("revision").asLong();
        browser.waitFor(By.cssSelector("[data-testid=key-item][data-key='console/live']"), LIVE);
        browser.waitUntil("the screen reflects revision " + revision, LIVE, () -> screenRevision() >= revision);
        browser.assertNoErrors();
    }

    @Test
    @Order(4)
    void anInvalidKeyShowsTheProblemAndWritesNothing() {
        signIn(cluster.node(2), TestNode.ADMIN_TOKEN);
        show("keys");
        long before = cluster.node(2).status().appliedIndex();
        click("[data-testid=key-new]");
        WebElement name = browser.waitFor(By.cssSelector("[data-testid=key-name]"), WAIT);
        name.clear();
        name.sendKeys("bad//key");
        browser.driver().findElement(By.cssSelector("[data-testid=key-editor]")).sendKeys("value");
        click("[data-testid=key-save]");
        WebElement problem = browser.waitFor(By.cssSelector(".problem[data-type='urn:muster:problem:invalid-key']"), WAIT);
        assertThat(problem.getText()).contains("Write refused").contains("400");
        assertThat(Http.get(cluster.node(2).url("/v1/kv?prefix=bad")).json().get("items")).isEmpty();
        assertThat(cluster.node(2).status().appliedIndex()).as("nothing was proposed").isEqualTo(before);
        browser.assertNoErrorsExcept("status of 400");
    }

    @Test
    @Order(5)
    void aDocumentIsCreatedEditedComparedAndRolledBackAndMalformedYamlChangesNothing() {
        TestNode node = cluster.node(1);
        signIn(node, TestNode.ADMIN_TOKEN);
        show("config");
        click("[data-testid=doc-new]");
        type("[data-testid=doc-new-app]", "console-app");
        type("[data-testid=doc-new-profile]", "default");
        type("[data-testid=doc-editor]", "greeting: hello\n");
        click("[data-testid=doc-save]");
        browser.waitFor(By.cssSelector("[data-testid=doc-item][data-key='config/console-app/default']"), WAIT);
        browser.waitForText(By.cssSelector("[data-testid=doc-view]"), "hello", WAIT);
        long created = kvRevision(node, "config/console-app/default");

        click("[data-testid=doc-edit]");
        type("[data-testid=doc-editor]", "greeting: [unclosed\n");
        click("[data-testid=doc-save]");
        WebElement problem = browser.waitFor(By.cssSelector(".problem[data-type='urn:muster:problem:invalid-config-document']"), WAIT);
        assertThat(problem.getText()).contains("400").contains("config/console-app/default");
        assertThat(kvRevision(node, "config/console-app/default")).as("the malformed document wrote nothing").isEqualTo(created);
        browser.assertNoErrorsExcept("status of 400");

        type("[data-testid=doc-editor]", "greeting: hi\n");
        click("[data-testid=doc-save]");
        browser.waitForText(By.cssSelector("[data-testid=doc-view]"), "greeting: hi", WAIT);
        long edited = kvRevision(node, "config/console-app/default");
        assertThat(edited).isGreaterThan(created);

        browser.waitUntil("two versions in the history", WAIT,
                () -> browser.driver().findElements(By.cssSelector("[data-testid=history-item]")).size() >= 2);
        click("[data-testid=diff-old][data-revision='" + created + "']");
        click("[data-testid=diff-new][data-revision='" + edited + "']");
        click("[data-testid=diff-compare]");
        WebElement diff = browser.waitFor(By.cssSelector("[data-testid=diff-view]"), WAIT);
        assertThat(diff.getText()).contains("greeting: hello").contains("greeting: hi");
        browser.screenshot("config-diff");
        browser.assertAccessible("config-diff");

        click("[data-testid=history-rollback][data-revision='" + created + "']");
        click("dialog button[value=ok]");
        browser.waitForText(By.cssSelector("[data-testid=doc-view]"), "greeting: hello", WAIT);
        assertThat(Http.get(node.url("/v1/kv/config/console-app/default")).text()).isEqualTo("greeting: hello\n");
        browser.assertNoErrorsExcept("status of 400");
    }

    @Test
    @Order(6)
    void aReleaseIsDraftedFromAnEditAndPublished() {
        TestNode node = cluster.node(2);
        signIn(node, TestNode.ADMIN_TOKEN);
        show("config");
        click("[data-testid=doc-item][data-key='config/console-app/default']");
        click("[data-testid=doc-edit]");
        type("[data-testid=doc-editor]", "greeting: released\n");
        click("[data-testid=release-create]");
        click("dialog button[value=ok]");
        browser.waitForText(By.cssSelector("[data-testid=release-state]"), "draft", WAIT);
        browser.screenshot("release-draft");
        browser.assertAccessible("release-draft");
        assertThat(Http.get(node.url("/v1/kv/config/console-app/default")).text()).as("a draft changes nothing")
                .isEqualTo("greeting: hello\n");
        click("[data-testid=release-publish]");
        click("dialog button[value=ok]");
        browser.waitForText(By.cssSelector("[data-testid=release-state]"), "published", WAIT);
        assertThat(Http.get(node.url("/v1/kv/config/console-app/default")).text()).isEqualTo("greeting: released\n");
        browser.assertNoErrors();
    }

    @Test
    @Order(7)
    void anInstanceDrainedOnOneNodeLeavesTheListOnAnotherNodesConsoleWithinASecond() {
        for (String id : List.of("i-1", "i-2")) {
            Http.Response registered = Http.put(cluster.node(3).url("/v1/services/console-svc/instances/" + id),
                    "{\"address\":\"10.0.0.7\",\"port\":8080,\"zone\":\"z1\",\"ttlSeconds\":60}",
                    "Content-Type", "application/json");
            assertThat(registered.status()).as(registered.toString()).isEqualTo(201);
        }
        signIn(cluster.node(1), TestNode.ADMIN_TOKEN);
        openService("console-svc");
        String acting = browser.newTab(true);
        try {
            browser.open(cluster.node(2).url("/console/"));
            browser.waitFor(By.id("token"), WAIT).sendKeys(TestNode.ADMIN_TOKEN);
            click("#sign-in button[type=submit]");
            awaitReady("cluster");
            openService("console-svc");
            new org.openqa.selenium.support.ui.Select(browser.driver().findElement(By.id("instance-status"))).selectByValue("UP");
            browser.waitFor(By.cssSelector("[data-testid=instance-row][data-id=i-1]"), WAIT);
            browser.screenshot("services");
            String watching = browser.driver().getWindowHandle();

            browser.driver().switchTo().window(acting);
            click("[data-testid=instance-drain][data-id=i-1]");
            browser.waitFor(By.cssSelector("[data-testid=instance-row][data-id=i-1][data-status=OUT_OF_SERVICE]"), WAIT);
            browser.driver().switchTo().window(watching);
            browser.waitUntil("i-1 gone from node 2's list of UP instances", LIVE, () -> browser.driver()
                    .findElements(By.cssSelector("[data-testid=instance-row][data-id=i-1]")).isEmpty());
            browser.waitUntil("one UP instance counted", LIVE, () -> browser.driver()
                    .findElement(By.cssSelector("[data-testid=instance-count]")).getText().equals("1"));
            browser.assertNoErrors();
        } finally {
            browser.driver().close();
            browser.driver().switchTo().window(acting);
        }
        assertThat(Http.get(cluster.node(1).url("/v1/services/console-svc?status=OUT_OF_SERVICE")).json().get("instances"))
                .hasSize(1);
        browser.assertNoErrors();
    }

    @Test
    @Order(8)
    void aReaderSeesNoWriteButtonsAndTheServerRefusesItsWritesAnyway() {
        Http.Response created = Http.post(cluster.node(1).url("/v1/auth/tokens"),
                "{\"name\":\"console-reader\",\"roles\":[\"reader\"]}");
        assertThat(created.status()).isEqualTo(201);
        String secret = created.json().get("secret").asString();
        signIn(cluster.node(1), secret);
        // Each screen with something open that a writer could change: a key, a document, a release, an instance.
        show("keys");
        click("[data-testid=key-item][data-key='console/live']");
        browser.waitFor(By.cssSelector("[data-testid=key-detail]"), WAIT);
        assertNoWriteControls("a key");
        show("config");
        click("[data-testid=doc-item][data-key='config/console-app/default']");
        browser.waitForText(By.cssSelector("[data-testid=doc-view]"), "greeting", WAIT);
        browser.waitFor(By.cssSelector("[data-testid=history-item]"), WAIT);
        assertNoWriteControls("a document");
        click("[data-testid=releases-link]");
        click("[data-testid=release-link]");
        browser.waitFor(By.cssSelector("[data-testid=release-diff]"), WAIT);
        assertNoWriteControls("a release");
        openService("console-svc");
        assertNoWriteControls("a service's instances");
        for (String screen : List.of("coordination", "cluster")) {
            show(screen);
            assertNoWriteControls(screen);
        }
        assertThat(browser.driver().findElements(By.cssSelector("nav a[data-screen=tokens]")).getFirst().isDisplayed())
                .as("the Tokens screen is offered to a reader").isFalse();
        Object status = browser.driver().executeAsyncScript("""
                const done = arguments[arguments.length - 1];
                fetch('/v1/kv/console/by-reader', {method: 'PUT', body: 'x', headers: {
                    Authorization: 'Bearer ' + sessionStorage.getItem('muster.console.token')}})
                  .then(r => done(r.status), e => done(String(e)));""");
        assertThat(status).as("the server's answer to a reader's write").isEqualTo(403L);
        browser.assertNoErrorsExcept("status of 403");

        // The token is revoked while the console is open: its status stream ends, and the console goes back
        // to sign-in with the problem, without anything clicked.
        assertThat(Http.delete(cluster.node(1).url("/v1/auth/tokens/console-reader")).status()).isEqualTo(204);
        WebElement problem = browser.waitFor(By.cssSelector("#sign-in .problem"), WAIT);
        assertThat(problem.getText()).contains("401").containsIgnoringCase("revoked");
        browser.assertNoErrorsExcept("status of 401");
    }

    @Test
    @Order(9)
    void aWrongTokenAtSignInShowsTheServersProblem() {
        browser.newTab(false);
        browser.open(cluster.node(1).url("/console/"));
        browser.waitFor(By.id("token"), WAIT).sendKeys("not-a-token");
        click("#sign-in button[type=submit]");
        WebElement problem = browser.waitFor(By.cssSelector("#sign-in .problem"), WAIT);
        assertThat(problem.getText()).contains("Sign-in refused").contains("401").contains("malformed, unknown or revoked");
        assertThat(browser.script("return sessionStorage.getItem('muster.console.token')")).isNull();
        browser.assertNoErrorsExcept("status of 401");
    }

    @Test
    @Order(100)
    void theSurvivorOfTwoStoppedNodesSaysItHasNoQuorumWithinTwoSeconds() {
        TestNode survivor = cluster.node(1);
        signIn(survivor, TestNode.ADMIN_TOKEN);
        show("services");
        assertThat(browser.driver().findElement(By.id("status")).getAttribute("data-quorum")).isEqualTo("ok");
        cluster.node(2).stop();
        cluster.node(3).stop();
        // The server's own verdict first (its readiness), then the console's, at most two seconds later.
        long judged = Waits.until("the survivor's readiness DOWN", TestCluster.DEADLINE,
                () -> Http.get(survivor.url("/actuator/health/readiness")).status() == 503 ? System.nanoTime() : null);
        browser.waitUntil("the banner saying there is no quorum", Duration.ofSeconds(2), () -> {
            WebElement banner = browser.driver().findElement(By.id("quorum-banner"));
            return banner.isDisplayed() && banner.getText().contains("No quorum");
        });
        System.out.printf("[console] no-quorum banner %d ms after the node judged itself out of quorum%n",
                (System.nanoTime() - judged) / 1_000_000);
        for (String screen : SCREENS) {
            browser.script("location.hash = arguments[0]", "#/" + screen);
            browser.waitUntil("the banner on " + screen, WAIT,
                    () -> browser.driver().findElement(By.id("quorum-banner")).isDisplayed());
        }
        browser.screenshot("no-quorum");
        browser.assertNoErrorsExcept("status of 50");
    }

    /** Opens the console on {@code node} in the current tab and signs in with {@code token}. */
    static void signIn(TestNode node, String token) {
        browser.newTab(false); // a tab of its own: no session storage, no stream of the last test still running
        browser.open(node.url("/console/"));
        browser.waitFor(By.id("token"), WAIT).sendKeys(token);
        click("#sign-in button[type=submit]");
        awaitReady("cluster");
    }

    /** Shows {@code screen} (a hash change, no reload) and waits until it shows its data. */
    static void show(String screen) {
        browser.script("location.hash = arguments[0]", "#/" + screen);
        awaitReady(screen);
    }

    static void awaitReady(String screen) {
        browser.waitUntil("the " + screen + " screen showing its data", WAIT, () -> {
            WebElement main = browser.driver().findElement(By.id("screen"));
            return screen.equals(main.getAttribute("data-screen")) && "true".equals(main.getAttribute("data-ready"));
        });
    }

    /** No control on the page that writes: the primary and danger buttons, and each screen's named ones. */
    static void assertNoWriteControls(String where) {
        assertThat(browser.driver().findElements(By.cssSelector("main button.primary, main button.danger, "
                + "[data-testid=key-new], [data-testid=key-edit], [data-testid=key-delete], [data-testid=doc-new], "
                + "[data-testid=doc-edit], [data-testid=doc-delete], [data-testid=history-rollback], "
                + "[data-testid=release-publish], [data-testid=release-abandon], [data-testid=release-rollback], "
                + "[data-testid=release-gray], [data-testid=instance-drain], [data-testid=instance-deregister], "
                + "[data-testid=lease-revoke], [data-testid=snapshot], [data-testid=transfer]")))
                .as("write controls on " + where + " for a reader").isEmpty();
    }

    static void openService(String service) {
        show("services");
        click("[data-testid=service-item][data-service='" + service + "']");
        browser.waitFor(By.cssSelector("[data-testid=instance-row]"), WAIT);
    }

    /** Replaces the text of the input or textarea {@code css} names. */
    static void type(String css, String text) {
        WebElement input = browser.waitFor(By.cssSelector(css), WAIT);
        input.clear();
        input.sendKeys(text);
    }

    static long kvRevision(TestNode node, String key) {
        Http.Response answer = Http.get(node.url("/v1/kv/" + key));
        assertThat(answer.status()).as(key).isEqualTo(200);
        return Long.parseLong(answer.header("ETag").replace("\"", ""));
    }

    static long screenRevision() {
        String revision = browser.driver().findElement(By.cssSelector("[data-testid=screen-revision]")).getAttribute("data-revision");
        return revision == null ? 0 : Long.parseLong(revision);
    }

    static void click(String css) {
        browser.waitFor(By.cssSelector(css), WAIT).click();
    }
}
