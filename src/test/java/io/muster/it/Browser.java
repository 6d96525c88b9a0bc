package io.muster.it;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;
import java.util.logging.Level;
import java.util.logging.Logger;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.openqa.selenium.By;
import org.openqa.selenium.Dimension;
import org.openqa.selenium.OutputType;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;
import org.openqa.selenium.logging.LogEntry;
import org.openqa.selenium.logging.LogType;
import org.openqa.selenium.logging.LoggingPreferences;

/**
 * A real headless Chromium (Debian's {@code chromium} and {@code chromium-driver}, which
 * {@code scripts/test-tools.sh} installs) driven through ChromeDriver, for the console's browser tests.
 * Besides driving pages it collects what the browser's console reports at error level (uncaught
 * exceptions, {@code console.error}, failed loads, Content-Security-Policy violations) for
 * {@link #assertNoErrors()}, runs axe-core for {@link #assertAccessible(String)}, takes screenshots into
 * {@code target/console-screenshots/}, and reads the page's performance entries for the first-load budget.
 * Close it (try-with-resources or {@code @AfterAll}): {@link #close()} quits ChromeDriver and the browser.
 */
final class Browser implements AutoCloseable {

    static final Path CHROMIUM = Path.of("/usr/bin/chromium");
    static final Path CHROMEDRIVER = Path.of("/usr/bin/chromedriver");
    static final Path SCREENSHOTS = Path.of("target/console-screenshots");
    static final int WIDTH = 1280;
    static final int HEIGHT = 800;
    /** How long the waits without an explicit deadline ({@link #millisUntilMark}) wait. */
    static final Duration DEADLINE = Duration.ofSeconds(10);
    /** axe-core's script as com.deque.html.axe-core:selenium bundles it (pom.xml, axe-core.version). */
    private static final String AXE_RESOURCE = "axe.min.js";
    private static final int TARGETS_SHOWN = 3;
    /**
     * Selenium looks for a DevTools binding of the browser's exact version (selenium-devtools-v*, not a
     * dependency: the harness needs none) and warns when there is none; held here so that the level set
     * on it holds.
     */
    private static final Logger CDP_VERSION_FINDER = Logger.getLogger("org.openqa.selenium.devtools.CdpVersionFinder");

    private final ChromeDriverService service;
    private final ChromeDriver driver;
    private final List<String> errors = new ArrayList<>();
    private String axeSource;

    /** A browser with a {@value #WIDTH}×{@value #HEIGHT} window. */
    Browser() {
        this(WIDTH, HEIGHT);
    }

    Browser(int width, int height) {
        for (Path tool : List.of(CHROMIUM, CHROMEDRIVER)) {
            if (!Files.isExecutable(tool)) {
                throw new IllegalStateException(tool + " is missing: the browser tests need Debian's chromium and "
                        + "chromium-driver packages (scripts/test-tools.sh installs them, as root)");
            }
        }
        ChromeOptions options = new ChromeOptions();
        options.setBinary(CHROMIUM.toFile());
        options.addArguments("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
                "--window-size=" + width + "," + height, "--lang=en-US", "--no-first-run",
                "--disable-background-networking", "--disable-component-update", "--disable-sync",
                "--disable-default-apps", "--disable-extensions");
        LoggingPreferences logging = new LoggingPreferences();
        logging.enable(LogType.BROWSER, Level.ALL);
        options.setCapability("goog:loggingPrefs", logging);
        // Both paths are given, so Selenium Manager (which would download a browser) is never asked.
        service = new ChromeDriverService.Builder().usingDriverExecutable(CHROMEDRIVER.toFile()).usingAnyFreePort()
                .withSilent(true).build();
        CDP_VERSION_FINDER.setLevel(Level.SEVERE);
        try {
            driver = new ChromeDriver(service, options);
        } catch (RuntimeException e) {
            service.stop();
            throw e;
        }
        try {
            reportViolations();
            driver.manage().timeouts().scriptTimeout(Duration.ofSeconds(30));
            driver.manage().timeouts().pageLoadTimeout(Duration.ofSeconds(30));
        } catch (RuntimeException e) {
            close();
            throw e;
        }
    }

    /**
     * Chromium puts a violation on the console only when it is not caught (a refused eval inside a try
     * is silent), but every page's securitypolicyviolation event fires: this listener, installed before
     * any page script runs (and, coming through DevTools, not subject to the page's policy), reports each
     * one as a console error. DevTools installs it for the current tab.
     */
    private void reportViolations() {
        driver.executeCdpCommand("Page.addScriptToEvaluateOnNewDocument", Map.of("source", """
                document.addEventListener('securitypolicyviolation', e => console.error(
                    'Content Security Policy violation (' + e.disposition + '): ' + e.effectiveDirective + ' blocked '
                    + (e.blockedURI || 'inline') + ' at ' + (e.sourceFile || document.location.href) + ':' + e.lineNumber));
                """));
    }

