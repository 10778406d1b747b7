package dev.sluice.broker;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.errors.TopicAuthorizationException;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class EmbeddedKafkaIT {
    @TempDir
    Path dir;

    @Test
    void keepsTopicsAndRecordsAcrossRestarts() throws Exception {
        try (EmbeddedKafka kafka = EmbeddedKafka.start(dir, 0);
                BrokerAdmin admin = new BrokerAdmin(kafka.bootstrapServers(), new Properties())) {
            assertThat(admin.isUp(Duration.ofSeconds(10))).isTrue();
            admin.ensureTopics(List.of(TopicSpec.of("events", 3)));
            admin.ensureTopics(List.of(TopicSpec.of("events", 3)));
            send(kafka.bootstrapServers(), "events", 25);
            assertThat(admin.endOffsets(List.of("events"))).isEqualTo(Map.of("events", 25L));
            assertThat(admin.lag("nobody", List.of("events"))).isEqualTo(25L);
            assertThat(admin.transactionMaxTimeout()).contains(Duration.ofMinutes(15));
        }
        try (EmbeddedKafka kafka = EmbeddedKafka.start(dir, 0);
                BrokerAdmin admin = new BrokerAdmin(kafka.bootstrapServers(), new Properties())) {
            assertThat(admin.partitions(List.of("events", "missing"))).isEqualTo(Map.of("events", 3));
            assertThat(admin.endOffsets(List.of("events"))).isEqualTo(Map.of("events", 25L));
        }
    }

    @Test
    void closedInputGateRefusesWritesToInputTopicsOnly() throws Exception {
        try (EmbeddedKafka kafka = EmbeddedKafka.start(dir, 0);
                BrokerAdmin admin = new BrokerAdmin(kafka.bootstrapServers(), new Properties())) {
            admin.ensureTopics(List.of(TopicSpec.of("events", 1), TopicSpec.of("sluice.p.results", 1)));
            kafka.inputGate().close("the data directory has 10 MB free, below the stop level of 20 MB");

            assertThatThrownBy(() -> send(kafka.bootstrapServers(), "events", 1))
                    .hasRootCauseInstanceOf(TopicAuthorizationException.class);
            send(kafka.bootstrapServers(), "sluice.p.results", 3);

            kafka.inputGate().open();
            send(kafka.bootstrapServers(), "events", 2);
            assertThat(admin.endOffsets(List.of("events", "sluice.p.results")))
                    .isEqualTo(Map.of("events", 2L, "sluice.p.results", 3L));
        }
    }

    private static void send(String bootstrap, String topic, int n) throws Exception {
        Properties p = new Properties();
        p.setProperty(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        p.setProperty(ProducerConfig.ACKS_CONFIG, "all");
        try (KafkaProducer<String, String> producer =
                new KafkaProducer<>(p, new StringSerializer(), new StringSerializer())) {
            for (int i = 0; i < n; i++) {
                producer.send(new ProducerRecord<>(topic, "k" + i, "v" + i)).get();
            }
        }
    }
}
