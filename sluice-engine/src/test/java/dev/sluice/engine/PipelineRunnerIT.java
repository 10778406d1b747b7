package dev.sluice.engine;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.sluice.broker.BrokerAdmin;
import dev.sluice.broker.EmbeddedKafka;
import dev.sluice.spec.ColumnSpec;
import dev.sluice.spec.Location;
import dev.sluice.spec.PipelineSpec;
import dev.sluice.spec.SinkSpec;
import dev.sluice.spec.SourceSpec;
import dev.sluice.spec.ViewSpec;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class PipelineRunnerIT {
    @TempDir
    Path dir;

    static final Location AT = new Location(Path.of("p.yaml"), 1, 1);

    static PipelineSpec spec() {
        SourceSpec source = new SourceSpec("payments", "payments", 1, SourceSpec.Format.JSON, List.of(
                new ColumnSpec("payment_id", "STRING", AT),
                new ColumnSpec("merchant_id", "STRING", AT),
                new ColumnSpec("amount", "DECIMAL(12, 2)", AT),
                new ColumnSpec("ts", "TIMESTAMP(3)", AT)),
                new SourceSpec.EventTime("ts", Duration.ofSeconds(2)), SourceSpec.ErrorPolicy.DEAD_LETTER, AT);
        ViewSpec view = new ViewSpec("revenue", """
                SELECT window_start, window_end, merchant_id, COUNT(*) AS payments, SUM(amount) AS revenue
                FROM TABLE(TUMBLE(TABLE payments, DESCRIPTOR(ts), INTERVAL '10' SECOND))
                GROUP BY window_start, window_end, merchant_id""", AT, AT, true);
        SinkSpec sink = new SinkSpec("revenue", "revenue", SinkSpec.Mode.UPSERT, List.of("merchant_id", "window_start"), AT);
        return new PipelineSpec("smoke", "", Path.of("p.yaml"), List.of(source), List.of(), List.of(view), List.of(sink), List.of());
    }

    @Test
    void windowsPaymentsIntoTheResultTopic() throws Exception {
        try (EmbeddedKafka kafka = EmbeddedKafka.start(dir.resolve("kafka"), 0);
                BrokerAdmin admin = new BrokerAdmin(kafka.bootstrapServers(), new Properties())) {
            CompiledPipeline compiled = PipelineCompiler.compile(spec(),
                    EngineConfig.local(kafka.bootstrapServers(), dir.resolve("state")).withCheckpointInterval(Duration.ofMillis(500)));
            admin.ensureTopics(compiled.topics());
            try (KafkaProducer<String, String> producer = producer(kafka.bootstrapServers())) {
                producer.send(new ProducerRecord<>("payments", "{\"payment_id\":\"p1\",\"merchant_id\":\"m1\",\"amount\":10.50,\"ts\":\"2026-01-01T00:00:01Z\"}"));
                producer.send(new ProducerRecord<>("payments", "{\"payment_id\":\"p2\",\"merchant_id\":\"m1\",\"amount\":\"2.25\",\"ts\":\"2026-01-01T00:00:03Z\"}"));
                producer.send(new ProducerRecord<>("payments", "not json"));
                producer.send(new ProducerRecord<>("payments", "{\"payment_id\":\"p3\",\"merchant_id\":\"m2\",\"amount\":1,\"ts\":\"2026-01-01T00:00:30Z\"}"));
            }
            try (PipelineRunner runner = PipelineRunner.start(compiled)) {
                List<String> results = new ArrayList<>();
                List<String> dead = new ArrayList<>();
                try (KafkaConsumer<byte[], byte[]> consumer = consumer(kafka.bootstrapServers())) {
                    consumer.subscribe(List.of("sluice.smoke.revenue", "sluice.smoke.payments.dlq"));
                    await().atMost(Duration.ofSeconds(90)).until(() -> {
                        for (ConsumerRecord<byte[], byte[]> r : consumer.poll(Duration.ofMillis(200))) {
                            (r.topic().endsWith(".dlq") ? dead : results).add(new String(r.value(), StandardCharsets.UTF_8));
                        }
                        return !results.isEmpty() && !dead.isEmpty();
                    });
                }
                assertThat(results).containsExactly(
                        "{\"window_start\":\"2026-01-01T00:00:00\",\"window_end\":\"2026-01-01T00:00:10\",\"merchant_id\":\"m1\",\"payments\":2,\"revenue\":12.75}");
                assertThat(dead).singleElement().asString().contains("\"reason\":\"invalid JSON");
                assertThat(runner.status().name()).isEqualTo("RUNNING");
            }
            assertThat(compiled.state().latestRestorePoint()).isPresent();
        }
    }

    static KafkaProducer<String, String> producer(String bootstrap) {
        Properties p = new Properties();
        p.setProperty("bootstrap.servers", bootstrap);
        p.setProperty("acks", "all");
        return new KafkaProducer<>(p, new StringSerializer(), new StringSerializer());
    }

    static KafkaConsumer<byte[], byte[]> consumer(String bootstrap) {
        Properties p = new Properties();
        p.setProperty("bootstrap.servers", bootstrap);
        p.setProperty("group.id", "test");
        p.setProperty("auto.offset.reset", "earliest");
        p.setProperty("isolation.level", "read_committed");
        return new KafkaConsumer<>(p, new ByteArrayDeserializer(), new ByteArrayDeserializer());
    }

}
