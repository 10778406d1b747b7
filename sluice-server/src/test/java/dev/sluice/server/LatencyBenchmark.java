package dev.sluice.server;

import static org.assertj.core.api.Assertions.assertThat;

import dev.sluice.spec.PipelineSpec;
import dev.sluice.spec.SpecParser;
import dev.sluice.storage.DelayHistogram;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Properties;
import java.util.function.LongSupplier;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.StringSerializer;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * End-to-end latency of results: from an event entering Kafka to its row being visible in storage, for a pass-through
 * view with a filter and a transform (each event's row carries the event's own time, so the loader measures the
 * delay of every row: the time from the event's timestamp, set when it is sent, to the DuckDB commit that made its row
 * visible). Both deliveries run in turn, each on a fresh server in this JVM (embedded broker, Flink at parallelism 2,
 * DuckDB):
 * <ol>
 *   <li>burst: {@code sluice.bench.burst} events (default 400,000) sent as fast as possible; the maximum rate is
 *       events / (time from the first send until the last row is stored), producer included;</li>
 *   <li>warm-up: 10 s at the measured rate (half the maximum unless {@code sluice.bench.rate} is set);</li>
 *   <li>measured: {@code sluice.bench.seconds} (default 30) at that rate; its rows go to a table of their own, whose
 *       delays are reported (p50, p95, p99, max; buckets about 10% wide), with the process CPU time per million events.</li>
 * </ol>
 * Exactly-once runs with checkpoints every {@code sluice.bench.checkpoint} ms (default 500); low-latency with 2 s.
 *
 * <p>Not part of the build's tests (its name matches no test pattern). Run it with:
 * <pre>
 * mvn -B -o -q -pl sluice-server -am test -Dtest=LatencyBenchmark -Dsurefire.failIfNoSpecifiedTests=false
 * </pre>
 * Results go to the log and to {@code sluice-server/target/latency.txt}.
 */
class LatencyBenchmark {
    private static final Logger LOG = LoggerFactory.getLogger(LatencyBenchmark.class);
    private static final String PIPELINE = """
            name: lat
            delivery: %s
            sources:
              - name: events
                partitions: 4
                schema: {id: BIGINT, phase: STRING, k: STRING, v: BIGINT, ts: TIMESTAMP(3)}
                event-time: {column: ts, max-out-of-orderness: 1s}
            views:
              - name: burst
                sql: SELECT id, k, v * 2 AS v2, ts FROM events WHERE phase = 'b' AND MOD(v, 10) <> 0
              - name: warm
                sql: SELECT id, k, v * 2 AS v2, ts FROM events WHERE phase = 'w' AND MOD(v, 10) <> 0
              - name: measured
                sql: SELECT id, k, v * 2 AS v2, ts FROM events WHERE phase = 'm' AND MOD(v, 10) <> 0
            sinks:
              - view: burst
              - view: warm
              - view: measured
            """;

    @TempDir
    Path dir;

    @Test
    void measuresTheDelayFromKafkaToStorageInBothDeliveries() throws Exception {
        int burst = Integer.getInteger("sluice.bench.burst", 400_000);
        int seconds = Integer.getInteger("sluice.bench.seconds", 30);
        long checkpoint = Long.getLong("sluice.bench.checkpoint", 500);
        List<String> lines = new ArrayList<>();
        lines.add("delivery | checkpoint ms | max events/s (burst) | rate events/s | sent | p50 ms | p95 ms | p99 ms | max ms"
                + " | CPU s per million | load average before / after");
        for (String delivery : List.of("low-latency", "exactly-once")) {
            long interval = delivery.equals("exactly-once") ? checkpoint : 2_000;
            lines.add(run(delivery, interval, burst, seconds));
            LOG.info("Latency: {}", lines.get(lines.size() - 1));
        }
        Files.write(Path.of("target", "latency.txt"), lines);
    }

