package dev.sluice.server;

import static org.assertj.core.api.Assertions.assertThat;

import dev.sluice.alerts.AlertNotification;
import dev.sluice.alerts.AlertStateMachine;
import dev.sluice.alerts.NotificationJson;
import dev.sluice.alerts.RetryPolicy;
import dev.sluice.alerts.RetryingDelivery;
import dev.sluice.broker.BrokerAdmin;
import dev.sluice.broker.EmbeddedKafka;
import dev.sluice.broker.TopicSpec;
import dev.sluice.server.web.HeadlessChromium;
import dev.sluice.spec.PipelineSpec;
import dev.sluice.spec.SpecParser;
import dev.sluice.storage.DuckDbStore;
import dev.sluice.storage.QueryService;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The alerts page in headless Chromium against the real notifier: notifications written to the alerts topic (as the
 * Flink job writes them) appear in the open page without a reload, a resolution moves the alert out of "Firing", and a
 * silence set through the form is listed.
 */
class AlertsBrowserIT {
    /** A shop pipeline with one alert, shared with {@link AlertDeploymentIT}. */
    static final String PIPELINE = """
            name: shop
            sources:
              - name: orders
                schema: {order_id: STRING, ts: TIMESTAMP(3)}
                event-time: {column: ts}
            views: [{name: all_orders, sql: SELECT order_id FROM orders}]
            alerts:
              - name: big_order
                sql: SELECT order_id, ts FROM orders
                key: [order_id]
                time: ts
                message: "order {order_id} is big"
            """;

    @TempDir
    Path dir;

    @Test
    void notificationsAppearLiveAndResolveWithoutConsoleErrors() throws Exception {
        PipelineSpec spec = new SpecParser().parse(PIPELINE, dir.resolve("shop.yaml"));
        PipelineStatus shop = new PipelineStatus("shop", "", "RUNNING", null, 1, "RUNNING", "RUNNING", 0, 0, 0, 0, 0, 0, 0, 0,
                List.of(), List.of("all_orders"), List.of(), List.of(), null, List.of(), List.of(), PipelineStatus.Resources.NONE);
        ServerSettings settings = new ServerSettings(dir, Optional.empty(), 0, new Properties(), "localhost", 0, 1, Duration.ofSeconds(1));
        try (EmbeddedKafka kafka = EmbeddedKafka.start(dir.resolve("kafka"), 0);
             BrokerAdmin admin = new BrokerAdmin(kafka.bootstrapServers(), new Properties());
             DuckDbStore store = DuckDbStore.open(dir.resolve("sluice.duckdb"))) {
            admin.ensureTopics(List.of(TopicSpec.of(spec.alertsTopic(), 1)));
            try (AlertDelivery delivery = new AlertDelivery(spec, kafka.bootstrapServers(), Map.of(), store, Map.of(), Map.of(),
                    RetryingDelivery.of(RetryPolicy.defaults()), Clock.systemUTC(), null)) {
                delivery.start();
                StatusSource status = new StatusSource() {
                    @Override
                    public Map<String, SluiceServer.Health> health() {
                        return Map.of();
                    }

                    @Override
                    public List<PipelineStatus> pipelines() {
                        return List.of(shop);
                    }

                    @Override
                    public Optional<AlertDelivery> alerts(String pipeline) {
                        return pipeline.equals("shop") ? Optional.of(delivery) : Optional.empty();
                    }
                };
                try (ApiServer api = ApiServer.start(status, new QueryService(store), settings);
                     HeadlessChromium browser = HeadlessChromium.start(dir.resolve("chromium"))) {
                    browser.open("http://localhost:" + api.port() + "/alerts.html?pipeline=shop");
                    browser.waitUntil(Duration.ofSeconds(15), "the live badge", () -> browser.script(
                            "return document.getElementById('live').textContent === 'live' || null"));
                    browser.waitUntil(Duration.ofSeconds(15), "the first rendering", () -> browser.script(
                            "return document.getElementById('counts').textContent || null"));
                    assertThat(browser.script("return document.getElementById('firing-empty').hidden")).isEqualTo(false);

                    send(kafka, notification("o-42", AlertNotification.FIRING, 60_000, "order o-42 is big"));
                    browser.waitUntil(Duration.ofSeconds(15), "the firing alert", () -> browser.script(
                            "return document.querySelector('#firing tbody tr')?.textContent"));
                    assertThat((String) browser.script("return document.querySelector('#firing tbody tr').textContent"))
                            .contains("1970-01-01 00:01:00", "big_order", "order_id=o-42", "critical", "order o-42 is big");

                    send(kafka, notification("o-42", AlertNotification.RESOLVED, 120_000, "resolved: order o-42 is big"));
                    browser.waitUntil(Duration.ofSeconds(15), "the resolution", () -> browser.script(
                            "return document.querySelectorAll('#history tbody tr').length === 2 || null"));
                    assertThat(browser.script("return document.querySelectorAll('#firing tbody tr').length")).isEqualTo(0L);
                    assertThat((String) browser.script("return document.querySelector('#resolved tbody tr').textContent"))
                            .contains("1970-01-01 00:02:00", "resolved: order o-42 is big");
                    assertThat((String) browser.script("return document.querySelector('#history tbody tr').textContent"))
                            .contains("resolved", "dashboard only");

                    browser.script("document.getElementById('silence-key').value = 'order_id=o-4*';"
                            + " document.querySelector('#silence-form button').click();");
                    browser.waitUntil(Duration.ofSeconds(15), "the silence", () -> browser.script(
                            "return document.querySelector('#silences tbody tr')?.textContent"));
                    assertThat((String) browser.script("return document.querySelector('#silences tbody tr').textContent"))
                            .contains("*", "order_id=o-4*");
                    assertThat(browser.script("return document.querySelector('nav a[aria-current=page]').textContent"))
                            .isEqualTo("Alerts");
                    assertThat(browser.consoleErrors()).isEmpty();
                }
            }
        }
    }

    private static AlertNotification notification(String order, String state, long eventTime, String message) {
        String key = "order_id=" + order;
        return new AlertNotification(AlertStateMachine.notificationId("shop", "big_order", key, 60_000, state), "shop", "big_order",
                Map.of("order_id", order), key, "critical", state, message, eventTime, 60_000, System.currentTimeMillis(),
                Map.of("order_id", order), List.of());
    }

    private static void send(EmbeddedKafka kafka, AlertNotification n) throws Exception {
        Properties p = new Properties();
        p.setProperty("bootstrap.servers", kafka.bootstrapServers());
        try (KafkaProducer<byte[], byte[]> producer = new KafkaProducer<>(p, new ByteArraySerializer(), new ByteArraySerializer())) {
            producer.send(new ProducerRecord<>("sluice.shop.alerts", NotificationJson.toBytes(n))).get();
        }
    }
}
