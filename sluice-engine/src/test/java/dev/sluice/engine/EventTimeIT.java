package dev.sluice.engine;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.sluice.broker.BrokerAdmin;
import dev.sluice.broker.EmbeddedKafka;
import dev.sluice.engine.internal.ConsumerLagReporter;
import dev.sluice.engine.internal.LateDropReporter;
import dev.sluice.spec.PipelineSpec;
import dev.sluice.spec.SpecParser;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Random;
import java.util.Set;
import java.util.TreeMap;
import org.apache.flink.api.common.JobStatus;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Event time under the conditions that used to break it: sources that start long after the job (their partitions
 * idle first), a large backlog over unequal partitions read under CPU contention, a partition that never gets data,
 * and restarts from a checkpoint in the middle. The data's disorder always stays inside the declared bound, so no
 * event may be late except the ones the test makes late on purpose; every result is compared with what
 * {@link Oracle} computes from the same events, and the operators' dropped-late counter must stay at zero.
 */
class EventTimeIT {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Instant T0 = Instant.parse("2026-01-01T00:00:00Z");
    /** Far after every test event: sent to each partition at the end, it closes every window. */
    private static final Instant CLOSE = T0.plus(Duration.ofDays(1));

    @TempDir
    Path dir;

    private EmbeddedKafka kafka;
    private BrokerAdmin admin;
    private KafkaProducer<String, String> producer;

    @BeforeEach
    void startBroker() {
        kafka = EmbeddedKafka.start(dir.resolve("kafka"), 0);
        admin = new BrokerAdmin(kafka.bootstrapServers(), new Properties());
        Properties p = new Properties();
        p.setProperty("bootstrap.servers", kafka.bootstrapServers());
        p.setProperty("acks", "all");
        p.setProperty("linger.ms", "5");
        producer = new KafkaProducer<>(p, new StringSerializer(), new StringSerializer());
    }

    @AfterEach
    void stopBroker() {
        producer.close();
        admin.close();
        kafka.close();
    }

