package dev.sluice.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.sluice.storage.DuckDbStore;
import dev.sluice.storage.QueryScope;
import dev.sluice.storage.QueryService;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The disk fills behind Sluice's back (the low-disk levels are off, another process takes the space): {@code sluice run}
 * stops cleanly with one clear line and exit code 4 instead of vanishing, and running it again after freeing space
 * stores results that count every event the broker holds, including every acknowledged one, exactly once.
 */
class DiskFullIT {
    @TempDir
    Path dir;

    @Test
    void aDiskFilledByAnotherProcessStopsCleanlyAndTheNextRunResumesExactly() throws Exception {
        Path file = Files.writeString(dir.resolve("disk.yaml"), LowDiskIT.PIPELINE);
        Set<String> acked = new HashSet<>();
        try (SmallFilesystem fs = SmallFilesystem.mount(dir.resolve("mnt"), 256)) {
            Path data = fs.path().resolve("data");
            int kafkaPort = freePort();
            int httpPort = freePort();
            List<String> run = List.of("run", file.toString(), "--data-dir", data.toString(), "--kafka-port", Integer.toString(kafkaPort),
                    "--port", Integer.toString(httpPort), "--checkpoint-interval", "500ms", "--summary-interval", "1s",
                    "--disk-warn-free", "0", "--disk-stop-free", "0");
            Process first = sluice(run, "first");
            String bootstrap = "localhost:" + kafkaPort;
            send(bootstrap, 0, 500, acked);
            awaitStoredCount(httpPort, 500);

            fs.fill("ballast", Long.MAX_VALUE);

            // Keep writing, as producers do, until the broker fails to append; some sends fail, those are not acknowledged.
            int next = 500;
            while (first.isAlive() && next < 100_000) {
                next = sendIgnoringFailures(bootstrap, next, 200, acked);
            }
            assertThat(first.waitFor(3, TimeUnit.MINUTES)).as("sluice run ends after the disk filled").isTrue();
            String stderr = Files.readString(dir.resolve("first.err"), StandardCharsets.UTF_8);
            String stdout = Files.readString(dir.resolve("first.out"), StandardCharsets.UTF_8);
            assertThat(first.exitValue()).as(stderr).isEqualTo(ErrorHandler.DISK_FULL);
            assertThat(stderr).contains("sluice: the disk of the data directory " + data + " is full (")
                    .contains("the embedded Kafka broker could not write to " + data.resolve("kafka"))
                    .contains("run the same command again on the same data directory: it resumes exactly where it stopped,"
                            + " with every acknowledged event.");
            assertThat(stdout).contains("Stopping because the disk is full");

            Files.delete(fs.path().resolve("ballast"));
            Process second = sluice(run, "second");
            Map<String, Long> held = countsInTopic(bootstrap, acked);
            long total = held.values().stream().mapToLong(Long::longValue).sum();
            awaitStoredCount(httpPort, total);
            // The API answers while the server still starts; Ctrl-C stops with a savepoint once the start has finished.
            await().atMost(Duration.ofMinutes(3)).until(() ->
                    Files.readString(dir.resolve("second.out")).contains("Press Ctrl-C to stop"));
            second.destroy();
            assertThat(second.waitFor(3, TimeUnit.MINUTES)).isTrue();
            // SIGTERM: the JVM reports 143 after the shutdown hook has stopped the pipeline with a savepoint.
            assertThat(second.exitValue()).as(Files.readString(dir.resolve("second.err"))).isIn(0, 143);
            assertThat(Files.readString(dir.resolve("second.out"))).contains("Stopped.");
            try (DuckDbStore store = DuckDbStore.open(data.resolve("sluice.duckdb"))) {
                Map<String, Long> stored = new TreeMap<>();
                for (List<Object> row : new QueryService(store).query("SELECT k, n FROM counts", 100, QueryScope.pipeline("disk")).rows()) {
                    stored.put((String) row.get(0), ((Number) row.get(1)).longValue());
                }
                assertThat(stored).isEqualTo(held);
            }
        }
    }

    private Process sluice(List<String> args, String name) throws IOException {
        List<String> command = new ArrayList<>(List.of(ProcessHandle.current().info().command().orElse("java"),
                "-cp", System.getProperty("java.class.path"), Main.class.getName()));
        command.addAll(args);
        return new ProcessBuilder(command).redirectOutput(dir.resolve(name + ".out").toFile())
                .redirectError(dir.resolve(name + ".err").toFile()).start();
    }

