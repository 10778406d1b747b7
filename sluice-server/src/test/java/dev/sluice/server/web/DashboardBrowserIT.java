package dev.sluice.server.web;

import static org.assertj.core.api.Assertions.assertThat;

import dev.sluice.ingest.GeneratorRunner;
import dev.sluice.ingest.PaymentsGenerator;
import dev.sluice.server.ServerSettings;
import dev.sluice.server.SluiceServer;
import dev.sluice.spec.PipelineSpec;
import dev.sluice.spec.SpecParser;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.Optional;
import java.util.Properties;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The payments demo's dashboard in headless Chromium, against the whole stack (embedded Kafka, the Flink job, the
 * loader, DuckDB, the server) fed by the payments generator: the page loads without console errors, its charts hold
 * data, and a payment produced during the test shows up without a reload.
 */
class DashboardBrowserIT {
    private static final Path PAYMENTS = Path.of("..", "examples", "payments", "pipeline.yaml");

    @TempDir
    Path dir;

    @Test
    void thePaymentsDashboardShowsLiveDataAndANewPaymentWithoutAReload() throws Exception {
        PipelineSpec spec = new SpecParser().parse(PAYMENTS);
        ServerSettings settings = new ServerSettings(dir.resolve("data"), Optional.empty(), 0, new Properties(), "localhost", 0, 1,
                Duration.ofMillis(500));
        try (SluiceServer server = SluiceServer.start(spec, settings);
             GeneratorRunner generator = GeneratorRunner.start(server.bootstrapServers(), new Properties(), "payments", 300,
                     new PaymentsGenerator(42, Clock.systemUTC(), 0.0));
             HeadlessChromium browser = HeadlessChromium.start(dir.resolve("chromium"))) {
            browser.open("http://localhost:" + server.httpPort() + "/dashboard.html?pipeline=payments&dashboard=payments");

            browser.waitUntil(Duration.ofSeconds(20), "the eight panels", () -> browser.script(
                    "return document.querySelectorAll('section.panel').length === 8"));
            assertThat(browser.script("return document.querySelector('h1').textContent")).isEqualTo("Card payments, live");
            // The first 10-second windows close about 15 s after the first payments (5 s out-of-orderness).
            browser.waitUntil(Duration.ofSeconds(75), "points in the payments-per-second chart", () -> browser.script(
                    CHART_POINTS + "return points('p2') > 0"));
            browser.waitUntil(Duration.ofSeconds(20), "lines in the revenue-per-category chart", () -> browser.script(
                    CHART_POINTS + "return points('p3') > 0"));
            // The first window may hold few payments; more categories arrive with the next windows, pushed to the page.
            browser.waitUntil(Duration.ofSeconds(30), "a line per merchant category", () -> browser.script(
                    CHART_POINTS + "return lines('p3') > 1"));
            assertThat((String) browser.script("return document.querySelector('[data-panel=p0] .stat-value').textContent")).endsWith("/s");
            assertThat(((Number) browser.script("return document.querySelectorAll('[data-panel=p4] li .value').length")).intValue())
                    .isPositive();

            // A payment produced now shows up in the large-payments table of the same page: no reload, no polling.
            browser.script("window.sameDocument = 'yes'");
            long updatesBefore = ((Number) browser.script("return Number(document.querySelector('[data-panel=p5]').dataset.updates)")).longValue();
            try (KafkaProducer<String, String> producer = producer(server.bootstrapServers())) {
                producer.send(new ProducerRecord<>("payments", "big-1", "{\"payment_id\":\"big-1\",\"card_id\":\"c-browser\","
                        + "\"merchant_id\":\"m-0002\",\"amount\":9876.54,\"currency\":\"EUR\",\"country\":\"DE\",\"ts\":\""
                        + Instant.now().truncatedTo(ChronoUnit.MILLIS) + "\"}")).get();
            }
            browser.waitUntil(Duration.ofSeconds(30), "the new large payment in its table", () -> browser.script(
                    "return document.querySelector('[data-panel=p5] tbody').textContent.includes('9,876.54')"));
            assertThat(browser.script("return window.sameDocument")).isEqualTo("yes");
            assertThat((String) browser.script("return [...document.querySelectorAll('[data-panel=p5] tbody tr')]"
                    + ".map(r => [...r.cells].map(c => c.textContent).join('|')).find(r => r.includes('9,876.54'))"))
                    .matches("(\\d{4}-\\d\\d-\\d\\d )?\\d\\d:\\d\\d:\\d\\d\\|Frischmarkt Becker\\|grocery\\|9,876.54\\|EUR\\|9,876.54");
            assertThat(((Number) browser.script("return Number(document.querySelector('[data-panel=p5]').dataset.updates)")).longValue())
                    .isGreaterThan(updatesBefore);
            assertThat(browser.script("return document.getElementById('connection').textContent")).isEqualTo("live");
            assertThat(browser.consoleErrors()).isEmpty();
            browser.screenshot(Path.of("target", "dashboard-browser-it.png"));
        }
    }

    /** Defines points(panel) and lines(panel): the data points and series of a panel's ECharts instance. */
    private static final String CHART_POINTS = """
            window.points = (id) => {
              const el = document.querySelector('[data-panel=' + id + '] .chart');
              const chart = el && window.sluice.echarts.getInstanceByDom(el);
              if (!chart) { return 0; }
              return (chart.getOption().series || []).reduce((n, s) => n + (s.data ? s.data.length : 0), 0);
            };
            window.lines = (id) => {
              const chart = window.sluice.echarts.getInstanceByDom(document.querySelector('[data-panel=' + id + '] .chart'));
              return chart ? (chart.getOption().series || []).length : 0;
            };
            """;

    private static KafkaProducer<String, String> producer(String bootstrap) {
        Properties p = new Properties();
        p.setProperty(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        p.setProperty(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, StringSerializer.class.getName());
        p.setProperty(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, StringSerializer.class.getName());
        return new KafkaProducer<>(p);
    }
}