    @Test
    void sourcesStartingApartLoseNothingAcrossARestart() throws Exception {
        PipelineSpec spec = spec("""
                name: apart
                sources:
                  - name: a
                    partitions: 2
                    schema: {id: STRING, k: STRING, v: BIGINT, ts: TIMESTAMP(3)}
                    event-time: {column: ts, max-out-of-orderness: 2s}
                  - name: c
                    partitions: 2
                    schema: {id: STRING, k: STRING, v: BIGINT, ts: TIMESTAMP(3)}
                    event-time: {column: ts, max-out-of-orderness: 2s}
                views:
                  - name: a_windows
                    sql: |
                      SELECT window_start, k, COUNT(*) AS cnt, SUM(v) AS total
                      FROM TABLE(TUMBLE(TABLE a, DESCRIPTOR(ts), INTERVAL '5' SECOND))
                      GROUP BY window_start, window_end, k
                  - name: a_top
                    sql: |
                      SELECT window_start, k, cnt, rn FROM (
                        SELECT *, ROW_NUMBER() OVER (PARTITION BY window_start, window_end ORDER BY cnt DESC, k) AS rn
                        FROM (SELECT window_start, window_end, k, COUNT(*) AS cnt
                              FROM TABLE(TUMBLE(TABLE a, DESCRIPTOR(ts), INTERVAL '5' SECOND))
                              GROUP BY window_start, window_end, k))
                      WHERE rn <= 2
                  - name: c_lag
                    sql: SELECT id, LAG(v) OVER (PARTITION BY k ORDER BY ts) AS prev_v FROM c
                  - name: c_pairs
                    sql: |
                      SELECT x.id AS id, y.id AS earlier_id FROM c x, c y
                      WHERE x.k = y.k AND y.ts >= x.ts - INTERVAL '1' SECOND AND y.ts < x.ts
                sinks:
                  - view: a_windows
                  - view: a_top
                  - view: c_lag
                  - view: c_pairs
                """);
        Random random = new Random(11);
        List<Event> a = Event.paced("a", 2000, 10, 1500, 5, random);
        List<Event> c = Event.paced("c", 1000, 10, 1500, 5, random);
        // Truly late: far behind what both partitions of 'a' have shown, after the watermark has passed them.
        Set<String> lateIds = new HashSet<>();
        for (int at : new int[] {500, 900, 1500, 1900}) {
            Event late = new Event("late-" + at, "k1", 7, a.get(at).ts().minusSeconds(15), a.get(at).partition());
            a.add(at + 1, late);
            lateIds.add(late.id());
        }

        Oracle oracle = new Oracle(a.stream().filter(e -> !lateIds.contains(e.id())).toList(), c);
        Job job = new Job(spec);
        job.start();
        // 100 events/s, event time running with the wall clock; 'c' starts 12 s in, after its partitions went idle.
        long started = System.nanoTime();
        int ci = 0;
        for (int i = 0; i < a.size(); i++) {
            send("a", a.get(i));
            long elapsedMs = (System.nanoTime() - started) / 1_000_000;
            while (ci < c.size() && elapsedMs >= 12_000 + ci * 10L) {
                send("c", c.get(ci++));
            }
            if (i == 1600) {
                job.crashAndRestart();
            }
            pace(started, i * 10L);
        }
        while (ci < c.size()) {
            send("c", c.get(ci++));
        }
        closeWindows("a", 2);
        closeWindows("c", 2);

        try (Results results = new Results(kafka.bootstrapServers(),
                List.of("sluice.apart.a_windows", "sluice.apart.a_top", "sluice.apart.c_lag", "sluice.apart.c_pairs",
                        "sluice.apart.a.late", "sluice.apart.c.late"))) {
        results.awaitCounts(Map.of(
                "sluice.apart.a_windows", oracle.windows().size(),
                "sluice.apart.a_top", oracle.top2().size(),
                "sluice.apart.c_lag", oracle.lag().size(),
                "sluice.apart.c_pairs", oracle.pairs().size(),
                "sluice.apart.a.late", lateIds.size()), Duration.ofSeconds(120));

        assertThat(results.rows("sluice.apart.a_windows", r -> r.get("window_start").asText() + " " + r.get("k").asText()
                + " " + r.get("cnt").asLong() + " " + r.get("total").asLong())).containsExactlyInAnyOrderElementsOf(oracle.windows());
        assertThat(results.rows("sluice.apart.a_top", r -> r.get("window_start").asText() + " " + r.get("rn").asLong()
                + " " + r.get("k").asText() + " " + r.get("cnt").asLong())).containsExactlyInAnyOrderElementsOf(oracle.top2());
        assertThat(results.rows("sluice.apart.c_lag", r -> r.get("id").asText() + " " + r.get("prev_v").asText()))
                .containsExactlyInAnyOrderElementsOf(oracle.lag());
        assertThat(results.rows("sluice.apart.c_pairs", r -> r.get("id").asText() + " " + r.get("earlier_id").asText()))
                .containsExactlyInAnyOrderElementsOf(oracle.pairs());
        assertThat(results.rows("sluice.apart.a.late", r -> JSON.readTree(r.get("record_value").asText()).get("id").asText()))
                .containsExactlyInAnyOrderElementsOf(lateIds);
        assertThat(results.rows("sluice.apart.c.late", r -> r.toString())).isEmpty();
        assertThat(job.runner.lateRecordsDropped()).isZero();
        assertThat(job.runner.status()).isEqualTo(JobStatus.RUNNING);
        // The zero above is a count, not a missing counter: window, Top-N and OVER operators report theirs.
        assertThat(LateDropReporter.watchedCounters(job.runner.jobId())).isGreaterThanOrEqualTo(3);
        }
        job.close();
    }