    private static Properties producerConfig(String bootstrap) {
        Properties p = new Properties();
        p.setProperty(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        p.setProperty(ProducerConfig.ACKS_CONFIG, "all");
        p.setProperty(ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG, "15000");
        p.setProperty(ProducerConfig.REQUEST_TIMEOUT_MS_CONFIG, "5000");
        p.setProperty(ProducerConfig.MAX_BLOCK_MS_CONFIG, "60000");
        return p;
    }

    private static ProducerRecord<String, String> event(int i) {
        String k = "k" + (i % 7);
        return new ProducerRecord<>("events", k, "{\"id\":\"e" + i + "\",\"k\":\"" + k + "\",\"ts\":\""
                + Instant.parse("2026-01-01T00:00:00Z").plusMillis(i) + "\"}");
    }

    /** Sends while the broker starts up and the topic appears; every event must be acknowledged. */
    private static void send(String bootstrap, int first, int n, Set<String> acked) throws Exception {
        try (KafkaProducer<String, String> producer = new KafkaProducer<>(producerConfig(bootstrap), new StringSerializer(), new StringSerializer())) {
            for (int i = first; i < first + n; i++) {
                producer.send(event(i)).get();
                acked.add("e" + i);
            }
        }
    }

    private static int sendIgnoringFailures(String bootstrap, int first, int n, Set<String> acked) {
        try (KafkaProducer<String, String> producer = new KafkaProducer<>(producerConfig(bootstrap), new StringSerializer(), new StringSerializer())) {
            List<Future<RecordMetadata>> sent = new ArrayList<>();
            for (int i = first; i < first + n; i++) {
                sent.add(producer.send(event(i)));
            }
            for (int i = 0; i < sent.size(); i++) {
                try {
                    sent.get(i).get();
                    acked.add("e" + (first + i));
                } catch (Exception e) {
                    // not acknowledged
                }
            }
        } catch (RuntimeException e) {
            // the broker went away
        }
        return first + n;
    }

    /** Counts per key of every event the broker holds, after checking that each acknowledged one is among them. */
    private static Map<String, Long> countsInTopic(String bootstrap, Set<String> acked) {
        Properties p = new Properties();
        p.setProperty(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        p.setProperty(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        Map<String, Long> counts = new TreeMap<>();
        Set<String> ids = new HashSet<>();
        try (KafkaConsumer<String, String> consumer = new KafkaConsumer<>(p, new StringDeserializer(), new StringDeserializer())) {
            await().atMost(Duration.ofSeconds(60)).ignoreExceptions().until(() -> consumer.partitionsFor("events", Duration.ofSeconds(5)).size() == 2);
            List<TopicPartition> partitions = List.of(new TopicPartition("events", 0), new TopicPartition("events", 1));
            consumer.assign(partitions);
            consumer.seekToBeginning(partitions);
            Map<TopicPartition, Long> ends = consumer.endOffsets(partitions);
            while (partitions.stream().anyMatch(tp -> consumer.position(tp) < ends.get(tp))) {
                for (ConsumerRecord<String, String> r : consumer.poll(Duration.ofMillis(500))) {
                    counts.merge(r.key(), 1L, Long::sum);
                    ids.add(r.value().substring(7, r.value().indexOf('"', 7)));
                }
            }
        }
        assertThat(ids).containsAll(acked);
        return counts;
    }

    private static void awaitStoredCount(int httpPort, long expected) {
        HttpClient http = HttpClient.newHttpClient();
        await().atMost(Duration.ofSeconds(120)).pollInterval(Duration.ofMillis(500)).ignoreExceptions().until(() -> {
            HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create("http://localhost:" + httpPort + "/api/v1/query"))
                    .header("Content-Type", "application/json")
                    .POST(HttpRequest.BodyPublishers.ofString("{\"sql\": \"SELECT CAST(SUM(n) AS BIGINT) AS total FROM counts\"}")).build(),
                    HttpResponse.BodyHandlers.ofString());
            return r.body().contains("[" + expected + "]");
        });
    }

    private static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0, 50, InetAddress.getLoopbackAddress())) {
            return s.getLocalPort();
        }
    }
}
