package dev.sluice.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.sluice.broker.BrokerAdmin;
import dev.sluice.broker.EmbeddedKafka;
import dev.sluice.spec.PipelineSpec;
import dev.sluice.spec.SpecParser;
import dev.sluice.storage.QueryScope;
import dev.sluice.storage.QueryService;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import java.util.TreeMap;
import java.util.stream.Stream;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A pipeline run against an external Kafka broker, its data directory deleted, then run again with new input: the
 * broker still holds the first run's result topics, and storage must hold only the second deployment's rows, the
 * first run's records skipped and reported.
 */
class DeploymentIdentityIT {
    private static final String PIPELINE = """
            name: dep
            sources:
              - name: events
                topic: events
                partitions: 1
                schema: {id: STRING, k: STRING, v: BIGINT, ts: TIMESTAMP(3)}
                event-time: {column: ts}
            views:
              - name: seen
                sql: SELECT id, k, v FROM events
              - name: totals
                sql: SELECT k, COUNT(*) AS n FROM events GROUP BY k
            sinks:
              - view: seen
                mode: append
              - view: totals
                primary-key: [k]
            """;
    private static final int FIRST_RUN = 50;
    private static final int SECOND_RUN = 30;

    @TempDir
    Path dir;

    @Test
    void aFreshDataDirectoryStoresOnlyItsOwnDeploymentsRows() throws Exception {
        try (EmbeddedKafka kafka = EmbeddedKafka.start(dir.resolve("kafka"), 0)) {
            Path data = dir.resolve("data");
            ServerSettings settings = new ServerSettings(data, Optional.of(kafka.bootstrapServers()), 0, new Properties(),
                    "localhost", 0, 1, Duration.ofMillis(500));
            PipelineSpec spec = new SpecParser().parse(Files.writeString(dir.resolve("dep.yaml"), PIPELINE));

            String first;
            try (SluiceServer server = SluiceServer.start(List.of(spec), settings)) {
                send(kafka, 0, FIRST_RUN);
                await().atMost(Duration.ofSeconds(90)).until(() -> ids(server).size() == FIRST_RUN);
                // The job's consumer group has committed the whole input: the next run starts after it.
                try (BrokerAdmin admin = new BrokerAdmin(kafka.bootstrapServers(), new Properties())) {
                    await().atMost(Duration.ofSeconds(60)).until(() -> admin.committedOffsets("sluice-dep")
                            .getOrDefault(new TopicPartition("events", 0), 0L) == FIRST_RUN);
                }
                first = server.status("dep").deployment().id();
                assertThat(server.status("dep").deployment().foreignRecordsSkipped()).isZero();
            }
            deleteRecursively(data);

            try (SluiceServer server = SluiceServer.start(List.of(spec), settings)) {
                send(kafka, FIRST_RUN, SECOND_RUN);
                List<String> expectedIds = new ArrayList<>();
                Map<String, Long> expectedTotals = new TreeMap<>();
                for (int i = FIRST_RUN; i < FIRST_RUN + SECOND_RUN; i++) {
                    expectedIds.add(id(i));
                    expectedTotals.merge(key(i), 1L, Long::sum);
                }
                await().atMost(Duration.ofSeconds(90)).until(() -> ids(server).size() >= SECOND_RUN
                        && totals(server).equals(expectedTotals));
                // Give the loader time to store anything more it would have stored, then compare exactly.
                await().atMost(Duration.ofSeconds(30)).until(() -> server.status("dep").loaderLag() == 0);
                assertThat(ids(server)).containsExactlyInAnyOrderElementsOf(expectedIds);
                assertThat(totals(server)).isEqualTo(expectedTotals);

                PipelineStatus.DeploymentInfo deployment = server.status("dep").deployment();
                assertThat(deployment.id()).isNotEqualTo(first);
                assertThat(deployment.skipped()).extracting(PipelineStatus.Skipped::deployment).containsOnly(first);
                assertThat(deployment.skipped()).contains(new PipelineStatus.Skipped("sluice.dep.seen", first, FIRST_RUN));
                assertThat(deployment.skipped()).anyMatch(s -> s.topic().equals("sluice.dep.totals") && s.records() >= 4);
                assertThat(deployment.foreignRecordsSkipped())
                        .isEqualTo(deployment.skipped().stream().mapToLong(PipelineStatus.Skipped::records).sum());
            }
        }
    }

    private static String id(int i) {
        return "e" + i;
    }

    private static String key(int i) {
        return "k" + (i % 4);
    }

    private static void send(EmbeddedKafka kafka, int first, int n) throws Exception {
        Properties p = new Properties();
        p.setProperty(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers());
        p.setProperty(ProducerConfig.ACKS_CONFIG, "all");
        try (KafkaProducer<String, String> producer = new KafkaProducer<>(p, new StringSerializer(), new StringSerializer())) {
            for (int i = first; i < first + n; i++) {
                producer.send(new ProducerRecord<>("events", key(i), "{\"id\":\"" + id(i) + "\",\"k\":\"" + key(i) + "\",\"v\":" + i
                        + ",\"ts\":\"" + Instant.parse("2026-01-01T00:00:00Z").plusMillis(i) + "\"}")).get();
            }
        }
    }

    private static List<String> ids(SluiceServer server) {
        List<String> ids = new ArrayList<>();
        for (List<Object> row : new QueryService(server.store()).query("SELECT id FROM seen", 1_000, QueryScope.pipeline("dep")).rows()) {
            ids.add((String) row.get(0));
        }
        return ids;
    }

    private static Map<String, Long> totals(SluiceServer server) {
        Map<String, Long> totals = new TreeMap<>();
        for (List<Object> row : new QueryService(server.store()).query("SELECT k, n FROM totals", 100, QueryScope.pipeline("dep")).rows()) {
            totals.put((String) row.get(0), ((Number) row.get(1)).longValue());
        }
        return totals;
    }

    private static void deleteRecursively(Path root) throws IOException {
        try (Stream<Path> paths = Files.walk(root)) {
            for (Path p : paths.sorted(Comparator.reverseOrder()).toList()) {
                Files.delete(p);
            }
        }
    }
}
