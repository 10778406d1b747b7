package dev.sluice.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.sluice.engine.StateBackend;
import dev.sluice.spec.PipelineSpec;
import dev.sluice.spec.SpecParser;
import dev.sluice.storage.QueryScope;
import dev.sluice.storage.QueryService;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import java.util.TreeMap;
import java.util.stream.Stream;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A pipeline on the RocksDB state backend: incremental checkpoints on disk, and its state survives a restart. */
class RocksDbStateIT {
    private static final String PIPELINE = """
            name: rocks
            sources:
              - name: events
                topic: events
                partitions: 2
                schema: {id: STRING, k: STRING, ts: TIMESTAMP(3)}
                event-time: {column: ts}
            views:
              - name: counts
                sql: SELECT k, COUNT(*) AS n, COUNT(DISTINCT id) AS ids FROM events GROUP BY k
            sinks:
              - view: counts
                primary-key: [k]
            """;

    @TempDir
    Path dir;

    @Test
    void keepsStateInRocksDbAcrossARestart() throws Exception {
        PipelineSpec spec = new SpecParser().parse(Files.writeString(dir.resolve("rocks.yaml"), PIPELINE));
        ServerSettings settings = new ServerSettings(dir.resolve("data"), Optional.empty(), 0, new Properties(), "localhost", 0, 1,
                Duration.ofMillis(500)).withStateBackend(StateBackend.ROCKSDB);
        Map<String, Long> expected = new TreeMap<>();
        try (SluiceServer server = SluiceServer.start(spec, settings)) {
            send(server, 0, 300, expected);
            await().atMost(Duration.ofSeconds(60)).untilAsserted(() -> assertThat(counts(server)).isEqualTo(expected));
            Path rocksDir = settings.pipelineStateDir("rocks").resolve("rocksdb");
            assertThat(rocksDir).isDirectory();
            // Incremental checkpoints keep the RocksDB files they share in the checkpoint directory's "shared" folder.
            await().atMost(Duration.ofSeconds(30)).until(() -> hasFiles(settings.pipelineStateDir("rocks").resolve("checkpoints")));
        }
        try (SluiceServer server = SluiceServer.start(spec, settings)) {
            send(server, 300, 300, expected);
            await().atMost(Duration.ofSeconds(60)).untilAsserted(() -> assertThat(counts(server)).isEqualTo(expected));
        }
    }

    private static boolean hasFiles(Path checkpoints) throws Exception {
        try (Stream<Path> files = Files.walk(checkpoints)) {
            return files.anyMatch(p -> p.getParent() != null && p.getParent().getFileName().toString().equals("shared") && Files.isRegularFile(p));
        }
    }

    private static void send(SluiceServer server, int first, int n, Map<String, Long> expected) throws Exception {
        Properties p = new Properties();
        p.setProperty(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, server.bootstrapServers());
        p.setProperty(ProducerConfig.ACKS_CONFIG, "all");
        try (KafkaProducer<String, String> producer = new KafkaProducer<>(p, new StringSerializer(), new StringSerializer())) {
            for (int i = first; i < first + n; i++) {
                String k = "k" + (i % 11);
                producer.send(new ProducerRecord<>("events", k, "{\"id\":\"e" + i + "\",\"k\":\"" + k + "\",\"ts\":\""
                        + Instant.parse("2026-01-01T00:00:00Z").plusMillis(i) + "\"}")).get();
                expected.merge(k, 1L, Long::sum);
            }
        }
    }

    private static Map<String, Long> counts(SluiceServer server) {
        Map<String, Long> counts = new TreeMap<>();
        for (List<Object> row : new QueryService(server.store()).query("SELECT k, n, ids FROM counts", 100, QueryScope.pipeline("rocks")).rows()) {
            assertThat(row.get(2)).isEqualTo(row.get(1));
            counts.put((String) row.get(0), ((Number) row.get(1)).longValue());
        }
        return counts;
    }
}