    @Test
    void aMillionEventBacklogOverUnequalPartitionsUnderCpuContentionHasNoLateEvents() throws Exception {
        PipelineSpec spec = spec("""
                name: backlog
                sources:
                  - name: x
                    partitions: 1
                    schema: {id: STRING, k: STRING, v: BIGINT, ts: TIMESTAMP(3)}
                    event-time: {column: ts, max-out-of-orderness: 4s}
                  - name: y
                    partitions: 2
                    schema: {id: STRING, k: STRING, v: BIGINT, ts: TIMESTAMP(3)}
                    event-time: {column: ts, max-out-of-orderness: 4s}
                  - name: z
                    partitions: 4
                    schema: {id: STRING, k: STRING, v: BIGINT, ts: TIMESTAMP(3)}
                    event-time: {column: ts, max-out-of-orderness: 4s}
                views:
                  - name: counts
                    sql: |
                      SELECT 'x' AS src, window_start, COUNT(*) AS cnt FROM TABLE(TUMBLE(TABLE x, DESCRIPTOR(ts), INTERVAL '10' SECOND)) GROUP BY window_start, window_end
                      UNION ALL
                      SELECT 'y' AS src, window_start, COUNT(*) AS cnt FROM TABLE(TUMBLE(TABLE y, DESCRIPTOR(ts), INTERVAL '10' SECOND)) GROUP BY window_start, window_end
                      UNION ALL
                      SELECT 'z' AS src, window_start, COUNT(*) AS cnt FROM TABLE(TUMBLE(TABLE z, DESCRIPTOR(ts), INTERVAL '10' SECOND)) GROUP BY window_start, window_end
                sinks:
                  - view: counts
                """);
        Random random = new Random(7);
        Map<String, List<Event>> events = new TreeMap<>();
        events.put("x", Event.backlog("x", 200_000, 1, 3000, 1, random));
        events.put("y", Event.backlog("y", 300_000, 1, 3000, 2, random));
        events.put("z", Event.backlog("z", 500_000, 1, 3000, 4, random));
        Map<String, Long> expected = new HashMap<>();
        events.forEach((source, list) -> list.forEach(e -> expected.merge(
                source + " " + window(e.ts(), 10), 1L, Long::sum)));

        // x and y are a backlog before the job starts; z's arrives at once after its partitions went idle.
        Job job = new Job(spec);
        admin.ensureTopics(job.compile().topics());
        sendAll("x", events.get("x"));
        sendAll("y", events.get("y"));
        job.start();
        Thread busy = new Thread(EventTimeIT::spin, "busy-cpu");
        busy.setDaemon(true);
        busy.start();
        try {
            await().pollDelay(Duration.ofSeconds(12)).atMost(Duration.ofSeconds(13)).until(() -> true);
            sendAll("z", events.get("z"));
            try (Results results = new Results(kafka.bootstrapServers(), List.of("sluice.backlog.counts", "sluice.backlog.x.late", "sluice.backlog.y.late", "sluice.backlog.z.late"))) {
            await().atMost(Duration.ofSeconds(120)).until(() -> results.poll().count("sluice.backlog.counts") >= 20);
            job.crashAndRestart();
            closeWindows("x", 1);
            closeWindows("y", 2);
            closeWindows("z", 4);
            results.awaitCounts(Map.of("sluice.backlog.counts", expected.size()), Duration.ofSeconds(180));
            Map<String, Long> actual = new HashMap<>();
            for (String row : results.rows("sluice.backlog.counts", r -> r.get("src").asText() + " "
                    + r.get("window_start").asText() + " " + r.get("cnt").asLong())) {
                int cut = row.lastIndexOf(' ');
                assertThat(actual.put(row.substring(0, cut), Long.parseLong(row.substring(cut + 1)))).isNull();
            }
            assertThat(actual).isEqualTo(expected);
            assertThat(results.rows("sluice.backlog.x.late", JsonNode::toString)).isEmpty();
            assertThat(results.rows("sluice.backlog.y.late", JsonNode::toString)).isEmpty();
            assertThat(results.rows("sluice.backlog.z.late", JsonNode::toString)).isEmpty();
            assertThat(job.runner.lateRecordsDropped()).isZero();
            }
        } finally {
            busy.interrupt();
            job.close();
        }
    }

