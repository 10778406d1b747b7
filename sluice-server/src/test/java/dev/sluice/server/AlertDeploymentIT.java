package dev.sluice.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.sluice.alerts.AlertNotification;
import dev.sluice.alerts.AlertStateMachine;
import dev.sluice.alerts.NotificationJson;
import dev.sluice.alerts.RetryPolicy;
import dev.sluice.alerts.RetryingDelivery;
import dev.sluice.broker.BrokerAdmin;
import dev.sluice.broker.EmbeddedKafka;
import dev.sluice.broker.TopicSpec;
import dev.sluice.spec.PipelineSpec;
import dev.sluice.spec.SpecParser;
import dev.sluice.storage.Deployment;
import dev.sluice.storage.DuckDbStore;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The notifier delivers only the notifications its own deployment wrote: an earlier run of the pipeline whose state is
 * gone may have left notifications in the alerts topic, and they are skipped, not sent again.
 */
class AlertDeploymentIT {
    @TempDir
    Path dir;

    @Test
    void notificationsOfAnotherDeploymentAreSkipped() throws Exception {
        PipelineSpec spec = new SpecParser().parse(AlertsBrowserIT.PIPELINE, dir.resolve("shop.yaml"));
        Deployment ours = Deployment.create(false);
        try (EmbeddedKafka kafka = EmbeddedKafka.start(dir.resolve("kafka"), 0);
             BrokerAdmin admin = new BrokerAdmin(kafka.bootstrapServers(), new Properties());
             DuckDbStore store = DuckDbStore.open(dir.resolve("sluice.duckdb"))) {
            admin.ensureTopics(List.of(TopicSpec.of(spec.alertsTopic(), 1)));
            Properties p = new Properties();
            p.setProperty("bootstrap.servers", kafka.bootstrapServers());
            try (KafkaProducer<byte[], byte[]> producer = new KafkaProducer<>(p, new ByteArraySerializer(), new ByteArraySerializer())) {
                send(producer, spec, notification("o-1"), Deployment.create(false).id());
                send(producer, spec, notification("o-2"), null);
                send(producer, spec, notification("o-3"), ours.id());
            }
            try (AlertDelivery delivery = new AlertDelivery(spec, kafka.bootstrapServers(), Map.of(), store, Map.of(), Map.of(),
                    RetryingDelivery.of(RetryPolicy.defaults()), Clock.systemUTC(), ours)) {
                delivery.start();
                // One partition, read in order: once o-3 is recorded, o-1 and o-2 have been handled.
                await().atMost(Duration.ofMinutes(1)).until(() -> !delivery.overview(10).get("history").toString().equals("[]"));
                List<?> history = (List<?>) delivery.overview(10).get("history");
                assertThat(history).hasSize(1);
                assertThat(history.get(0).toString()).contains("o-3").doesNotContain("o-1", "o-2");
                assertThat(delivery.foreignSkipped()).isEqualTo(2);
            }
        }
    }

    private static AlertNotification notification(String order) {
        String key = "order_id=" + order;
        return new AlertNotification(AlertStateMachine.notificationId("shop", "big_order", key, 60_000, AlertNotification.FIRING),
                "shop", "big_order", Map.of("order_id", order), key, "critical", AlertNotification.FIRING, "order " + order + " is big",
                60_000, 60_000, System.currentTimeMillis(), Map.of("order_id", order), List.of());
    }

    private static void send(KafkaProducer<byte[], byte[]> producer, PipelineSpec spec, AlertNotification n, String deployment)
            throws Exception {
        ProducerRecord<byte[], byte[]> record = new ProducerRecord<>(spec.alertsTopic(), NotificationJson.toBytes(n));
        if (deployment != null) {
            record.headers().add(Deployment.HEADER, deployment.getBytes(StandardCharsets.UTF_8));
        }
        producer.send(record).get();
    }
}
