package dev.sluice.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import dev.sluice.engine.StateLocations;
import dev.sluice.broker.EmbeddedKafka;
import dev.sluice.engine.RemoteFlink;
import dev.sluice.server.internal.PipelineGraph;
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

/**
 * A pipeline's job on a real standalone Flink session cluster (a job manager and a task manager in JVMs of their own),
 * with Kafka outside Sluice too: results reach DuckDB exactly, a stop takes a savepoint in the shared state directory,
 * the next start resumes from it without losing or repeating an event, and an upgrade whose state does not fit is
 * refused from the state the cluster wrote.
 */
class RemoteFlinkIT {
    private static final String COUNTS = """
            name: remote
            sources:
              - name: events
                topic: events
                partitions: 2
                schema: {id: STRING, k: STRING, v: BIGINT, ts: TIMESTAMP(3)}
                event-time: {column: ts}
            views:
              - name: totals
                sql: SELECT k, COUNT(*) AS n FROM events GROUP BY k
            sinks:
              - view: totals
                primary-key: [k]
            """;
    private static final String SUMS = COUNTS.replace("COUNT(*) AS n", "SUM(v) AS n");

    @TempDir
    Path dir;

    @Test
    void runsOnAStandaloneClusterAndResumesFromItsSavepoint() throws Exception {
        try (EmbeddedKafka kafka = EmbeddedKafka.start(dir.resolve("kafka"), 0);
                StandaloneFlink flink = StandaloneFlink.start(dir.resolve("flink"), 2)) {
            ServerSettings settings = new ServerSettings(dir.resolve("data"), Optional.of(kafka.bootstrapServers()), 0, new Properties(),
                    "localhost", 0, 2, Duration.ofMillis(500));
            Path shared = dir.resolve("shared");
            RemoteFlink remote = new RemoteFlink(flink.restUrl(), shared.toUri(), flink.jobJars(), Map.of());
            Map<String, Long> counts = new TreeMap<>();

            try (SluiceServer server = SluiceServer.start(List.of(spec(COUNTS)), settings, Optional.of(remote))) {
                send(kafka.bootstrapServers(), 0, 200, counts);
                await().atMost(Duration.ofSeconds(60)).untilAsserted(() -> assertThat(totals(server)).isEqualTo(counts));
                String jobId = server.runner("remote").jobId();
                // The job runs on the cluster, not in this JVM, and its status and checkpoints come from the cluster's REST API.
                assertThat(flink.get("/jobs/" + jobId)).contains("\"name\":\"sluice-remote\"").contains("\"state\":\"RUNNING\"");
                await().atMost(Duration.ofSeconds(30)).until(() -> server.status("remote").checkpoints().completed() > 0);
                PipelineStatus status = server.status("remote");
                assertThat(status.state()).isEqualTo("RUNNING");
                assertThat(status.jobStatus()).isEqualTo("RUNNING");
                assertThat(server.flink().isRemote()).isTrue();
                assertThat(shared.resolve("remote/checkpoints")).isDirectory();
                // Records per operator and the readers' positions come from the cluster's REST API too (its metric fetcher
                // refreshes every 10 s): the source node emitted each of the 200 events once, and the view's sink got rows.
                await().atMost(Duration.ofSeconds(45)).untilAsserted(() -> {
                    PipelineStatus s = server.status("remote");
                    assertThat(node(s, PipelineGraph.sourceId("events")).recordsOut()).isEqualTo(200);
                    assertThat(node(s, PipelineGraph.sinkId("totals")).recordsIn()).isPositive();
                    assertThat(s.operators()).isNotEmpty();
                    assertThat(s.partitionLag().stream().filter(p -> p.consumer().equals("job"))
                            .mapToLong(PipelineStatus.PartitionLag::position).sum()).isEqualTo(200);
                });
            }
            Path savepoint = onlySavepoint(shared.resolve("remote/savepoints"));
            assertThat(savepoint.resolve("_metadata")).isRegularFile();
            assertThat(flink.get("/jobs/overview")).contains("\"state\":\"FINISHED\"").doesNotContain("\"state\":\"RUNNING\"");

            send(kafka.bootstrapServers(), 200, 100, counts); // while no job runs
            try (SluiceServer server = SluiceServer.start(List.of(spec(COUNTS)), settings, Optional.of(remote))) {
                assertThat(server.runner("remote").pipeline().restoredFrom()).contains(StateLocations.normalized(savepoint.toUri()));
                send(kafka.bootstrapServers(), 300, 100, counts);
                await().atMost(Duration.ofSeconds(60)).untilAsserted(() -> assertThat(totals(server)).isEqualTo(counts));
                await().atMost(Duration.ofSeconds(30)).until(() -> server.status("remote").checkpoints().completed() > 0);

                assertThatThrownBy(() -> server.deploy(spec(SUMS)))
                        .isInstanceOf(PipelineConflictException.class)
                        .hasMessageContaining("cannot take over the state of the previous one: "
                                + "GroupAggregate(groupBy=[k], select=[k, COUNT(*) AS n]) became GroupAggregate(groupBy=[k], select=[k, SUM(v) AS n])")
                        .hasMessageContaining("The running version keeps running.");
                assertThat(server.status("remote").state()).isEqualTo("RUNNING");

                // A second Sluice process must not start a second job of the pipeline beside the running one.
                ServerSettings other = new ServerSettings(dir.resolve("other"), Optional.of(kafka.bootstrapServers()), 0,
                        new Properties(), "localhost", 0, 2, Duration.ofMillis(500));
                assertThatThrownBy(() -> SluiceServer.start(List.of(spec(COUNTS)), other, Optional.of(remote)).close())
                        .hasMessageContaining("Job " + server.runner("remote").jobId() + " (sluice-remote) is RUNNING on the Flink cluster")
                        .hasMessageContaining("two jobs of one pipeline would write the same result topics");
                assertThat(flink.get("/jobs/overview").split("\"state\":\"RUNNING\"", -1)).hasSize(2);

                send(kafka.bootstrapServers(), 400, 20, counts);
                await().atMost(Duration.ofSeconds(60)).untilAsserted(() -> assertThat(totals(server)).isEqualTo(counts));
            }
            assertThat(counts.values().stream().mapToLong(Long::longValue).sum()).isEqualTo(420);
        }
    }