    @Test
    void aPartitionWithNoDataDoesNotHoldBackTheOthersAndItsLaterOldEventIsLateNotDropped() throws Exception {
        PipelineSpec spec = spec("""
                name: empty
                sources:
                  - name: s
                    partitions: 2
                    schema: {id: STRING, k: STRING, v: BIGINT, ts: TIMESTAMP(3)}
                    event-time: {column: ts, max-out-of-orderness: 1s}
                views:
                  - name: counts
                    sql: |
                      SELECT window_start, COUNT(*) AS cnt FROM TABLE(TUMBLE(TABLE s, DESCRIPTOR(ts), INTERVAL '10' SECOND))
                      GROUP BY window_start, window_end
                  - name: running
                    sql: SELECT id, SUM(v) OVER (PARTITION BY k ORDER BY ts ROWS BETWEEN UNBOUNDED PRECEDING AND CURRENT ROW) AS total FROM s
                sinks:
                  - view: counts
                  - view: running
                """);
        Job job = new Job(spec);
        job.start();
        for (int i = 0; i < 30; i++) {
            send("s", new Event("e" + i, "k", i, T0.plusSeconds(i), 0));
        }
        producer.flush();
        try (Results results = new Results(kafka.bootstrapServers(), List.of("sluice.empty.counts", "sluice.empty.running", "sluice.empty.s.late"))) {
            // Partition 1 never gets a record: once it counts as idle (10 s after it was found empty) the windows
            // that partition 0's own watermark (27.999 s) closes fire without waiting for partition 1.
            results.awaitCounts(Map.of("sluice.empty.counts", 2, "sluice.empty.running", 28), Duration.ofSeconds(60));
            assertThat(results.rows("sluice.empty.counts", r -> r.get("window_start").asText() + " " + r.get("cnt").asLong()))
                    .containsExactlyInAnyOrder("2026-01-01T00:00:00 10", "2026-01-01T00:00:10 10");
            // Idleness came from the consumers' own lag: both partitions are known to their consumers, read to the end.
            List<Long> lags = new ArrayList<>();
            for (int subtask = 0; subtask < 2; subtask++) {
                ConsumerLagReporter consumer = ConsumerLagReporter.forClient("sluice-empty-s-" + subtask);
                assertThat(consumer).as("lag reporter of subtask %s", subtask).isNotNull();
                for (int partition = 0; partition < 2; partition++) {
                    lags.add(consumer.lag(new TopicPartition("s", partition)));
                }
            }
            assertThat(lags).containsExactlyInAnyOrder(0L, 0L, -1L, -1L);

            // After a crash and a restart from the last checkpoint, an event on the other partition far behind what
            // partition 0 has shown: the windows and the OVER aggregation are past it, so it must be a late event,
            // not a record an operator drops silently.
            job.crashAndRestart();
            send("s", new Event("old", "k", 1000, T0.plusSeconds(5), 1));
            producer.flush();
            results.awaitCounts(Map.of("sluice.empty.s.late", 1), Duration.ofSeconds(30));
            assertThat(results.rows("sluice.empty.s.late", r -> JSON.readTree(r.get("record_value").asText()).get("id").asText()))
                    .containsExactly("old");
            List<String> running = new ArrayList<>();
            long total = 0;
            for (int i = 0; i < 28; i++) {
                total += i;
                running.add("e" + i + " " + total);
            }
            assertThat(results.rows("sluice.empty.running", r -> r.get("id").asText() + " " + r.get("total").asLong()))
                    .containsExactlyInAnyOrderElementsOf(running);
            assertThat(results.rows("sluice.empty.counts", r -> r.get("window_start").asText() + " " + r.get("cnt").asLong()))
                    .containsExactlyInAnyOrder("2026-01-01T00:00:00 10", "2026-01-01T00:00:10 10");
            assertThat(job.runner.lateRecordsDropped()).isZero();
        }
        job.close();
    }

    // ---------------------------------------------------------------------------------------------------------

    private PipelineSpec spec(String yaml) {
        return new SpecParser().parse(yaml, dir.resolve("pipeline.yaml"));
    }

    private void send(String topic, Event e) {
        producer.send(new ProducerRecord<>(topic, e.partition(), null, e.json()));
    }

    private void sendAll(String topic, List<Event> events) {
        for (Event e : events) {
            send(topic, e);
        }
        producer.flush();
    }

    private void closeWindows(String topic, int partitions) {
        for (int p = 0; p < partitions; p++) {
            send(topic, new Event("close-" + topic + "-" + p, "close-" + p, 0, CLOSE, p));
        }
        producer.flush();
    }

