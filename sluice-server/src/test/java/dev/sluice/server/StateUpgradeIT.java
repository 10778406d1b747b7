package dev.sluice.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

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
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Upgrades whose state does not fit are refused before anything stops, with what changed; with
 * {@code --allow-state-reset} the new version starts over and its tables equal a fresh computation over the topic.
 */
class StateUpgradeIT {
    private static final String COUNTS = """
            name: up
            sources:
              - name: events
                topic: events
                partitions: 1
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
    void refusesAnUpgradeWhoseStateDoesNotFitAndStartsOverWhenAllowed() throws Exception {
        ServerSettings settings = new ServerSettings(dir.resolve("data"), Optional.empty(), 0, new Properties(), "localhost", 0, 1,
                Duration.ofMillis(500));
        Map<String, Long> counts = new TreeMap<>();
        Map<String, Long> sums = new TreeMap<>();
        String reset;
        try (SluiceServer server = SluiceServer.start(spec(COUNTS), settings)) {
            send(server, 0, 50, counts, sums);
            await().atMost(Duration.ofSeconds(60)).untilAsserted(() -> assertThat(totals(server)).isEqualTo(counts));
            // Let a checkpoint hold the aggregation's state.
            await().atMost(Duration.ofSeconds(30)).until(() -> server.runner("up").pipeline().state().latestRestorePoint().isPresent());

            server.deploy(spec(COUNTS)); // the same version fits its own state
            assertThatThrownBy(() -> server.deploy(spec(SUMS)))
                    .isInstanceOf(PipelineConflictException.class)
                    .hasMessageContaining("cannot take over the state of the previous one: "
                            + "GroupAggregate(groupBy=[k], select=[k, COUNT(*) AS n]) became GroupAggregate(groupBy=[k], select=[k, SUM(v) AS n])")
                    .hasMessageContaining("What changed in the pipeline file: view 'totals' changed.")
                    .hasMessageContaining("The running version keeps running.")
                    .hasMessageContaining("--allow-state-reset");
            assertThat(server.status("up").state()).isEqualTo("RUNNING");
            send(server, 50, 10, counts, sums);
            await().atMost(Duration.ofSeconds(60)).untilAsserted(() -> assertThat(totals(server)).isEqualTo(counts));

            String before = server.status("up").deployment().id();
            server.deploy(spec(SUMS), true);
            // Starting over is a new deployment: the results of the old state are no longer this pipeline's.
            reset = server.status("up").deployment().id();
            assertThat(reset).isNotEqualTo(before);
            await().atMost(Duration.ofSeconds(60)).untilAsserted(() -> assertThat(totals(server)).isEqualTo(sums));
            send(server, 60, 20, counts, sums);
            await().atMost(Duration.ofSeconds(60)).untilAsserted(() -> assertThat(totals(server)).isEqualTo(sums));
            assertThat(settings.pipelineStateDir("up")).isDirectoryContaining(p -> p.getFileName().toString().startsWith("reset-"));
        }
        // The file changed back while the server was down: refused at start, naming the change.
        assertThatThrownBy(() -> SluiceServer.start(spec(COUNTS), settings).close())
                .hasMessageContaining("SUM(v) AS n]) became GroupAggregate(groupBy=[k], select=[k, COUNT(*) AS n])")
                .hasMessageContaining("Its state and tables are unchanged.");
        try (SluiceServer server = SluiceServer.start(spec(SUMS), settings)) {
            assertThat(server.status("up").deployment().id()).as("a restart keeps the deployment").isEqualTo(reset);
            send(server, 80, 5, counts, sums);
            await().atMost(Duration.ofSeconds(60)).untilAsserted(() -> assertThat(totals(server)).isEqualTo(sums));
        }
    }

    private PipelineSpec spec(String yaml) throws Exception {
        return new SpecParser().parse(Files.writeString(dir.resolve("up.yaml"), yaml));
    }

    private static void send(SluiceServer server, int first, int n, Map<String, Long> counts, Map<String, Long> sums) throws Exception {
        Properties p = new Properties();
        p.setProperty(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, server.bootstrapServers());
        p.setProperty(ProducerConfig.ACKS_CONFIG, "all");
        try (KafkaProducer<String, String> producer = new KafkaProducer<>(p, new StringSerializer(), new StringSerializer())) {
            for (int i = first; i < first + n; i++) {
                String k = "k" + (i % 4);
                long v = i * 3L + 1;
                producer.send(new ProducerRecord<>("events", k, "{\"id\":\"e" + i + "\",\"k\":\"" + k + "\",\"v\":" + v + ",\"ts\":\""
                        + Instant.parse("2026-01-01T00:00:00Z").plusMillis(i) + "\"}")).get();
                counts.merge(k, 1L, Long::sum);
                sums.merge(k, v, Long::sum);
            }
        }
    }

    private static Map<String, Long> totals(SluiceServer server) {
        Map<String, Long> totals = new TreeMap<>();
        for (List<Object> row : new QueryService(server.store()).query("SELECT k, n FROM totals", 100, QueryScope.pipeline("up")).rows()) {
            totals.put((String) row.get(0), ((Number) row.get(1)).longValue());
        }
        return totals;
    }
}