    /**
     * Switches to a new, empty tab (its own session storage), watched for violations like the first;
     * closes the tab it leaves unless {@code keepCurrent}. Returns the handle of the tab it left.
     */
    String newTab(boolean keepCurrent) {
        String left = driver.getWindowHandle();
        driver.switchTo().newWindow(org.openqa.selenium.WindowType.TAB);
        String fresh = driver.getWindowHandle();
        if (!keepCurrent) {
            driver.switchTo().window(left).close();
            driver.switchTo().window(fresh);
        }
        reportViolations();
        return left;
    }

    /** The driver itself, for what this class does not wrap. */
    ChromeDriver driver() {
        return driver;
    }

    /** Navigates to {@code url} and returns once the page has loaded (its load event). */
    void open(String url) {
        driver.get(url);
    }

    /** Resizes the window, e.g. to a phone's width to check the narrow layout. */
    void resize(int width, int height) {
        driver.manage().window().setSize(new Dimension(width, height));
    }

    /** Runs {@code script} in the page (a function body: {@code return} gives the value) with {@code args}. */
    Object script(String script, Object... args) {
        return driver.executeScript(script, args);
    }

    /** The first element {@code by} finds once it is displayed, failing after {@code deadline}. */
    WebElement waitFor(By by, Duration deadline) {
        return waitUntilValue(by + " displayed", deadline, () -> {
            WebElement element = driver.findElement(by);
            return element.isDisplayed() ? element : null;
        });
    }

    /** The first element {@code by} finds once its visible text contains {@code text}, failing after {@code deadline}. */
    WebElement waitForText(By by, String text, Duration deadline) {
        return waitUntilValue(by + " showing '" + text + "'", deadline, () -> {
            WebElement element = driver.findElement(by);
            return element.getText().contains(text) ? element : null;
        });
    }

    /** Polls {@code condition} until it is true, failing with {@code description} after {@code deadline}. */
    void waitUntil(String description, Duration deadline, Supplier<Boolean> condition) {
        waitUntilValue(description, deadline, () -> Boolean.TRUE.equals(condition.get()) ? true : null);
    }

    private <T> T waitUntilValue(String description, Duration deadline, Supplier<T> probe) {
        try {
            return Waits.until(description + " at " + driver.getCurrentUrl(), deadline, probe);
        } catch (AssertionError e) {
            try {
                e.addSuppressed(new AssertionError("screenshot: " + screenshot("timeout-" + System.currentTimeMillis())));
            } catch (RuntimeException screenshotFailed) {
                e.addSuppressed(screenshotFailed);
            }
            throw e;
        }
    }

    /**
     * What the browser's console reported at error level since the last call of this method or of
     * {@link #assertNoErrors()}, oldest first: uncaught exceptions and rejections, {@code console.error},
     * failed loads (a fetch answered 4xx or 5xx too) and Content-Security-Policy violations, caught by the
     * page or not (the constructor's listener).
     */
    List<String> errors() {
        collect();
        List<String> taken = List.copyOf(errors);
        errors.clear();
        return taken;
    }

    /**
     * Fails if the browser's console reported anything at error level since the last check (see
     * {@link #errors()}); each error is reported once.
     */
    void assertNoErrors() {
        assertNoErrorsExcept();
    }

    /**
     * As {@link #assertNoErrors()}, but errors containing one of {@code expected} pass: a fetch answered
     * 4xx on purpose (a wrong token at sign-in) shows on the console as "Failed to load resource: the
     * server responded with a status of 401 (Unauthorized)", so {@code assertNoErrorsExcept("status of 401")}.
     */
    void assertNoErrorsExcept(String... expected) {
        List<String> found = errors().stream().filter(error -> Stream.of(expected).noneMatch(error::contains)).toList();
        if (!found.isEmpty()) {
            throw new AssertionError(found.size() + " browser error(s) at " + driver.getCurrentUrl() + ":\n  "
                    + String.join("\n  ", found));
        }
    }

    /** Waits up to {@code deadline} for at least one error to be reported, and returns them without clearing them. */
    List<String> awaitErrors(Duration deadline) {
        waitUntil("an error on the browser's console", deadline, () -> {
            collect();
            return !errors.isEmpty();
        });
        return List.copyOf(errors);
    }

    private void collect() {
        for (LogEntry entry : driver.manage().logs().get(LogType.BROWSER)) {
            if (entry.getLevel().intValue() >= Level.SEVERE.intValue()) {
                errors.add(entry.getMessage());
            }
        }
    }

