package dev.sluice.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.sluice.engine.StateFileSystems;
import dev.sluice.spec.PipelineSpec;
import dev.sluice.spec.SpecParser;
import dev.sluice.storage.QueryScope;
import dev.sluice.storage.QueryService;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import java.util.TreeMap;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Checkpoints and savepoints on S3: a real S3-compatible server (s3proxy, in its own JVM, with signed requests) and
 * Flink's S3 file system loaded from a Flink plugins directory, as a user's setup has them. The pipeline's state lives
 * only in the bucket; a stop takes a savepoint there, the next start finds it there and resumes from it, and the
 * results stay exact. (The error for a scheme without a plugin is checked in StateFileSystemsTest.)
 */
class ObjectStoreStateIT {
    private static final String COUNTS = """
            name: objects
            sources:
              - name: events
                topic: events
                partitions: 2
                schema: {id: STRING, k: STRING, v: BIGINT, ts: TIMESTAMP(3)}
                event-time: {column: ts}
            views:
              - name: totals
                sql: SELECT k, COUNT(*) AS n, SUM(v) AS s FROM events GROUP BY k
            sinks:
              - view: totals
                primary-key: [k]
            """;

    @TempDir
    Path dir;

    @AfterEach
    void forgetTheS3FileSystem() {
        // Flink's file systems are JVM-wide; the next test in this JVM starts without S3.
        StateFileSystems.configure(Map.of(), Optional.empty());
    }

    @Test
    void keepsCheckpointsAndSavepointsInAnS3BucketAndResumesFromThere() throws Exception {
        try (S3ProxyServer s3 = S3ProxyServer.start(dir.resolve("s3"), "sluice")) {
            StateFileSystems.configure(s3.flinkOptions(), Optional.of(S3ProxyServer.FLINK_PLUGINS));
            ServerSettings settings = new ServerSettings(dir.resolve("data"), Optional.empty(), 0, new Properties(), "localhost", 0, 2,
                    Duration.ofMillis(500)).withCheckpointDir(Optional.of(URI.create("s3://sluice/state")));
            Map<String, long[]> expected = new TreeMap<>();

            try (SluiceServer server = SluiceServer.start(List.of(spec()), settings)) {
                send(server.bootstrapServers(), 0, 300, expected);
                // Results become visible with the checkpoints, which are written to the bucket.
                await().atMost(Duration.ofSeconds(90)).untilAsserted(() -> assertThat(server.status("objects").checkpoints().completed())
                        .as("completed checkpoints; %s", server.status("objects")).isPositive());
                await().atMost(Duration.ofSeconds(60)).untilAsserted(() -> assertThat(totals(server)).isEqualTo(text(expected)));
                assertThat(s3.keys("sluice", "state/objects/checkpoints/")).as("retained checkpoints in the bucket")
                        .anyMatch(k -> k.matches("state/objects/checkpoints/[0-9a-f]{32}/chk-\\d+/_metadata"));
                send(server.bootstrapServers(), 300, 50, expected);
            }
            // Nothing of the state is on the local disk: only in the bucket.
            assertThat(settings.pipelineStateDir("objects").resolve("checkpoints")).doesNotExist();
            assertThat(settings.pipelineStateDir("objects").resolve("savepoints")).doesNotExist();
            List<String> savepoints = s3.keys("sluice", "state/objects/savepoints/").stream()
                    .filter(k -> k.endsWith("/_metadata")).toList();
            assertThat(savepoints).as("the savepoint of the stop").hasSize(1);
            assertThat(s3.keys("sluice", "state/objects/deployment.properties")).hasSize(1);
            String savepoint = "s3://sluice/" + savepoints.get(0).substring(0, savepoints.get(0).length() - "/_metadata".length());

            try (SluiceServer server = SluiceServer.start(List.of(spec()), settings)) {
                assertThat(server.pipeline("objects").restoredFrom()).contains(URI.create(savepoint));
                send(server.bootstrapServers(), 350, 150, expected);
                await().atMost(Duration.ofSeconds(60)).untilAsserted(() -> assertThat(totals(server)).isEqualTo(text(expected)));
            }
            assertThat(expected.values().stream().mapToLong(c -> c[0]).sum()).isEqualTo(500);
            assertThat(s3.exitCode()).as("s3proxy still runs").isEmpty();
        }
    }

    private PipelineSpec spec() throws Exception {
        return new SpecParser().parse(Files.writeString(dir.resolve("objects.yaml"), COUNTS));
    }

    private static void send(String bootstrap, int first, int n, Map<String, long[]> expected) throws Exception {
        Properties p = new Properties();
        p.setProperty(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        p.setProperty(ProducerConfig.ACKS_CONFIG, "all");
        try (KafkaProducer<String, String> producer = new KafkaProducer<>(p, new StringSerializer(), new StringSerializer())) {
            for (int i = first; i < first + n; i++) {
                String k = "k" + (i % 7);
                long v = i * 3L + 1;
                producer.send(new ProducerRecord<>("events", k, "{\"id\":\"e" + i + "\",\"k\":\"" + k + "\",\"v\":" + v
                        + ",\"ts\":\"" + Instant.parse("2026-01-01T00:00:00Z").plusMillis(i) + "\"}"));
                long[] c = expected.computeIfAbsent(k, x -> new long[2]);
                c[0]++;
                c[1] += v;
            }
            producer.flush();
        }
    }

    private static Map<String, String> text(Map<String, long[]> expected) {
        Map<String, String> out = new TreeMap<>();
        expected.forEach((k, c) -> out.put(k, c[0] + "/" + c[1]));
        return out;
    }

    private static Map<String, String> totals(SluiceServer server) {
        Map<String, String> totals = new TreeMap<>();
        for (List<Object> row : new QueryService(server.store()).query("SELECT k, n, s FROM totals", 100,
                QueryScope.pipeline("objects")).rows()) {
            totals.put((String) row.get(0), ((Number) row.get(1)).longValue() + "/" + ((Number) row.get(2)).longValue());
        }
        return totals;
    }
}
