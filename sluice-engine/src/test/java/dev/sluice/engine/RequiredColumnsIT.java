package dev.sluice.engine;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.sluice.broker.BrokerAdmin;
import dev.sluice.broker.EmbeddedKafka;
import dev.sluice.spec.ColumnSpec;
import dev.sluice.spec.Location;
import dev.sluice.spec.PipelineSpec;
import dev.sluice.spec.SinkSpec;
import dev.sluice.spec.SourceSpec;
import dev.sluice.spec.ViewSpec;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A record without a required field (missing or null) is a dead letter in the job, with the reason, instead of a
 * row with a NULL; and with an {@code event-id} column a repeated id passes once.
 */
class RequiredColumnsIT {
    private static final Location AT = new Location(Path.of("p.yaml"), 1, 1);
    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    Path dir;

    static PipelineSpec spec() {
        SourceSpec source = new SourceSpec("payments", "payments", 2, SourceSpec.Format.JSON, List.of(
                new ColumnSpec("payment_id", "STRING", AT),
                new ColumnSpec("merchant", "STRING", AT, true),
                new ColumnSpec("amount", "INT", AT),
                new ColumnSpec("ts", "TIMESTAMP(3)", AT)),
                new SourceSpec.EventTime("ts", Duration.ofSeconds(5)), SourceSpec.ErrorPolicy.DEAD_LETTER, AT,
                new SourceSpec.EventId("payment_id", Duration.ofHours(1)));
        ViewSpec view = new ViewSpec("passed", "SELECT payment_id, merchant, amount FROM payments", AT, AT, false);
        SinkSpec sink = new SinkSpec("passed", "passed", SinkSpec.Mode.APPEND, List.of(), AT);
        return new PipelineSpec("req", "", Path.of("p.yaml"), List.of(source), List.of(), List.of(view), List.of(sink));
    }

    @Test
    void aMissingRequiredFieldIsADeadLetterAndARepeatedEventIdPassesOnce() throws Exception {
        try (EmbeddedKafka kafka = EmbeddedKafka.start(dir.resolve("kafka"), 0);
                BrokerAdmin admin = new BrokerAdmin(kafka.bootstrapServers(), new Properties())) {
            CompiledPipeline compiled = PipelineCompiler.compile(spec(),
                    EngineConfig.local(kafka.bootstrapServers(), dir.resolve("state")).withCheckpointInterval(Duration.ofMillis(500)));
            admin.ensureTopics(compiled.topics());
            try (KafkaProducer<String, String> producer = PipelineRunnerIT.producer(kafka.bootstrapServers())) {
                // The duplicates go to the other partition, as a retry through another connection could.
                producer.send(new ProducerRecord<>("payments", 0, null, "{\"payment_id\":\"p1\",\"merchant\":\"m1\",\"amount\":1,\"ts\":\"2026-01-01T00:00:01Z\"}"));
                producer.send(new ProducerRecord<>("payments", 1, null, "{\"payment_id\":\"p1\",\"merchant\":\"m1\",\"amount\":1,\"ts\":\"2026-01-01T00:00:01Z\"}"));
                producer.send(new ProducerRecord<>("payments", 0, null, "{\"payment_id\":\"p2\",\"amount\":2,\"ts\":\"2026-01-01T00:00:02Z\"}"));
                producer.send(new ProducerRecord<>("payments", 1, null, "{\"payment_id\":\"p3\",\"merchant\":null,\"amount\":3,\"ts\":\"2026-01-01T00:00:02Z\"}"));
                producer.send(new ProducerRecord<>("payments", 0, null, "{\"merchant\":\"m4\",\"amount\":4,\"ts\":\"2026-01-01T00:00:03Z\"}"));
                producer.send(new ProducerRecord<>("payments", 1, null, "{\"payment_id\":\"p5\",\"merchant\":\"m5\",\"ts\":\"2026-01-01T00:00:03Z\"}"));
                producer.send(new ProducerRecord<>("payments", 0, null, "{\"payment_id\":\"p5\",\"merchant\":\"m5\",\"ts\":\"2026-01-01T00:00:04Z\"}"));
            }
            List<String> rows = new ArrayList<>();
            List<String> reasons = new ArrayList<>();
            try (PipelineRunner runner = PipelineRunner.start(compiled);
                    KafkaConsumer<byte[], byte[]> consumer = PipelineRunnerIT.consumer(kafka.bootstrapServers())) {
                consumer.subscribe(List.of("sluice.req.passed", "sluice.req.payments.dlq"));
                await().atMost(Duration.ofSeconds(90)).until(() -> {
                    for (ConsumerRecord<byte[], byte[]> r : consumer.poll(Duration.ofMillis(200))) {
                        JsonNode value = JSON.readTree(r.value());
                        if (r.topic().endsWith(".dlq")) {
                            reasons.add(value.get("reason").asText());
                        } else {
                            rows.add(value.toString());
                        }
                    }
                    return rows.size() >= 2 && reasons.size() >= 3;
                });
                // Two more checkpoints: a duplicate that slipped through would show up now.
                long until = System.nanoTime() + Duration.ofSeconds(2).toNanos();
                while (System.nanoTime() < until) {
                    for (ConsumerRecord<byte[], byte[]> r : consumer.poll(Duration.ofMillis(200))) {
                        (r.topic().endsWith(".dlq") ? reasons : rows).add(new String(r.value(), java.nio.charset.StandardCharsets.UTF_8));
                    }
                }
            }
            assertThat(rows).containsExactlyInAnyOrder(
                    "{\"payment_id\":\"p1\",\"merchant\":\"m1\",\"amount\":1}",
                    "{\"payment_id\":\"p5\",\"merchant\":\"m5\",\"amount\":null}");
            assertThat(reasons).containsExactlyInAnyOrder(
                    "required field 'merchant' is missing; the schema declares it NOT NULL (or it is the event-id column)",
                    "required field 'merchant' is null; the schema declares it NOT NULL (or it is the event-id column)",
                    "required field 'payment_id' is missing; the schema declares it NOT NULL (or it is the event-id column)");
        }
    }
}