    private String run(String delivery, long checkpointMillis, int burst, int seconds) throws IOException {
        Path home = Files.createDirectories(dir.resolve(delivery));
        Path file = Files.writeString(home.resolve("lat.yaml"), PIPELINE.formatted(delivery));
        PipelineSpec spec = new SpecParser().parse(file);
        ServerSettings settings = new ServerSettings(home.resolve("data"), Optional.empty(), 0, new Properties(), "localhost", 0, 2,
                Duration.ofMillis(checkpointMillis));
        double loadBefore = ManagementFactory.getOperatingSystemMXBean().getSystemLoadAverage();
        try (SluiceServer server = SluiceServer.start(List.of(spec), settings);
             KafkaProducer<String, String> producer = producer(server.bootstrapServers())) {
            Awaitility.await("job running").atMost(Duration.ofMinutes(2))
                    .until(() -> server.runner().status() == org.apache.flink.api.common.JobStatus.RUNNING);
            long[] ids = {0};
            LongSupplier stored = () -> server.loader().rowsLoadedByTable().get("burst");

            long start = System.nanoTime();
            long expectedBurst = send(producer, "b", burst, 0, ids);
            Awaitility.await("burst stored").atMost(Duration.ofMinutes(5)).pollInterval(Duration.ofMillis(20))
                    .until(() -> stored.getAsLong() >= expectedBurst);
            double maxRate = burst / ((System.nanoTime() - start) / 1e9);
            double rate = Double.parseDouble(System.getProperty("sluice.bench.rate", Double.toString(Math.floor(maxRate / 2))));

            send(producer, "w", (long) (rate * 10), rate, ids);
            long cpuBefore = cpuNanos();
            long sent = (long) (rate * seconds);
            long expected = send(producer, "m", sent, rate, ids);
            Awaitility.await("measured rows stored").atMost(Duration.ofMinutes(2)).pollInterval(Duration.ofMillis(20))
                    .until(() -> server.loader().rowsLoadedByTable().get("measured") >= expected);
            double cpuPerMillion = (cpuNanos() - cpuBefore) / 1e9 / (sent / 1e6);
            DelayHistogram delays = server.loader().delays().get("measured");
            assertThat(delays.count()).isEqualTo(expected);
            double loadAfter = ManagementFactory.getOperatingSystemMXBean().getSystemLoadAverage();
            return String.format("%s | %d | %,.0f | %,.0f | %,d | %d | %d | %d | %d | %.1f | %.1f / %.1f", delivery, checkpointMillis,
                    maxRate, rate, sent, delays.percentile(50).toMillis(), delays.percentile(95).toMillis(),
                    delays.percentile(99).toMillis(), delays.percentile(100).toMillis(), cpuPerMillion, loadBefore, loadAfter);
        }
    }

    /**
     * Sends {@code count} events of a phase, at {@code rate} events/s (0: as fast as possible), each stamped with the time
     * it is sent (as its event time and its Kafka timestamp); returns how many pass the views' filter.
     */
    private static long send(KafkaProducer<String, String> producer, String phase, long count, double rate, long[] ids) {
        long start = System.nanoTime();
        long passing = 0;
        for (long i = 0; i < count; i++) {
            if (rate > 0 && i % 10 == 0) {
                long due = start + (long) (i / rate * 1e9);
                long wait = due - System.nanoTime();
                if (wait > 0) {
                    java.util.concurrent.locks.LockSupport.parkNanos(wait);
                }
            }
            long id = ids[0]++;
            long v = id % 1000;
            passing += v % 10 != 0 ? 1 : 0;
            long now = System.currentTimeMillis();
            String key = "k" + (id % 64);
            String json = "{\"id\":" + id + ",\"phase\":\"" + phase + "\",\"k\":\"" + key + "\",\"v\":" + v + ",\"ts\":" + now + "}";
            producer.send(new ProducerRecord<>("events", null, now, key, json));
        }
        producer.flush();
        return passing;
    }

    private static KafkaProducer<String, String> producer(String bootstrap) {
        Properties p = new Properties();
        p.setProperty("bootstrap.servers", bootstrap);
        p.setProperty("acks", "all");
        p.setProperty("linger.ms", "0");
        p.setProperty("compression.type", "lz4");
        return new KafkaProducer<>(p, new StringSerializer(), new StringSerializer());
    }

    private static long cpuNanos() {
        return ((com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean()).getProcessCpuTime();
    }
}
