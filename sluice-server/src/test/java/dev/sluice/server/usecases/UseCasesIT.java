package dev.sluice.server.usecases;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.sluice.server.ServerSettings;
import dev.sluice.server.SluiceServer;
import dev.sluice.spec.PipelineSpec;
import dev.sluice.spec.SpecParser;
import dev.sluice.storage.QueryScope;
import dev.sluice.storage.QueryService;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import java.util.Set;
import java.util.SplittableRandom;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The five shipped use cases ({@code examples/fraud-detection}, {@code live-dashboards}, {@code stock-trading},
 * {@code ride-tracking}, {@code recommendations}) side by side on one server: one embedded broker, one Flink cluster,
 * one DuckDB file. Each is fed a seeded, bounded input with out-of-order events, and every table it stores must
 * equal what {@link FraudDetection}, {@link LiveDashboards}, {@link StockTrading}, {@link RideTracking} and
 * {@link Recommendations} compute from that input in plain Java. Then stock trading crash-loops on a malformed tick
 * (its source has {@code on-error: fail} in this test), and the other four must take a second phase of input, late
 * events and dead letters, and store the exact results within {@link #LATENCY_BOUND} of the last record sent.
 */
class UseCasesIT {
    private static final Logger LOG = LoggerFactory.getLogger(UseCasesIT.class);
    private static final long T0 = Instant.parse("2026-01-01T00:00:00Z").toEpochMilli();
    /** Exact results of a phase stored at most this long after its last record was written to Kafka. */
    static final Duration LATENCY_BOUND = Duration.ofSeconds(60);
    private static final List<UseCase> USE_CASES = List.of(new FraudDetection(), new LiveDashboards(), new StockTrading(),
            new RideTracking(), new Recommendations());
    private static final String CRASHING = "stock_trading";

    @TempDir
    Path dir;

    /** What each topic was sent that the pipelines count (no late events, no malformed records), in write order. */
    private final Map<String, List<Event>> sent = new HashMap<>();

    @Test
    void fiveUseCasesAreExactSideBySideAndOneCrashLoopDoesNotDisturbTheOthers() throws Exception {
        List<PipelineSpec> specs = new ArrayList<>();
        for (UseCase u : USE_CASES) {
            specs.add(spec(u));
        }
        ServerSettings settings = new ServerSettings(dir.resolve("data"), Optional.empty(), 0, new Properties(), "localhost", 0, 1,
                Duration.ofMillis(500)).withTaskSlots(USE_CASES.size());
        try (SluiceServer server = SluiceServer.start(specs, settings)) {
            long phase1End = phase(server, new SplittableRandom(13), "a-", T0, List.of());
            Map<String, Duration> first = awaitExact(server, USE_CASES, phase1End);
            LOG.info("Phase 1 stored exactly after {} (per pipeline, from the last record written)", first);
            Map<String, List<List<String>>> tradingTables = expected(server, new StockTrading());

            // A malformed tick fails the trading job on every restart: a crash loop.
            send(server, List.of(), Map.of("ticks", List.of("{\"event_id\": \"broken")));
            await().atMost(Duration.ofMinutes(1)).untilAsserted(() -> assertThat(server.status(CRASHING).state()).isEqualTo("FAILING"));

            List<UseCase> others = USE_CASES.stream().filter(u -> !u.pipeline().equals(CRASHING)).toList();
            long start2 = sent.values().stream().flatMap(List::stream).mapToLong(Event::ts).max().orElseThrow() + Oracle.MINUTE;
            Map<String, List<String>> extras = new LinkedHashMap<>();
            List<Event> late = new ArrayList<>();
            for (String topic : List.of("payments", "clickstream", "rides")) {
                extras.put(topic, List.of("not json at all"));
                late.add(useCaseOf(topic).heartbeat(1, T0 + 1_000));
            }
            long phase2End = phase(server, new SplittableRandom(14), "b-", start2, others, late, extras);
            Map<String, Duration> second = awaitExact(server, others, phase2End);
            LOG.info("Phase 2 with {} crash-looping stored exactly after {} (per pipeline, from the last record written)", CRASHING,
                    second);
            second.forEach((pipeline, latency) -> assertThat(latency).as(pipeline).isLessThanOrEqualTo(LATENCY_BOUND));
            for (UseCase u : others) {
                assertThat(rows(server, u.pipeline(), "SELECT source, record_value FROM dead_letters"))
                        .containsExactly(List.of(u.pipeline().equals("fraud_detection") ? "payments"
                                : u.pipeline().equals("ride_tracking") ? "ride_events" : "clicks", "not json at all"));
                assertThat(rows(server, u.pipeline(), "SELECT record_value FROM late_events")).as(u.pipeline())
                        .contains(List.of(useCaseOf(u.topic()).heartbeat(1, T0 + 1_000).json()));
                assertThat(server.status(u.pipeline()).state()).as(u.pipeline()).isEqualTo("RUNNING");
                assertThat(server.status(u.pipeline()).lateRecordsDropped()).as(u.pipeline()).isZero();
            }
            assertThat(server.status(CRASHING).state()).isEqualTo("FAILING");
            StockTrading trading = new StockTrading();
            for (Map.Entry<String, String> q : trading.queries().entrySet()) {
                assertThat(Oracle.sorted(rows(server, CRASHING, q.getValue()))).as(q.getKey()).isEqualTo(tradingTables.get(q.getKey()));
            }
        }
    }

    private long phase(SluiceServer server, SplittableRandom random, String prefix, long start, List<UseCase> only) throws Exception {
        return phase(server, random, prefix, start, only, List.of(), Map.of());
    }

    /**
     * Sends one phase: for each topic (of {@code only}, or all) its events with ids starting with {@code prefix}, in an
     * order up to 3 s away from event-time order, then a heartbeat a minute after the last one on every partition, then
     * {@code late} events and {@code extras} (raw records). Returns when the last record was acknowledged, in nanos.
     */
    private long phase(SluiceServer server, SplittableRandom random, String prefix, long start, List<UseCase> only, List<Event> late,
            Map<String, List<String>> extras) throws Exception {
        Map<String, UseCase> byTopic = new LinkedHashMap<>();
        for (UseCase u : only.isEmpty() ? USE_CASES : only) {
            byTopic.putIfAbsent(u.topic(), u);
        }
        List<Event> batch = new ArrayList<>();
        for (UseCase u : byTopic.values()) {
            List<Event> events = unique(u.events(random.split(), prefix, start));
            long[] jitter = new long[events.size()];
            for (int i = 0; i < jitter.length; i++) {
                jitter[i] = events.get(i).ts() + random.nextLong(3_000);
            }
            List<Integer> order = new ArrayList<>();
            for (int i = 0; i < events.size(); i++) {
                order.add(i);
            }
            order.sort(Comparator.comparingLong(i -> jitter[i]));
            List<Event> written = new ArrayList<>();
            order.forEach(i -> written.add(events.get(i)));
            long heartbeat = events.get(events.size() - 1).ts() + Oracle.MINUTE;
            for (int p = 0; p < Event.PARTITIONS; p++) {
                written.add(u.heartbeat(p, heartbeat));
            }
            sent.computeIfAbsent(u.topic(), t -> new ArrayList<>()).addAll(written);
            batch.addAll(written);
        }
        batch.addAll(late);
        return send(server, batch, extras);
    }

    /** Event times made unique within a topic (a later event at the same millisecond moves 1 ms on). */
    private static List<Event> unique(List<Event> events) {
        List<Event> out = new ArrayList<>();
        long last = Long.MIN_VALUE;
        for (Event e : events) {
            long ts = Math.max(e.ts(), last + 1);
            out.add(new Event(e.topic(), e.key(), e.partition(), ts, e.fields()));
            last = ts;
        }
        return out;
    }

    private static UseCase useCaseOf(String topic) {
        return USE_CASES.stream().filter(u -> u.topic().equals(topic)).findFirst().orElseThrow();
    }

    private static long send(SluiceServer server, List<Event> events, Map<String, List<String>> raw) throws Exception {
        Properties p = new Properties();
        p.setProperty("bootstrap.servers", server.bootstrapServers());
        p.setProperty("acks", "all");
        p.setProperty("linger.ms", "5");
        try (KafkaProducer<String, String> producer = new KafkaProducer<>(p, new StringSerializer(), new StringSerializer())) {
            for (Event e : events) {
                producer.send(new ProducerRecord<>(e.topic(), e.partition(), e.key(), e.json()));
            }
            for (Map.Entry<String, List<String>> r : raw.entrySet()) {
                for (String value : r.getValue()) {
                    producer.send(new ProducerRecord<>(r.getKey(), 2, "bad", value));
                }
            }
            producer.flush();
        }
        return System.nanoTime();
    }

    /**
     * The expectation from what was sent, less the records the pipeline itself routed to {@code late_events}. None is
     * late by construction, but when a source wakes up on a starved machine a partition read more than 1 s after the
     * others can be (docs/pipeline-spec.md, event time rules 4 and 7); such records are counted nowhere else, which
     * this checks too.
     */
    private Map<String, List<List<String>>> expected(SluiceServer server, UseCase u) {
        List<Event> events = sent.get(u.topic());
        Set<String> late = new HashSet<>();
        rows(server, u.pipeline(), "SELECT record_value FROM late_events").forEach(r -> late.add(r.get(0)));
        List<Event> counted = late.isEmpty() ? events : events.stream().filter(e -> !late.contains(e.json())).toList();
        if (counted.size() < events.size()) {
            LOG.warn("{} routed {} of the events sent to late_events; they are left out of its expectation", u.pipeline(),
                    events.size() - counted.size());
        }
        return u.expected(counted, Oracle.finalWatermark(events));
    }

    /** Waits until every table of every pipeline is exact; returns how long each pipeline took after {@code since}. */
    private Map<String, Duration> awaitExact(SluiceServer server, List<UseCase> useCases, long since) {
        Map<String, Duration> took = new LinkedHashMap<>();
        await().atMost(Duration.ofMinutes(3)).pollInterval(Duration.ofMillis(500)).untilAsserted(() -> {
            List<String> differences = new ArrayList<>();
            for (UseCase u : useCases) {
                if (took.containsKey(u.pipeline())) {
                    continue;
                }
                Map<String, List<List<String>>> expected = expected(server, u);
                List<String> mine = new ArrayList<>();
                for (Map.Entry<String, String> q : u.queries().entrySet()) {
                    List<List<String>> actual = Oracle.sorted(rows(server, u.pipeline(), q.getValue()));
                    List<List<String>> want = expected.get(q.getKey());
                    if (!actual.equals(want)) {
                        mine.add(difference(u.pipeline() + "." + q.getKey(), want, actual));
                    }
                }
                if (mine.isEmpty()) {
                    took.put(u.pipeline(), Duration.ofNanos(System.nanoTime() - since));
                    expected.forEach((table, rows) -> assertThat(rows).as(u.pipeline() + "." + table + " has rows").isNotEmpty());
                }
                differences.addAll(mine);
            }
            assertThat(differences).as("tables that differ from the expectation").isEmpty();
        });
        return took;
    }

    /** What a table misses and has too much, the first few rows of each. */
    private static String difference(String table, List<List<String>> expected, List<List<String>> actual) {
        List<List<String>> missing = new ArrayList<>(expected);
        missing.removeAll(actual);
        List<List<String>> extra = new ArrayList<>(actual);
        extra.removeAll(expected);
        return table + ": " + expected.size() + " rows expected, " + actual.size() + " stored; missing " + missing.size() + " "
                + missing.subList(0, Math.min(4, missing.size())) + "; unexpected " + extra.size() + " "
                + extra.subList(0, Math.min(4, extra.size()));
    }

    private static List<List<String>> rows(SluiceServer server, String pipeline, String sql) {
        List<List<String>> rows = new ArrayList<>();
        for (List<Object> row : new QueryService(server.store()).query(sql, 100_000, QueryScope.pipeline(pipeline)).rows()) {
            List<String> values = new ArrayList<>();
            row.forEach(v -> values.add(Oracle.text(v)));
            rows.add(values);
        }
        return rows;
    }

    /** The shipped example; stock trading fails its job on a malformed record here, so that it can crash-loop. */
    private PipelineSpec spec(UseCase u) throws Exception {
        Path file = Path.of("..", "examples", u.example(), "pipeline.yaml").toAbsolutePath().normalize();
        String yaml = Files.readString(file);
        if (u.pipeline().equals(CRASHING)) {
            assertThat(yaml).contains("on-error: dead-letter");
            yaml = yaml.replace("on-error: dead-letter", "on-error: fail");
        }
        return new SpecParser().parse(yaml, file);
    }
}
