package dev.sluice.server.web;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.sluice.server.ServerSettings;
import dev.sluice.server.SluiceServer;
import dev.sluice.spec.SpecParser;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.time.LocalDateTime;
import java.util.List;
import java.util.Optional;
import java.util.Properties;
import java.util.UUID;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The system pages in headless Chromium against the whole stack: the Streams page taps a topic and shows a record
 * produced while it is open (and filters and pauses), the tap's Kafka consumer goes away with the page, the Pipeline
 * page draws its graph and lag table from the live status, and the Dead letters page lists a malformed record with its
 * reason. No page logs a console error. Screenshots go to {@code target/screenshots/}.
 */
class StreamTapBrowserIT {
    private static final HttpClient HTTP = HttpClient.newHttpClient();
    private static final Path SCREENSHOTS = Path.of("target", "screenshots");
    private static final String PIPELINE = """
            name: shop
            description: Clicks of a web shop
            sources:
              - name: clicks
                topic: shop-clicks
                partitions: 2
                schema: {id: STRING, user_id: STRING, n: BIGINT, ts: TIMESTAMP(3)}
                event-time: {column: ts, max-out-of-orderness: 5s}
            views:
              - name: big
                sql: SELECT id, user_id, n FROM clicks WHERE n >= 10
              - name: per_user
                sql: SELECT user_id, COUNT(*) AS clicks FROM big GROUP BY user_id
            sinks:
              - view: big
                primary-key: [id]
              - view: per_user
                mode: upsert
                primary-key: [user_id]
            """;

    @TempDir
    Path dir;

