package io.muster.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.openqa.selenium.By;

/**
 * The browser harness ({@link Browser}) itself, on a small site under a Content-Security-Policy as strict
 * as the console's: Chromium starts headless, takes screenshots, runs axe-core (which must find the
 * flaw the page has on purpose), reads performance marks, and {@link Browser#assertNoErrors()} catches
 * an uncaught exception and a CSP violation. {@link ConsoleIT} uses it on the console.
 */
class BrowserHarnessIT {

    /** A policy as strict as the console's: only same-origin scripts and styles, no inline code, no eval. */
    static final String CSP = "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self'; "
            + "connect-src 'self'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'";
    static final Duration WAIT = Duration.ofSeconds(10);

    static HttpServer strictSite;
    static Browser browser;

    @BeforeAll
    static void start() throws IOException {
        strictSite = strictSite();
        browser = new Browser();
    }

    @AfterAll
    static void stop() {
        try (Browser closing = browser) {
            strictSite.stop(0);
        }
    }

    @BeforeEach
    void forgetEarlierErrors() {
        browser.errors();
    }

    @Test
    void axeRunsUnderAStrictContentSecurityPolicy() {
        browser.open(siteUrl("/"));
        assertThat(browser.millisUntilMark("harness-ready")).isPositive();
        browser.waitForText(By.id("state"), "ready", WAIT);

        List<Browser.Violation> violations = browser.axe("strict-csp");
        // The page lacks an image's alt text on purpose: axe must have run, and found it.
        assertThat(violations).extracting(Browser.Violation::id).contains("image-alt");
        assertThatThrownBy(() -> browser.assertAccessible("strict-csp")).isInstanceOf(AssertionError.class)
                .hasMessageContaining("image-alt (critical)").hasMessageContaining("img");
        // The policy is in force for the page's own code (eval refused) although axe ran.
        assertThat(browser.script("return document.getElementById('eval').textContent")).isEqualTo("refused");
        // The page caught its refused eval, so Chromium's console is silent; the harness's listener reports it.
        assertThat(browser.awaitErrors(WAIT)).anyMatch(error -> error.contains("script-src blocked eval"));
        browser.assertNoErrorsExcept("script-src blocked eval");

        browser.resize(390, 844);
        browser.waitUntil("a narrow viewport", WAIT,
                () -> ((Number) browser.script("return window.innerWidth")).intValue() <= 390);
        browser.screenshot("strict-csp-narrow");
        browser.resize(Browser.WIDTH, Browser.HEIGHT);
        browser.assertNoErrors();

        browser.script("setTimeout(() => { throw new Error('deliberate harness error'); })");
        browser.awaitErrors(WAIT);
        assertThatThrownBy(browser::assertNoErrors).isInstanceOf(AssertionError.class)
                .hasMessageContaining("deliberate harness error");
        browser.assertNoErrors(); // each error is reported once
    }

    @Test
    void aContentSecurityPolicyViolationIsAnError() {
        browser.open(siteUrl("/inline"));
        browser.awaitErrors(WAIT);
        assertThatThrownBy(browser::assertNoErrors).isInstanceOf(AssertionError.class)
                .hasMessageContaining("Content Security Policy violation (enforce): script-src-elem blocked inline");
    }

    private static String siteUrl(String path) {
        return "http://127.0.0.1:" + strictSite.getAddress().getPort() + path;
    }

    /** A site on loopback whose every answer carries {@link #CSP}. */
    private static HttpServer strictSite() throws IOException {
        Map<String, String[]> pages = Map.of(
                "/", new String[] {"text/html", """
                        <!doctype html>
                        <html lang="en"><head><meta charset="utf-8"><title>Strict page</title>
                        <script type="module" src="/app.js"></script></head>
                        <body><main><h1>Strict page</h1>
                        <p id="state">loading</p><p id="eval">untried</p>
                        <img src="/pixel.svg" width="10" height="10">
                        <form><label for="name">Name</label><input id="name" name="name"></form>
                        </main></body></html>
                        """},
                "/inline", new String[] {"text/html", """
                        <!doctype html>
                        <html lang="en"><head><meta charset="utf-8"><title>Inline script</title></head>
                        <body><main><h1>Inline script</h1><script>document.title = 'ran';</script></main></body></html>
                        """},
                "/app.js", new String[] {"text/javascript", """
                        try { eval('1'); document.getElementById('eval').textContent = 'allowed'; }
                        catch (e) { document.getElementById('eval').textContent = 'refused'; }
                        document.getElementById('state').textContent = 'ready';
                        performance.mark('harness-ready');
                        """},
                "/pixel.svg", new String[] {"image/svg+xml", """
                        <svg xmlns="http://www.w3.org/2000/svg" width="10" height="10"><rect width="10" height="10"/></svg>
                        """});
        HttpServer server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        server.createContext("/", exchange -> {
            String[] page = pages.get(exchange.getRequestURI().getPath());
            byte[] body = (page == null ? "not found" : page[1]).getBytes(StandardCharsets.UTF_8);
            exchange.getResponseHeaders().set("Content-Type", (page == null ? "text/plain" : page[0]) + "; charset=utf-8");
            exchange.getResponseHeaders().set("Content-Security-Policy", CSP);
            exchange.sendResponseHeaders(page == null ? 404 : 200, body.length);
            exchange.getResponseBody().write(body);
            exchange.close();
        });
        server.start();
        return server;
    }
}