    private static void pace(long startedNanos, long atMillis) {
        long waitNanos = startedNanos + atMillis * 1_000_000 - System.nanoTime();
        if (waitNanos > 0) {
            java.util.concurrent.locks.LockSupport.parkNanos(waitNanos);
        }
    }

    private static void spin() {
        long x = 0;
        while (!Thread.currentThread().isInterrupted()) {
            x += System.nanoTime() % 7;
        }
        if (x == 42) {
            System.out.print("");
        }
    }

    static String window(Instant ts, int seconds) {
        long start = Math.floorDiv(ts.toEpochMilli(), seconds * 1000L) * seconds * 1000L;
        return DateTimeFormatter.ISO_LOCAL_DATE_TIME.format(LocalDateTime.ofInstant(Instant.ofEpochMilli(start), ZoneOffset.UTC));
    }

    /** The pipeline's Flink job, which the test can crash and restart from its last checkpoint. */
    private final class Job implements AutoCloseable {
        final PipelineSpec spec;
        PipelineRunner runner;

        Job(PipelineSpec spec) {
            this.spec = spec;
        }

        CompiledPipeline compile() {
            return PipelineCompiler.compile(spec,
                    EngineConfig.local(kafka.bootstrapServers(), dir.resolve("state")).withCheckpointInterval(Duration.ofMillis(500)));
        }

        void start() {
            CompiledPipeline compiled = compile();
            admin.ensureTopics(compiled.topics());
            runner = PipelineRunner.start(compiled);
            await().atMost(Duration.ofSeconds(60)).until(() -> runner.status() == JobStatus.RUNNING);
        }

        /** Waits for a checkpoint, cancels the job as a crash would, and starts it again from that checkpoint. */
        void crashAndRestart() {
            await().atMost(Duration.ofSeconds(60)).until(() -> runner.pipeline().state().latestRestorePoint().isPresent());
            runner.cancel();
            start();
        }

        @Override
        public void close() {
            runner.close();
        }
    }

    /** One test event; its JSON is what a producer would send. */
    record Event(String id, String k, long v, Instant ts, int partition) {
        String json() {
            return "{\"id\":\"" + id + "\",\"k\":\"" + k + "\",\"v\":" + v + ",\"ts\":\"" + ts + "\"}";
        }

        /**
         * {@code count} events {@code stepMs} apart in event time, each up to {@code disorderMs} earlier than its slot
         * (never the same instant twice), over {@code keys} keys and two partitions chosen at random.
         */
        static List<Event> paced(String prefix, int count, int stepMs, int disorderMs, int keys, Random random) {
            List<Event> events = new ArrayList<>();
            Set<Instant> used = new HashSet<>();
            for (int i = 0; i < count; i++) {
                Instant ts;
                do {
                    ts = T0.plusMillis((long) i * stepMs + 5_000 - random.nextInt(disorderMs + 1));
                } while (!used.add(ts));
                events.add(new Event(prefix + i, "k" + random.nextInt(keys), i, ts, random.nextInt(2)));
            }
            return events;
        }

        static List<Event> backlog(String prefix, int count, int stepMs, int disorderMs, int partitions, Random random) {
            List<Event> events = new ArrayList<>(count);
            for (int i = 0; i < count; i++) {
                Instant ts = T0.plusMillis((long) i * stepMs + 5_000 - random.nextInt(disorderMs + 1));
                events.add(new Event(prefix + i, "k", i, ts, random.nextInt(partitions)));
            }
            return events;
        }
    }

    /** What the views must produce, computed directly from the events. */
    record Oracle(List<Event> a, List<Event> c) {
        List<String> windows() {
            Map<String, long[]> byWindowKey = new TreeMap<>();
            for (Event e : a) {
                long[] acc = byWindowKey.computeIfAbsent(window(e.ts(), 5) + " " + e.k(), x -> new long[2]);
                acc[0]++;
                acc[1] += e.v();
            }
            List<String> rows = new ArrayList<>();
            byWindowKey.forEach((key, acc) -> rows.add(key + " " + acc[0] + " " + acc[1]));
            return rows;
        }