    @Test
    void refusesARemoteClusterWithoutAnExternalKafka() {
        ServerSettings settings = new ServerSettings(dir.resolve("data"), Optional.empty(), 0, new Properties(), "localhost", 0, 1,
                Duration.ofMillis(500));
        Path jar = dir.resolve("job.jar");
        RemoteFlink remote = RemoteFlink.of("http://localhost:1", dir.toUri().toString(), List.of(touch(jar)), Map.of(), dir);
        assertThatThrownBy(() -> SluiceServer.start(List.of(), settings, Optional.of(remote)))
                .hasMessageContaining("needs an existing Kafka cluster that its task managers reach: give --kafka-bootstrap HOST:PORT");
    }

    private static Path touch(Path file) {
        try {
            return Files.write(file, new byte[0]);
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    private static Path onlySavepoint(Path savepoints) throws Exception {
        try (Stream<Path> entries = Files.list(savepoints)) {
            List<Path> all = entries.toList();
            assertThat(all).hasSize(1);
            return all.get(0);
        }
    }

    private PipelineSpec spec(String yaml) throws Exception {
        return new SpecParser().parse(Files.writeString(dir.resolve("remote.yaml"), yaml));
    }

    private static PipelineStatus.Node node(PipelineStatus status, String id) {
        return status.nodes().stream().filter(n -> n.id().equals(id)).findFirst().orElseThrow();
    }

    private static void send(String bootstrap, int first, int n, Map<String, Long> counts) throws Exception {
        Properties p = new Properties();
        p.setProperty(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        p.setProperty(ProducerConfig.ACKS_CONFIG, "all");
        try (KafkaProducer<String, String> producer = new KafkaProducer<>(p, new StringSerializer(), new StringSerializer())) {
            for (int i = first; i < first + n; i++) {
                String k = "k" + (i % 7);
                producer.send(new ProducerRecord<>("events", k, "{\"id\":\"e" + i + "\",\"k\":\"" + k + "\",\"v\":" + (i * 3L + 1)
                        + ",\"ts\":\"" + Instant.parse("2026-01-01T00:00:00Z").plusMillis(i) + "\"}"));
                counts.merge(k, 1L, Long::sum);
            }
            producer.flush();
        }
    }

    private static Map<String, Long> totals(SluiceServer server) {
        Map<String, Long> totals = new TreeMap<>();
        for (List<Object> row : new QueryService(server.store()).query("SELECT k, n FROM totals", 100, QueryScope.pipeline("remote")).rows()) {
            totals.put((String) row.get(0), ((Number) row.get(1)).longValue());
        }
        return totals;
    }
}
