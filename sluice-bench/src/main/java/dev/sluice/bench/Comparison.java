package dev.sluice.bench;

import dev.sluice.broker.BrokerAdmin;
import dev.sluice.broker.EmbeddedKafka;
import dev.sluice.broker.TopicSpec;
import dev.sluice.cli.bench.Bench;
import dev.sluice.cli.bench.BenchReport;
import dev.sluice.cli.bench.BenchSettings;
import dev.sluice.cli.bench.internal.PaymentScenarios;
import dev.sluice.cli.bench.internal.PaymentsInput;
import java.io.PrintStream;
import java.math.BigDecimal;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;

/**
 * The windowed aggregation (10 s tumbling count and sum per merchant) on the same input in Sluice and its peers, one
 * after the other in this JVM, each checked against the same plain-Java expectation: Sluice through {@link Bench} (its
 * own embedded stack, every window stored in DuckDB exactly once), then a hand-written Flink DataStream job, plain Flink
 * SQL, Kafka Streams with a 1 s and a 24 h grace period, and Spark Structured Streaming (a child JVM, see
 * {@link SparkPeer}) with one micro-batch for all input and with a limit per micro-batch, all reading the same pre-loaded
 * topic on one embedded broker. Prints a table: system, time, events/s, CPU-s per million events, correctness.
 *
 * <pre>{@code
 * java ... dev.sluice.bench.Comparison 2000000 2 /tmp/comparison examples sluice-bench-spark/target
 * }</pre>
 */
public final class Comparison {
    static final String TOPIC = "payments";
    static final int PARTITIONS = 4;
    static final long SEED = 42;
    private static final String MARKER_MERCHANT = "m-bench-end";
    static final long SPARK_MAX_OFFSETS_PER_TRIGGER = 200_000;

    private Comparison() {}

    /** One line of the table. */
    record Line(String system, double seconds, double eventsPerSecond, double cpuSecondsPerMillion, String correctness) {}

    /** {@code [events] [parallelism] [work dir] [examples dir] [sluice-bench-spark's target dir]}. */
    public static void main(String[] args) throws Exception {
        long events = args.length > 0 ? Long.parseLong(args[0]) : 2_000_000;
        int parallelism = args.length > 1 ? Integer.parseInt(args[1]) : 2;
        Path dir = args.length > 2 ? Path.of(args[2]) : Files.createTempDirectory("sluice-comparison-");
        Path examples = args.length > 3 ? Path.of(args[3]) : Path.of("examples");
        Path sparkTarget = args.length > 4 ? Path.of(args[4]) : Path.of("sluice-bench-spark", "target");
        print(run(events, parallelism, dir, examples, sparkTarget), events, System.out);
        System.exit(0);
    }

    static List<Line> run(long events, int parallelism, Path dir, Path examples, Path sparkTarget) throws Exception {
        List<Line> lines = new ArrayList<>();
        BenchReport sluice = Bench.run(new BenchSettings("tumbling", events, 0, parallelism, Duration.ofSeconds(2),
                dir.resolve("sluice"), examples, SEED, Duration.ofMinutes(2)), p -> { });
        lines.add(new Line("Sluice (every window stored in DuckDB, exactly-once)", sluice.runSeconds(), sluice.overallEventsPerSecond(),
                sluice.cpuSecondsPerMillion(), (sluice.correct() ? "exact" : "WRONG " + sluice.problems())
                        + String.format("; sustained %,.0f events/s", sluice.eventsPerSecond())));
        lines.addAll(runPeers(events, dir, peers(parallelism, dir, sparkTarget)));
        return lines;
    }

