package dev.sluice.server.web;

import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.logging.Level;
import org.openqa.selenium.Dimension;
import org.openqa.selenium.JavascriptExecutor;
import org.openqa.selenium.OutputType;
import org.openqa.selenium.TakesScreenshot;
import org.openqa.selenium.WebDriver;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;
import org.openqa.selenium.logging.LogEntry;
import org.openqa.selenium.logging.LogType;
import org.openqa.selenium.logging.LoggingPreferences;
import org.openqa.selenium.support.ui.WebDriverWait;

/**
 * Debian's headless Chromium driven by Selenium through Debian's {@code chromedriver}, for browser tests
 * ({@code *BrowserIT}) of the web UI against a running server. Nothing is downloaded: the browser and the driver are
 * the system's ({@value #CHROMIUM}, {@value #CHROMEDRIVER}).
 *
 * <p>It keeps every message the page writes to the browser console (including failed loads and uncaught errors) so a
 * test can assert that a page loads without errors, and takes PNG screenshots.
 *
 * <pre>{@code
 * try (HeadlessChromium browser = HeadlessChromium.start(tempDir)) {
 *     browser.open("http://localhost:" + port + "/");
 *     browser.waitUntil(Duration.ofSeconds(10), "the table shows up", () -> browser.script("return !!document.querySelector('table')"));
 *     assertThat(browser.consoleErrors()).isEmpty();
 *     browser.screenshot(tempDir.resolve("overview.png"));
 * }
 * }</pre>
 */
public final class HeadlessChromium implements AutoCloseable {
    public static final String CHROMIUM = "/usr/bin/chromium";
    public static final String CHROMEDRIVER = "/usr/bin/chromedriver";

    private final ChromeDriverService service;
    private final ChromeDriver driver;
    private final List<LogEntry> console = new ArrayList<>();

    private HeadlessChromium(ChromeDriverService service, ChromeDriver driver) {
        this.service = service;
        this.driver = driver;
    }

    /** Whether Debian's chromium and chromedriver are installed. */
    public static boolean available() {
        return Files.isExecutable(Path.of(CHROMIUM)) && Files.isExecutable(Path.of(CHROMEDRIVER));
    }

    /**
     * Starts a headless browser with a 1400x1000 window.
     *
     * @param userDataDir an empty directory for the browser profile (a test's {@code @TempDir})
     */
    public static HeadlessChromium start(Path userDataDir) {
        if (!available()) {
            throw new IllegalStateException("Browser tests need Debian's chromium and chromium-driver (" + CHROMIUM + ", " + CHROMEDRIVER
                    + "); install them with: apt-get install chromium chromium-driver");
        }
        ChromeOptions options = new ChromeOptions();
        options.setBinary(CHROMIUM);
        options.addArguments("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--no-first-run",
                "--disable-background-networking", "--disable-component-update", "--disable-sync",
                "--window-size=1400,1000", "--user-data-dir=" + userDataDir.toAbsolutePath());
        LoggingPreferences logs = new LoggingPreferences();
        logs.enable(LogType.BROWSER, Level.ALL);
        options.setCapability("goog:loggingPrefs", logs);
        ChromeDriverService service = new ChromeDriverService.Builder()
                .usingDriverExecutable(new File(CHROMEDRIVER))
                .usingAnyFreePort()
                .build();
        try {
            ChromeDriver driver = new ChromeDriver(service, options);
            driver.manage().timeouts().pageLoadTimeout(Duration.ofSeconds(30));
            driver.manage().timeouts().scriptTimeout(Duration.ofSeconds(30));
            return new HeadlessChromium(service, driver);
        } catch (RuntimeException e) {
            service.stop();
            throw e;
        }
    }

    public WebDriver driver() {
        return driver;
    }

    /** Loads the page and waits until its document has loaded. */
    public void open(String url) {
        collectConsole();
        driver.get(url);
    }

    /** Runs JavaScript in the page ({@code return ...} to get a value back). */
    public Object script(String javaScript, Object... args) {
        return ((JavascriptExecutor) driver).executeScript(javaScript, args);
    }

    /** Waits until {@code condition} returns true (or a non-null, non-false value), failing with {@code what} after {@code timeout}. */
    public void waitUntil(Duration timeout, String what, java.util.function.Supplier<Object> condition) {
        new WebDriverWait(driver, timeout, Duration.ofMillis(100))
                .withMessage(() -> "waited " + timeout.toSeconds() + " s for: " + what + "; console: " + consoleMessages())
                .until(d -> {
                    Object value = condition.get();
                    return value != null && !Boolean.FALSE.equals(value) ? value : null;
                });
    }

    public void resize(int width, int height) {
        driver.manage().window().setSize(new Dimension(width, height));
    }

    /** Every console message since the browser started, as {@code LEVEL message}. */
    public List<String> consoleMessages() {
        collectConsole();
        synchronized (console) {
            return console.stream().map(e -> e.getLevel() + " " + e.getMessage()).toList();
        }
    }

    /** The console errors (level SEVERE: uncaught exceptions, console.error, failed loads) since the browser started. */
    public List<String> consoleErrors() {
        collectConsole();
        synchronized (console) {
            return console.stream().filter(e -> e.getLevel().intValue() >= Level.SEVERE.intValue()).map(LogEntry::getMessage).toList();
        }
    }

    private void collectConsole() {
        // The driver hands out each entry once, so they are kept here.
        List<LogEntry> entries = driver.manage().logs().get(LogType.BROWSER).getAll();
        synchronized (console) {
            console.addAll(entries);
        }
    }

    /** Saves a PNG screenshot of the window to {@code file} and returns it. */
    public Path screenshot(Path file) {
        byte[] png = ((TakesScreenshot) driver).getScreenshotAs(OutputType.BYTES);
        try {
            if (file.toAbsolutePath().getParent() != null) {
                Files.createDirectories(file.toAbsolutePath().getParent());
            }
            return Files.write(file, png);
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot write the screenshot to " + file, e);
        }
    }

    @Override
    public void close() {
        try {
            driver.quit();
        } finally {
            service.stop();
        }
    }
}
