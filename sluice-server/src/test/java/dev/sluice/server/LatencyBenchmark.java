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
import com.sun.management.GarbageCollectionNotificationInfo;
import java.lang.management.GarbageCollectorMXBean;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import javax.management.NotificationEmitter;
import javax.management.NotificationListener;
import javax.management.openmbean.CompositeData;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
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
 *   <li>warm-up burst: {@code sluice.bench.warmup-burst} events (default: as many as the burst) as fast as possible, so that
 *       both deliveries measure their burst on compiled code (without it the first delivery run in the JVM pays for the
 *       JIT and the second does not);</li>
 *   <li>burst: {@code sluice.bench.burst} events (default 400,000) sent as fast as possible; the maximum rate is
 *       events / (time from the first send until the last row is stored), producer included;</li>
 *   <li>warm-up: 10 s at the measured rate (half the maximum unless {@code sluice.bench.rate} is set);</li>
 *   <li>measured: {@code sluice.bench.seconds} (default 30) at that rate; its rows go to a table of their own, whose
 *       delays are reported (p50, p95, p99, max; buckets about 10% wide), with the process CPU time per million events.</li>
 * </ol>
 * Exactly-once runs with checkpoints every {@code sluice.bench.checkpoint} ms (default 500); low-latency every
 * {@code sluice.bench.low-latency-checkpoint} ms (default 2,000). {@code -Dsluice.bench.deliveries=low-latency} runs one of
 * them only. The events are sent one by one ({@code linger.ms} 0) without compression ({@code -Dsluice.bench.compression=lz4}
 * for what earlier runs used).
 *
 * <p>Besides the delays, each run reports for the measured phase the loader's batches (count, rows per batch, write time
 * p50/p99/max: Appender, insert and commit) and the JVM's GC pauses (count, total, longest). With
 * {@code -Dsluice.bench.stages=true} two more consumers time the path stage by stage: the delay from an event's send to a
 * consumer of the source topic receiving it, and to a {@code read_committed} consumer of the result topic receiving its
 * row (the loader's delay adds the batch wait and the database write to the latter). They cost some CPU of their own.
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
        long lowLatencyCheckpoint = Long.getLong("sluice.bench.low-latency-checkpoint", 2_000);
        List<String> details = new ArrayList<>();
        lines.add("delivery | checkpoint ms | max events/s (burst) | rate events/s | sent | p50 ms | p95 ms | p99 ms | max ms"
                + " | CPU s per million | load average before / after");
        for (String delivery : System.getProperty("sluice.bench.deliveries", "low-latency,exactly-once").split(",")) {
            long interval = delivery.equals("exactly-once") ? checkpoint : lowLatencyCheckpoint;
            lines.add(run(delivery, interval, burst, seconds, details));
            LOG.info("Latency: {}", lines.get(lines.size() - 1));
            LOG.info("Latency, {}: {}", delivery, details.get(details.size() - 1));
        }
        lines.add("");
        lines.addAll(details);
        Files.write(Path.of("target", "latency.txt"), lines);
    }

    private String run(String delivery, long checkpointMillis, int burst, int seconds, List<String> details) throws IOException {
        int warmupBurst = Integer.getInteger("sluice.bench.warmup-burst", burst);
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

            if (warmupBurst > 0) {
                // The first delivery run in this JVM would otherwise measure its burst while the JIT compiles the broker's,
                // Flink's and the loader's code, and the second one on warm code.
                long warmRows = send(producer, "w", warmupBurst, 0, ids);
                Awaitility.await("warm-up burst stored").atMost(Duration.ofMinutes(5)).pollInterval(Duration.ofMillis(20))
                        .until(() -> server.loader().rowsLoadedByTable().get("warm") >= warmRows);
            }
            long burstBatches = server.loader().batches();
            DelayHistogram burstWrites = server.loader().writeTimes().copy();
            long start = System.nanoTime();
            long expectedBurst = send(producer, "b", burst, 0, ids);
            Awaitility.await("burst stored").atMost(Duration.ofMinutes(5)).pollInterval(Duration.ofMillis(20))
                    .until(() -> stored.getAsLong() >= expectedBurst);
            double maxRate = burst / ((System.nanoTime() - start) / 1e9);
            double rate = Double.parseDouble(System.getProperty("sluice.bench.rate", Double.toString(Math.floor(maxRate / 2))));
            burstBatches = server.loader().batches() - burstBatches;
            String burstDetail = String.format("; burst: loader %,d batches, write p50/p95/p99/max %s ms", burstBatches,
                    percentiles(server.loader().writeTimes().since(burstWrites)));

            boolean stages = Boolean.getBoolean("sluice.bench.stages");
            try (Probe source = stages ? new Probe(server.bootstrapServers(), "events", "\"phase\":\"m\"") : null;
                 Probe result = stages ? new Probe(server.bootstrapServers(), "sluice.lat.measured", null) : null) {
                send(producer, "w", (long) (rate * 10), rate, ids);
                long cpuBefore = cpuNanos();
                long batchesBefore = server.loader().batches();
                long rowsBefore = server.loader().rowsLoaded();
                DelayHistogram writesBefore = server.loader().writeTimes().copy();
                GcPauses gc = new GcPauses();
                WalWatch wal = new WalWatch(home.resolve("data").resolve("sluice.duckdb.wal"));
                long sent = (long) (rate * seconds);
                long expected = send(producer, "m", sent, rate, ids);
                Awaitility.await("measured rows stored").atMost(Duration.ofMinutes(2)).pollInterval(Duration.ofMillis(20))
                        .until(() -> server.loader().rowsLoadedByTable().get("measured") >= expected);
                gc.close();
                wal.close();
                double cpuPerMillion = (cpuNanos() - cpuBefore) / 1e9 / (sent / 1e6);
                long batches = server.loader().batches() - batchesBefore;
                DelayHistogram writes = server.loader().writeTimes().since(writesBefore);
                String detail = String.format("%s: loader %,d batches, %,.0f rows per batch, write p50/p95/p99/max %s ms; GC %d pauses,"
                        + " %d ms in all, longest %d ms; DuckDB checkpoints (WAL truncated) %d", delivery, batches, (server.loader().rowsLoaded() - rowsBefore) / (double) Math.max(1, batches),
                        percentiles(writes), gc.count.get(), gc.totalMillis.get(), gc.maxMillis.get(), wal.truncations.get());
                if (stages) {
                    Awaitility.await("probes").atMost(Duration.ofSeconds(30)).until(() -> result.delays.count() >= expected);
                    detail += String.format("; send -> source topic consumer p50/p95/p99/max %s ms (%,d events);"
                            + " send -> result topic consumer %s ms (%,d rows)", percentiles(source.delays), source.delays.count(),
                            percentiles(result.delays), result.delays.count());
                }
                details.add(detail + burstDetail);
                return report(delivery, checkpointMillis, server, maxRate, rate, sent, expected, cpuPerMillion, loadBefore);
            }
        }
    }

    private static String report(String delivery, long checkpointMillis, SluiceServer server, double maxRate, double rate, long sent,
            long expected, double cpuPerMillion, double loadBefore) {
        DelayHistogram delays = server.loader().delays().get("measured");
        assertThat(delays.count()).isEqualTo(expected);
        double loadAfter = ManagementFactory.getOperatingSystemMXBean().getSystemLoadAverage();
        return String.format("%s | %d | %,.0f | %,.0f | %,d | %d | %d | %d | %d | %.1f | %.1f / %.1f", delivery, checkpointMillis,
                maxRate, rate, sent, delays.percentile(50).toMillis(), delays.percentile(95).toMillis(),
                delays.percentile(99).toMillis(), delays.percentile(100).toMillis(), cpuPerMillion, loadBefore, loadAfter);
    }

    private static String percentiles(DelayHistogram h) {
        return h.percentile(50).toMillis() + " / " + (h.percentile(95).toMillis() + " / ") + h.percentile(99).toMillis() + " / "
                + h.percentile(100).toMillis();
    }

    /** A consumer on its own thread that records, per record, the time from its Kafka timestamp to its receipt. */
    private static final class Probe implements AutoCloseable {
        final DelayHistogram delays = new DelayHistogram();
        private final AtomicBoolean closing = new AtomicBoolean();
        private final KafkaConsumer<byte[], byte[]> consumer;
        private final Thread thread;

        Probe(String bootstrap, String topic, String marker) {
            Properties p = new Properties();
            p.setProperty("bootstrap.servers", bootstrap);
            p.setProperty("isolation.level", "read_committed");
            p.setProperty("fetch.max.wait.ms", "50");
            consumer = new KafkaConsumer<>(p, new ByteArrayDeserializer(), new ByteArrayDeserializer());
            List<TopicPartition> partitions = consumer.partitionsFor(topic).stream().map(i -> new TopicPartition(topic, i.partition())).toList();
            consumer.assign(partitions);
            consumer.seekToEnd(partitions);
            partitions.forEach(consumer::position);
            byte[] mark = marker == null ? null : marker.getBytes(java.nio.charset.StandardCharsets.UTF_8);
            thread = new Thread(() -> {
                try {
                    while (!closing.get()) {
                        for (ConsumerRecord<byte[], byte[]> r : consumer.poll(Duration.ofMillis(100))) {
                            long now = System.currentTimeMillis();
                            if (mark == null || contains(r.value(), mark)) {
                                delays.record(now - r.timestamp());
                            }
                        }
                    }
                } catch (org.apache.kafka.common.errors.WakeupException e) {
                    // closing
                } finally {
                    consumer.close();
                }
            }, "latency-probe-" + topic);
            thread.start();
        }

        private static boolean contains(byte[] value, byte[] mark) {
            outer:
            for (int i = 0; i + mark.length <= value.length; i++) {
                for (int j = 0; j < mark.length; j++) {
                    if (value[i + j] != mark[j]) {
                        continue outer;
                    }
                }
                return true;
            }
            return false;
        }

        @Override
        public void close() {
            closing.set(true);
            consumer.wakeup();
            try {
                thread.join(10_000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }

    /** Counts DuckDB's checkpoints by watching its write-ahead log shrink (sampled every 10 ms). */
    private static final class WalWatch {
        final AtomicLong truncations = new AtomicLong();
        private final AtomicBoolean closing = new AtomicBoolean();
        private final Thread thread;

        WalWatch(Path wal) {
            thread = new Thread(() -> {
                long last = 0;
                while (!closing.get()) {
                    long size = wal.toFile().length();
                    if (size < last) {
                        truncations.incrementAndGet();
                    }
                    last = size;
                    java.util.concurrent.locks.LockSupport.parkNanos(10_000_000);
                }
            }, "latency-wal-watch");
            thread.setDaemon(true);
            thread.start();
        }

        void close() {
            closing.set(true);
        }
    }

    /** Counts the JVM's GC pauses (every collector's notifications) from construction until {@link #close()}. */
    private static final class GcPauses {
        final AtomicLong count = new AtomicLong();
        final AtomicLong totalMillis = new AtomicLong();
        final AtomicLong maxMillis = new AtomicLong();
        private final NotificationListener listener = (notification, handback) -> {
            if (notification.getType().equals(GarbageCollectionNotificationInfo.GARBAGE_COLLECTION_NOTIFICATION)) {
                GarbageCollectionNotificationInfo info = GarbageCollectionNotificationInfo.from((CompositeData) notification.getUserData());
                // Concurrent cycles are reported too; only pauses stop the application.
                if (!info.getGcName().contains("Concurrent")) {
                    long ms = info.getGcInfo().getDuration();
                    count.incrementAndGet();
                    totalMillis.addAndGet(ms);
                    maxMillis.accumulateAndGet(ms, Math::max);
                }
            }
        };

        GcPauses() {
            for (GarbageCollectorMXBean bean : ManagementFactory.getGarbageCollectorMXBeans()) {
                ((NotificationEmitter) bean).addNotificationListener(listener, null, null);
            }
        }

        void close() {
            for (GarbageCollectorMXBean bean : ManagementFactory.getGarbageCollectorMXBeans()) {
                try {
                    ((NotificationEmitter) bean).removeNotificationListener(listener);
                } catch (javax.management.ListenerNotFoundException e) {
                    throw new IllegalStateException("The GC listener was registered on " + bean.getName(), e);
                }
            }
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
        // The producer stands for clients on other machines; with lz4 and no linger each record is a batch of its own
        // whose compressor (a 64 KB block, in native code) cost this process a whole core at 15,000 events/s.
        p.setProperty("compression.type", System.getProperty("sluice.bench.compression", "none"));
        return new KafkaProducer<>(p, new StringSerializer(), new StringSerializer());
    }

    private static long cpuNanos() {
        return ((com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean()).getProcessCpuTime();
    }
}