    /**
     * The peers in the order of the table: the Flink DataStream job, Flink SQL, Kafka Streams with a 1 s and a 24 h grace
     * period, and Spark Structured Streaming with one micro-batch for the whole input and with
     * {@value #SPARK_MAX_OFFSETS_PER_TRIGGER} records per micro-batch.
     */
    static List<Peer> peers(int parallelism, Path dir, Path sparkTarget) {
        return List.of(new FlinkDataStreamPeer(parallelism), new FlinkSqlPeer(parallelism),
                new KafkaStreamsPeer(parallelism, Duration.ofSeconds(1)), new KafkaStreamsPeer(parallelism, Duration.ofHours(24)),
                new SparkPeer(sparkTarget, parallelism, 0, dir.resolve("spark-all")),
                new SparkPeer(sparkTarget, parallelism, SPARK_MAX_OFFSETS_PER_TRIGGER, dir.resolve("spark-batches")));
    }

    /** Loads {@code events} payments into a topic on a fresh embedded broker, then runs each peer on it in turn. */
    static List<Line> runPeers(long events, Path dir, List<Peer> peers) throws Exception {
        List<Line> lines = new ArrayList<>();
        try (EmbeddedKafka kafka = EmbeddedKafka.start(dir.resolve("kafka"), 0);
             BrokerAdmin admin = new BrokerAdmin(kafka.bootstrapServers(), new Properties())) {
            admin.ensureTopics(List.of(TopicSpec.of(TOPIC, PARTITIONS)));
            PaymentScenarios.Tumbling expectation = new PaymentScenarios.Tumbling();
            new PaymentsInput(kafka.bootstrapServers(), TOPIC, PARTITIONS, expectation, SEED).load(events, n -> { });
            Map<List<Object>, List<Object>> expected = expectation.expected();
            for (Peer peer : peers) {
                PeerRun run = peer.run(kafka.bootstrapServers(), TOPIC, events);
                lines.add(new Line(peer.name(), run.seconds(), events / run.seconds(), run.cpuSeconds() / (events / 1e6),
                        check(run.windows(), expected) + (run.note().isEmpty() ? "" : "; " + run.note())));
            }
        }
        return lines;
    }

    /** "exact", or how the peer's windows differ from the expectation (events missing from the counts). */
    static String check(Map<List<Object>, long[]> windows, Map<List<Object>, List<Object>> expected) {
        long expectedEvents = 0;
        long countedEvents = 0;
        int wrong = 0;
        int missing = 0;
        for (Map.Entry<List<Object>, List<Object>> e : expected.entrySet()) {
            long count = (Long) e.getValue().get(0);
            long cents = ((BigDecimal) e.getValue().get(1)).movePointRight(2).longValueExact();
            expectedEvents += count;
            long[] got = windows.get(e.getKey());
            if (got == null) {
                missing++;
            } else if (got[0] != count || got[1] != cents) {
                wrong++;
            }
        }
        int extra = 0;
        for (Map.Entry<List<Object>, long[]> e : windows.entrySet()) {
            if (MARKER_MERCHANT.equals(e.getKey().get(0))) {
                continue;
            }
            countedEvents += e.getValue()[0];
            if (!expected.containsKey(e.getKey())) {
                extra++;
            }
        }
        if (wrong == 0 && missing == 0 && extra == 0) {
            return "exact";
        }
        return String.format("WRONG: %,d of %,d windows missing, %,d wrong, %,d unexpected; %,d of %,d events counted (%.1f%% dropped)",
                missing, expected.size(), wrong, extra, countedEvents, expectedEvents,
                100.0 * (expectedEvents - countedEvents) / Math.max(1, expectedEvents));
    }

    static void print(List<Line> lines, long events, PrintStream out) {
        out.printf("%n10 s tumbling count+sum per merchant, %,d JSON payments pre-loaded in a %d-partition topic%n", events, PARTITIONS);
        out.println("| system | submit to last result (s) | events/s | CPU-s per million events | results |");
        out.println("|---|---|---|---|---|");
        for (Line l : lines) {
            out.printf("| %s | %.1f | %,.0f | %.2f | %s |%n", l.system(), l.seconds(), l.eventsPerSecond(), l.cpuSecondsPerMillion(),
                    l.correctness());
        }
    }
}