        List<String> top2() {
            Map<String, Map<String, Long>> counts = new TreeMap<>();
            for (Event e : a) {
                counts.computeIfAbsent(window(e.ts(), 5), x -> new TreeMap<>()).merge(e.k(), 1L, Long::sum);
            }
            List<String> rows = new ArrayList<>();
            counts.forEach((window, byKey) -> {
                List<Map.Entry<String, Long>> ranked = new ArrayList<>(byKey.entrySet());
                ranked.sort(Map.Entry.<String, Long>comparingByValue().reversed().thenComparing(Map.Entry.comparingByKey()));
                for (int rn = 1; rn <= Math.min(2, ranked.size()); rn++) {
                    rows.add(window + " " + rn + " " + ranked.get(rn - 1).getKey() + " " + ranked.get(rn - 1).getValue());
                }
            });
            return rows;
        }

        List<String> lag() {
            List<String> rows = new ArrayList<>();
            for (Event e : c) {
                Event previous = null;
                for (Event o : c) {
                    if (o.k().equals(e.k()) && o.ts().isBefore(e.ts()) && (previous == null || o.ts().isAfter(previous.ts()))) {
                        previous = o;
                    }
                }
                rows.add(e.id() + " " + (previous == null ? "null" : previous.v()));
            }
            return rows;
        }

        List<String> pairs() {
            List<String> rows = new ArrayList<>();
            for (Event x : c) {
                for (Event y : c) {
                    if (x.k().equals(y.k()) && y.ts().isBefore(x.ts()) && !y.ts().isBefore(x.ts().minusSeconds(1))) {
                        rows.add(x.id() + " " + y.id());
                    }
                }
            }
            return rows;
        }
    }

    /** Reads result and late topics as committed (read_committed), accumulating every record seen. */
    private static final class Results implements AutoCloseable {
        private final KafkaConsumer<byte[], byte[]> consumer;
        private final Map<String, List<JsonNode>> byTopic = new HashMap<>();

        Results(String bootstrap, Collection<String> topics) {
            Properties p = new Properties();
            p.setProperty("bootstrap.servers", bootstrap);
            p.setProperty("group.id", "event-time-it-" + System.nanoTime());
            p.setProperty("auto.offset.reset", "earliest");
            p.setProperty("isolation.level", "read_committed");
            consumer = new KafkaConsumer<>(p, new ByteArrayDeserializer(), new ByteArrayDeserializer());
            consumer.subscribe(topics);
        }

        Results poll() throws Exception {
            for (ConsumerRecord<byte[], byte[]> r : consumer.poll(Duration.ofMillis(200))) {
                byTopic.computeIfAbsent(r.topic(), t -> new ArrayList<>())
                        .add(JSON.readTree(new String(r.value(), StandardCharsets.UTF_8)));
            }
            return this;
        }

        int count(String topic) {
            return byTopic.getOrDefault(topic, List.of()).size();
        }

        /** Waits until each topic has at least its count, then a little longer so that extra records would show. */
        void awaitCounts(Map<String, Integer> counts, Duration timeout) {
            try {
                await().atMost(timeout).pollInterval(Duration.ofMillis(10)).until(() -> {
                    poll();
                    return counts.entrySet().stream().allMatch(e -> count(e.getKey()) >= e.getValue());
                });
            } catch (org.awaitility.core.ConditionTimeoutException e) {
                Map<String, Integer> seen = new TreeMap<>();
                byTopic.forEach((topic, rows) -> seen.put(topic, rows.size()));
                throw new AssertionError("expected at least " + counts + " records, got " + seen, e);
            }
            long until = System.nanoTime() + Duration.ofSeconds(3).toNanos();
            while (System.nanoTime() < until) {
                try {
                    poll();
                } catch (Exception e) {
                    throw new IllegalStateException(e);
                }
            }
        }

        @Override
        public void close() {
            consumer.close();
        }

        List<String> rows(String topic, ThrowingFunction<JsonNode, String> f) throws Exception {
            List<String> rows = new ArrayList<>();
            for (JsonNode node : byTopic.getOrDefault(topic, List.of())) {
                rows.add(f.apply(node));
            }
            return rows;
        }
    }

    @FunctionalInterface
    interface ThrowingFunction<T, R> {
        R apply(T t) throws Exception;
    }
}