    @Test
    void streamTapShowsARecordProducedWhileOpenAndPipelinePageDrawsItsGraph() throws Exception {
        ServerSettings settings = new ServerSettings(dir.resolve("data"), Optional.empty(), 0, new Properties(), "localhost", 0, 1,
                Duration.ofMillis(500));
        try (SluiceServer server = SluiceServer.start(new SpecParser().parse(PIPELINE, dir.resolve("shop.yaml")), settings);
             HeadlessChromium browser = HeadlessChromium.start(dir.resolve("chromium"));
             KafkaProducer<String, String> producer = producer(server.bootstrapServers())) {
            String base = "http://localhost:" + server.httpPort();
            for (int i = 0; i < 40; i++) {
                producer.send(new ProducerRecord<>("shop-clicks", i % 2, "u" + (i % 5), click("warmup-" + i, i))).get();
            }
            producer.send(new ProducerRecord<>("shop-clicks", 0, "bad", "{\"id\": broken")).get();

            // Only the pipeline's own topics can be tapped.
            HttpResponse<String> foreign = HTTP.send(HttpRequest.newBuilder(URI.create(base + "/api/v1/pipelines/shop/streams/other-topic/tap"))
                    .header("Accept", "text/event-stream").GET().build(), HttpResponse.BodyHandlers.ofString());
            assertThat(foreign.statusCode()).isEqualTo(404);
            assertThat(foreign.body()).contains("topic 'other-topic' does not belong to pipeline 'shop'", "shop-clicks");

            browser.open(base + "/streams.html?pipeline=shop&topic=shop-clicks");
            browser.waitUntil(Duration.ofSeconds(30), "the tap to be ready", () -> browser.script(
                    "return document.getElementById('live').textContent === 'tapping shop-clicks'"));
            assertThat(browser.script("return [...document.querySelectorAll('#topic option')].map(o => o.value)"))
                    .isEqualTo(List.of("shop-clicks", "sluice.shop.clicks.dlq", "sluice.shop.clicks.late", "sluice.shop.big", "sluice.shop.per_user"));
            String marker = "tapped-" + UUID.randomUUID();
            producer.send(new ProducerRecord<>("shop-clicks", 1, "u-tap", click(marker, 100))).get();
            browser.waitUntil(Duration.ofSeconds(20), "the produced record in the table", () -> browser.script(
                    "return document.getElementById('records').textContent.includes(arguments[0])", marker));
            // Only records from the end of the topic: the warm-up records were produced before the tap opened.
            assertThat((String) browser.script("return document.getElementById('records').textContent")).doesNotContain("warmup-");
            assertThat(browser.script("return document.querySelectorAll('#records tr').length")).isEqualTo(1L);
            assertThat((String) browser.script("return document.getElementById('note').textContent")).contains("read_uncommitted");
            String second = "second-" + UUID.randomUUID();
            producer.send(new ProducerRecord<>("shop-clicks", 0, "u-other", click(second, 101))).get();
            browser.waitUntil(Duration.ofSeconds(20), "the second record", () -> browser.script(
                    "return document.querySelectorAll('#records tr').length === 2"));
            browser.script("const f = document.getElementById('filter'); f.value = arguments[0]; f.dispatchEvent(new Event('input'));", marker);
            assertThat(browser.script("return document.querySelectorAll('#records tr').length")).isEqualTo(1L);
            browser.screenshot(SCREENSHOTS.resolve("streams.png"));
            browser.script("const f = document.getElementById('filter'); f.value = ''; f.dispatchEvent(new Event('input'));");
            browser.script("document.getElementById('pause').click()");
            producer.send(new ProducerRecord<>("shop-clicks", 0, "u-paused", click("paused-" + UUID.randomUUID(), 102))).get();
            browser.waitUntil(Duration.ofSeconds(20), "the record that arrived while paused to be counted", () -> browser.script(
                    "return document.getElementById('note').textContent.includes('1 record(s) arrived while paused')"));
            assertThat(browser.script("return document.querySelectorAll('#records tr').length")).isEqualTo(2L);
            assertThat(tapThreads()).isEqualTo(1);

            // Leaving the page closes its tap on the server.
            browser.open(base + "/pipeline.html?pipeline=shop");
            await().atMost(Duration.ofSeconds(30)).until(() -> tapThreads() == 0);

            browser.waitUntil(Duration.ofSeconds(30), "the pipeline graph with its nodes", () -> browser.script(
                    "const c = window.echarts && echarts.getInstanceByDom(document.getElementById('graph'));"
                            + " return c && c.getOption().series[0].data.length === 7"));
            browser.waitUntil(Duration.ofSeconds(60), "the source's records in the graph and the lag table", () -> browser.script(
                    "return document.querySelectorAll('#lag tr').length === 2 + 2 * 4"
                            + " && document.getElementById('checkpoints').textContent.includes('Events in44')"
                            + " && document.getElementById('checkpoints').textContent.includes('Processed44')"));
            assertThat(browser.script("return echarts.getInstanceByDom(document.getElementById('graph')).getOption().series[0].links.length"))
                    .isEqualTo(6L);
            assertThat(browser.script("return document.getElementById('live').textContent")).isEqualTo("live");
            // The view big has no event-time column, so its rows' Kafka timestamps (and so its newest event time) are the
            // time Flink wrote them: today, not 2026-01-01.
            browser.waitUntil(Duration.ofSeconds(30), "the tables' freshness", () -> browser.script(
                    "const big = [...document.querySelectorAll('#tables tr')].find(r => r.cells[0].textContent === 'big');"
                            + " return big && /^\\d{4}-\\d\\d-\\d\\dT/.test(big.cells[2].textContent) && big.cells[1].textContent === '21'"));
            browser.screenshot(SCREENSHOTS.resolve("pipeline.png"));

            browser.open(base + "/dead-letters.html?pipeline=shop");
            browser.waitUntil(Duration.ofSeconds(30), "the dead letter with its reason", () -> browser.script(
                    "return document.getElementById('rows').textContent.includes('{\"id\": broken')"
                            + " && document.getElementById('reasons').textContent.includes('invalid JSON')"));
            assertThat(browser.script("return echarts.getInstanceByDom(document.getElementById('chart')).getOption().series[0].data"))
                    .isEqualTo(List.of(1L));
            browser.screenshot(SCREENSHOTS.resolve("dead-letters.png"));
            assertThat(browser.consoleErrors()).isEmpty();
        }
    }

    private static long tapThreads() {
        return Thread.getAllStackTraces().keySet().stream().filter(t -> t.isAlive() && t.getName().startsWith("sluice-tap-")).count();
    }

    private static String click(String id, int second) {
        return "{\"id\":\"" + id + "\",\"user_id\":\"u" + (second % 5) + "\",\"n\":" + (second % 23) + ",\"ts\":\""
                + LocalDateTime.of(2026, 1, 1, 0, 0).plusSeconds(second) + "\"}";
    }

    private static KafkaProducer<String, String> producer(String bootstrap) {
        Properties p = new Properties();
        p.setProperty("bootstrap.servers", bootstrap);
        p.setProperty("acks", "all");
        return new KafkaProducer<>(p, new StringSerializer(), new StringSerializer());
    }
}