    /** Writes the visible page to {@code target/console-screenshots/<name>.png} and returns the file. */
    Path screenshot(String name) {
        try {
            Files.createDirectories(SCREENSHOTS);
            Path file = SCREENSHOTS.resolve(name + ".png");
            Files.write(file, driver.getScreenshotAs(OutputType.BYTES));
            return file;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** One rule axe-core found broken: its id, impact, help text and link, and the selectors of its nodes. */
    record Violation(String id, String impact, String help, String helpUrl, List<String> targets) {

        boolean seriousOrCritical() {
            return "serious".equals(impact) || "critical".equals(impact);
        }

        @Override
        public String toString() {
            String shown = targets.stream().limit(TARGETS_SHOWN).collect(Collectors.joining(", "));
            String more = targets.size() > TARGETS_SHOWN ? " and " + (targets.size() - TARGETS_SHOWN) + " more" : "";
            return id + " (" + impact + "): " + help + " [" + shown + more + "] " + helpUrl;
        }
    }

    /**
     * Runs axe-core on the current page ({@code axe.run(document, {resultTypes: ['violations']})}) and
     * returns every violation, also writing them to {@code target/console-screenshots/<screenName>.axe.txt}.
     * The script is injected through WebDriver, which the page's Content-Security-Policy does not govern.
     */
    List<Violation> axe(String screenName) {
        if (axeSource == null) {
            axeSource = readAxe();
        }
        if (!Boolean.TRUE.equals(driver.executeScript("return typeof window.axe?.run === 'function'"))) {
            driver.executeScript(axeSource);
        }
        Object answer = driver.executeAsyncScript("""
                const done = arguments[arguments.length - 1];
                axe.run(document, {resultTypes: ['violations']}).then(results => done(results.violations.map(v => ({
                    id: v.id, impact: v.impact || '', help: v.help, helpUrl: v.helpUrl,
                    targets: v.nodes.map(node => node.target.map(t => Array.isArray(t) ? t.join(' >>> ') : String(t)).join(' '))
                }))), error => done('axe failed: ' + error));
                """);
        if (!(answer instanceof List<?> list)) {
            throw new AssertionError("axe on " + screenName + " (" + driver.getCurrentUrl() + "): " + answer);
        }
        List<Violation> violations = new ArrayList<>();
        for (Object item : list) {
            Map<?, ?> v = (Map<?, ?>) item;
            List<String> targets = ((List<?>) v.get("targets")).stream().map(String::valueOf).toList();
            violations.add(new Violation(String.valueOf(v.get("id")), String.valueOf(v.get("impact")),
                    String.valueOf(v.get("help")), String.valueOf(v.get("helpUrl")), targets));
        }
        try {
            Files.createDirectories(SCREENSHOTS);
            Files.writeString(SCREENSHOTS.resolve(screenName + ".axe.txt"), driver.getCurrentUrl() + "\n"
                    + violations.stream().map(Violation::toString).collect(Collectors.joining("\n")) + "\n");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return violations;
    }

    /** Fails, listing them, if axe-core finds any violation of serious or critical impact on the current page. */
    void assertAccessible(String screenName) {
        List<Violation> serious = axe(screenName).stream().filter(Violation::seriousOrCritical).toList();
        if (!serious.isEmpty()) {
            throw new AssertionError(serious.size() + " serious or critical accessibility violation(s) on " + screenName
                    + " (" + driver.getCurrentUrl() + "):\n  "
                    + serious.stream().map(Violation::toString).collect(Collectors.joining("\n  ")));
        }
    }

    private static String readAxe() {
        try (InputStream in = Browser.class.getClassLoader().getResourceAsStream(AXE_RESOURCE)) {
            if (in == null) {
                throw new IllegalStateException(AXE_RESOURCE + " is not on the test classpath (com.deque.html.axe-core:selenium)");
            }
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /**
     * What the current page's load cost on the wire: the sums over its navigation and resource timing
     * entries of {@code transferSize} (headers and body as transferred; 0 for a cache hit) and
     * {@code encodedBodySize} (bodies as sent, compressed if they were), and how many entries there were.
     */
    record Transfer(long transferSize, long encodedBodySize, int entries) {

        @Override
        public String toString() {
            return transferSize + " bytes transferred (" + encodedBodySize + " of bodies) in " + entries + " responses";
        }
    }

    /** {@link Transfer} for the current page, counting what it loaded until now. */
    Transfer transferredBytes() {
        Map<?, ?> sums = (Map<?, ?>) driver.executeScript("""
                const entries = performance.getEntriesByType('navigation').concat(performance.getEntriesByType('resource'));
                return {
                    transfer: entries.reduce((sum, e) => sum + e.transferSize, 0),
                    encoded: entries.reduce((sum, e) => sum + e.encodedBodySize, 0),
                    entries: entries.length
                };
                """);
        return new Transfer(((Number) sums.get("transfer")).longValue(), ((Number) sums.get("encoded")).longValue(),
                ((Number) sums.get("entries")).intValue());
    }

    /**
     * The time in milliseconds from the start of the current page's navigation to the first
     * {@code performance.mark(markName)} the page set, waiting up to {@link #DEADLINE} for it.
     */
    double millisUntilMark(String markName) {
        return waitUntilValue("performance mark '" + markName + "'", DEADLINE, () -> {
            Object start = driver.executeScript(
                    "const marks = performance.getEntriesByName(arguments[0], 'mark');"
                            + " return marks.length ? marks[0].startTime : null;", markName);
            return start == null ? null : ((Number) start).doubleValue();
        });
    }

    /** Quits ChromeDriver and the browser it started. */
    @Override
    public void close() {
        try {
            driver.quit();
        } finally {
            service.stop();
        }
    }
}
