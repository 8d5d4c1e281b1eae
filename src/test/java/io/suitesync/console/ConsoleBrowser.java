package io.suitesync.console;

import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Assertions;
import org.junit.jupiter.api.Assumptions;
import org.openqa.selenium.By;
import org.openqa.selenium.HasAuthentication;
import org.openqa.selenium.OutputType;
import org.openqa.selenium.TakesScreenshot;
import org.openqa.selenium.UsernameAndPassword;
import org.openqa.selenium.WebDriver;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;
import org.openqa.selenium.support.ui.ExpectedConditions;
import org.openqa.selenium.support.ui.WebDriverWait;

/**
 * Headless Chromium (Debian's {@code chromium} and {@code chromedriver}, never a downloaded browser)
 * on the console. Logging in answers the browser's HTTP Basic challenge through the DevTools
 * protocol, as a person answers the prompt. Without Chromium the test fails on CI ({@code CI=true})
 * and is skipped with the reason elsewhere. Screenshots go to {@code target/console-screenshots}, and
 * also to {@code $SUITESYNC_CONSOLE_SCREENSHOTS} when set (docs/console/ is made that way).
 */
final class ConsoleBrowser implements AutoCloseable {

    static final Path CHROMIUM = Path.of(env("SUITESYNC_CHROMIUM", "/usr/bin/chromium"));
    static final Path CHROMEDRIVER = Path.of(env("SUITESYNC_CHROMEDRIVER", "/usr/bin/chromedriver"));
    private static final Duration WAIT = Duration.ofSeconds(30);

    private static ConsoleBrowser shared;

    private final WebDriver driver;
    private final String base;

    private ConsoleBrowser(int port) {
        requireChromium();
        ChromeOptions options = new ChromeOptions();
        options.setBinary(CHROMIUM.toFile());
        options.addArguments("--headless", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
                "--window-size=1440,1000", "--hide-scrollbars", "--lang=en-US");
        ChromeDriverService service = new ChromeDriverService.Builder()
                .usingDriverExecutable(CHROMEDRIVER.toFile()).usingAnyFreePort().build();
        this.driver = new ChromeDriver(service, options);
        this.base = "http://localhost:" + port;
    }

    /** A browser that has not logged in. */
    static ConsoleBrowser withoutLogin(int port) {
        return new ConsoleBrowser(port);
    }

    /** One logged-in browser for the class's tests (closed by {@link #closeShared()}). */
    static synchronized ConsoleBrowser shared(int port, String user, String password) {
        if (shared == null) {
            shared = new ConsoleBrowser(port);
            shared.logIn(user, password);
        }
        return shared;
    }

    static synchronized void closeShared() {
        if (shared != null) {
            shared.close();
            shared = null;
        }
    }

    /** Answers the Basic challenge of this origin with these credentials from now on. */
    void logIn(String user, String password) {
        ((HasAuthentication) driver).register(UsernameAndPassword.of(user, password));
    }

    WebDriver driver() {
        return driver;
    }

    /** Loads the console at a view ({@code #relay}); a fresh load every time. */
    void open(String hash) {
        driver.get("about:blank");
        driver.get(base + "/console/" + hash);
    }

    WebElement waitFor(By locator) {
        return new WebDriverWait(driver, WAIT).until(ExpectedConditions.visibilityOfElementLocated(locator));
    }

    void waitForText(By locator, String text) {
        try {
            new WebDriverWait(driver, WAIT).until(ExpectedConditions.textToBePresentInElementLocated(locator, text));
        } catch (org.openqa.selenium.TimeoutException e) {
            String shown = driver.findElements(locator).isEmpty() ? "(no such element)" : driver.findElement(locator).getText();
            String error = driver.findElements(By.id("error")).isEmpty() ? "" : driver.findElement(By.id("error")).getText();
            throw new AssertionError("waited for '" + text + "' in " + locator + "; it shows: " + shown
                    + (error.isBlank() ? "" : "; error banner: " + error), e);
        }
    }

    void click(By locator) {
        new WebDriverWait(driver, WAIT).until(ExpectedConditions.elementToBeClickable(locator)).click();
    }

    void type(By locator, String text) {
        WebElement input = waitFor(locator);
        input.clear();
        input.sendKeys(text);
    }

    /** A PNG of the window, named after the view. */
    void screenshot(String name) {
        byte[] png = ((TakesScreenshot) driver).getScreenshotAs(OutputType.BYTES);
        write(Path.of("target", "console-screenshots"), name, png);
        String docs = System.getenv("SUITESYNC_CONSOLE_SCREENSHOTS");
        if (docs != null && !docs.isBlank()) {
            write(Path.of(docs), name, png);
        }
    }

    private static void write(Path dir, String name, byte[] png) {
        try {
            Files.createDirectories(dir);
            Files.write(dir.resolve(name + ".png"), png);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @Override
    public void close() {
        driver.quit();
    }

    private static void requireChromium() {
        File browser = CHROMIUM.toFile();
        File chromedriver = CHROMEDRIVER.toFile();
        if (browser.canExecute() && chromedriver.canExecute()) {
            return;
        }
        String reason = "headless Chromium is needed for the console's browser tests: " + (browser.canExecute() ? "" : CHROMIUM + " ")
                + (chromedriver.canExecute() ? "" : CHROMEDRIVER + " ") + "missing (apt-get install chromium chromium-driver; "
                + ".ci/run installs them, SUITESYNC_CHROMIUM / SUITESYNC_CHROMEDRIVER point elsewhere)";
        if ("true".equalsIgnoreCase(System.getenv("CI"))) {
            Assertions.fail(reason);
        }
        System.out.println("SKIPPED: " + reason);
        Assumptions.abort(reason);
    }

    private static String env(String name, String fallback) {
        String value = System.getenv(name);
        return value == null || value.isBlank() ? fallback : value;
    }
}
