package dev.sluice.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import dev.sluice.server.DiskLevels;
import dev.sluice.server.DiskStatus;
import dev.sluice.server.ServerSettings;
import dev.sluice.server.SluiceServer;
import dev.sluice.server.SpaceThreshold;
import dev.sluice.spec.SpecParser;
import dev.sluice.storage.QueryScope;
import dev.sluice.storage.QueryService;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import java.util.TreeMap;
import java.util.concurrent.ExecutionException;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.errors.TopicAuthorizationException;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The low-disk levels on a real small filesystem: as free space shrinks, Sluice first warns, then refuses new input
 * before the broker could fail, keeps answering queries and processing what it accepted, and takes input again by
 * itself when space comes back; the stored results count every acknowledged event exactly once.
 */
class LowDiskIT {
    static final String PIPELINE = """
            name: disk
            sources:
              - name: events
                topic: events
                partitions: 2
                schema: {id: STRING, k: STRING, ts: TIMESTAMP(3)}
                event-time: {column: ts}
            views:
              - name: counts
                sql: SELECT k, COUNT(*) AS n FROM events GROUP BY k
            sinks:
              - view: counts
                primary-key: [k]
            """;
    private static final long MB = 1L << 20;

    @TempDir
    Path dir;

    @Test
    void warnsThenRefusesInputThenResumesAndCountsEveryAcknowledgedEvent() throws Exception {
        Path file = Files.writeString(dir.resolve("disk.yaml"), PIPELINE);
        try (SmallFilesystem fs = SmallFilesystem.mount(dir.resolve("mnt"), 320)) {
            ServerSettings settings = new ServerSettings(fs.path().resolve("data"), Optional.empty(), 0, new Properties(), "localhost", 0,
                    1, Duration.ofMillis(500))
                    .withDiskLevels(new DiskLevels(SpaceThreshold.ofBytes(140 * MB), SpaceThreshold.ofBytes(100 * MB)));
            Map<String, Long> acked = new TreeMap<>();
            try (SluiceServer server = SluiceServer.start(new SpecParser().parse(file), settings)) {
                send(server, 0, 1_000, acked);
                awaitStored(server, acked);
                assertThat(server.disk().orElseThrow().level()).isEqualTo(DiskStatus.Level.OK);

                fs.fill("ballast-1", fs.freeBytes() - 120 * MB);
                await().atMost(Duration.ofSeconds(10)).until(() -> server.disk().orElseThrow().level() == DiskStatus.Level.LOW);
                assertThat(get(server, "/api/v1/pipelines")).contains("\"level\":\"LOW\"").contains("below the warning level of 140 MB");

                fs.fill("ballast-2", fs.freeBytes() - 80 * MB);
                await().atMost(Duration.ofSeconds(10))
                        .until(() -> server.disk().orElseThrow().level() == DiskStatus.Level.INPUT_STOPPED);
                assertThatThrownBy(() -> send(server, 1_000, 1, acked)).hasRootCauseInstanceOf(TopicAuthorizationException.class);
                assertThat(get(server, "/api/v1/health")).contains("below the stop level of 100 MB: new input is refused");
                // Queries still answer while input is refused.
                assertThat(stored(server)).isEqualTo(acked);

                Files.delete(fs.path().resolve("ballast-2"));
                Files.delete(fs.path().resolve("ballast-1"));
                await().atMost(Duration.ofSeconds(10)).until(() -> server.disk().orElseThrow().level() == DiskStatus.Level.OK);
                send(server, 2_000, 1_000, acked);
                awaitStored(server, acked);
            }
            assertThat(acked.values().stream().mapToLong(Long::longValue).sum()).isEqualTo(2_000);
        }
    }

    private static void send(SluiceServer server, int first, int n, Map<String, Long> acked) throws Exception {
        Properties p = new Properties();
        p.setProperty(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, server.bootstrapServers());
        p.setProperty(ProducerConfig.ACKS_CONFIG, "all");
        p.setProperty(ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG, "20000");
        p.setProperty(ProducerConfig.REQUEST_TIMEOUT_MS_CONFIG, "10000");
        Map<String, Long> sent = new HashMap<>();
        try (KafkaProducer<String, String> producer = new KafkaProducer<>(p, new StringSerializer(), new StringSerializer())) {
            Instant ts = Instant.parse("2026-01-01T00:00:00Z");
            for (int i = first; i < first + n; i++) {
                String k = "k" + (i % 7);
                producer.send(new ProducerRecord<>("events", k, "{\"id\":\"e" + i + "\",\"k\":\"" + k + "\",\"ts\":\""
                        + ts.plusMillis(i) + "\"}")).get();
                sent.merge(k, 1L, Long::sum);
            }
        } catch (ExecutionException e) {
            throw e;
        } finally {
            sent.forEach((k, c) -> acked.merge(k, c, Long::sum));
        }
    }

    private static void awaitStored(SluiceServer server, Map<String, Long> acked) {
        await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(250)).untilAsserted(() -> assertThat(stored(server)).isEqualTo(acked));
    }

    private static Map<String, Long> stored(SluiceServer server) {
        Map<String, Long> counts = new TreeMap<>();
        for (List<Object> row : new QueryService(server.store()).query("SELECT k, n FROM counts", 100, QueryScope.pipeline("disk")).rows()) {
            counts.put((String) row.get(0), ((Number) row.get(1)).longValue());
        }
        return counts;
    }

    private static String get(SluiceServer server, String path) throws Exception {
        return HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create("http://localhost:" + server.httpPort() + path)).build(),
                HttpResponse.BodyHandlers.ofString()).body();
    }
}
