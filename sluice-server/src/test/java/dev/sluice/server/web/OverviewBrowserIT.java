package dev.sluice.server.web;

import static org.assertj.core.api.Assertions.assertThat;

import dev.sluice.server.ApiKeys;
import dev.sluice.server.ApiServer;
import dev.sluice.server.PipelineStatus;
import dev.sluice.server.ServerResources;
import dev.sluice.server.ServerSettings;
import dev.sluice.server.SluiceServer;
import dev.sluice.server.StatusSource;
import dev.sluice.storage.DuckDbStore;
import dev.sluice.storage.QueryService;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The overview page and the login form in headless Chromium, against the API with a fixed pipeline status. */
class OverviewBrowserIT {
    private static final String KEY = "9b8a7c6d5e4f30211a2b3c4d5e6f7a8b";

    @TempDir
    Path dir;

    private static final PipelineStatus PAYMENTS = new PipelineStatus("payments", "Card payments", "RUNNING", null, 1, "RUNNING",
            "RUNNING", 1234, 2, 3, 0, 0, 77, 80, 0, List.of(), List.of("valid_payments"), List.of(), List.of(),
            new PipelineStatus.Checkpoints(0, 0, -1, -1, 0), List.of(), List.of(), new PipelineStatus.Resources(0.375, 41.5, 3 * 1024 * 1024));

    private static final StatusSource STATUS = new StatusSource() {
        @Override
        public Map<String, SluiceServer.Health> health() {
            return Map.of();
        }

        @Override
        public List<PipelineStatus> pipelines() {
            return List.of(PAYMENTS);
        }

        @Override
        public Optional<ServerResources> resources() {
            return Optional.of(new ServerResources(1.25, 300, 0.5, 120, 512L << 20, 3L << 30, 900L << 20, 8, 1, 2));
        }
    };

    @Test
    void theOverviewListsThePipelinesAfterLoggingInWithoutConsoleErrors() throws Exception {
        ServerSettings settings = new ServerSettings(dir, Optional.empty(), 0, new Properties(), "localhost", 0, 1, Duration.ofSeconds(1))
                .withApiKeys(ApiKeys.of(KEY));
        try (DuckDbStore store = DuckDbStore.open(dir.resolve("sluice.duckdb"));
             ApiServer api = ApiServer.start(STATUS, new QueryService(store), settings);
             HeadlessChromium browser = HeadlessChromium.start(dir.resolve("chromium"))) {
            String base = "http://localhost:" + api.port();

            browser.open(base + "/");
            browser.waitUntil(Duration.ofSeconds(15), "the login form", () -> browser.script(
                    "return location.pathname === '/login.html' && document.getElementById('login')?.dataset.ready === 'true'"));
            browser.script("document.getElementById('key').value = arguments[0];"
                    + " document.querySelector('form button').click();", KEY);
            browser.waitUntil(Duration.ofSeconds(15), "the payments card", () -> browser.script(
                    "return document.querySelector('[data-pipeline=payments]')?.textContent"));

            String card = (String) browser.script("return document.querySelector('[data-pipeline=payments]').textContent");
            assertThat(card).contains("payments", "RUNNING", "1,234", "Card payments", "CPU0.38 cores", "State3 MB in 1 slot");
            assertThat(browser.script("return document.getElementById('server').textContent")).isEqualTo(
                    "Server: CPU 1.25 cores of 2 (0.50 cores shared: broker, checkpoints, JIT, GC) · heap 512 MB of 3 GB · task slots 1 of 8 in use");
            assertThat(browser.script("return document.querySelector('nav a[aria-current=page]').textContent")).isEqualTo("Overview");
            assertThat(browser.script("return document.cookie")).isEqualTo("");
            // The 401 of the first data request before the login is the only error the console may show.
            assertThat(browser.consoleErrors()).allSatisfy(e -> assertThat(e).contains("401"));
        }
    }
}
