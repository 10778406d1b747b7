package dev.sluice.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import dev.sluice.cli.bench.Bench;
import dev.sluice.cli.bench.BenchProgress;
import dev.sluice.cli.bench.BenchReport;
import dev.sluice.cli.bench.BenchSettings;
import dev.sluice.engine.EngineConfig;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Comparator;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.Callable;
import java.util.stream.Stream;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code sluice bench SCENARIO}: measures one scenario on the whole stack and checks its results. */
@Command(name = "bench", mixinStandardHelpOptions = true,
        description = {"Benchmark a scenario on the whole stack (embedded Kafka, Flink, loader, DuckDB) and check its results.",
                "Scenarios: passthrough, tumbling, hopping, enrichment, session, demo, nexmark-q0, nexmark-q1, nexmark-q2,"
                        + " nexmark-q3, nexmark-q5, nexmark-q7, nexmark-q8. See docs/benchmarks.md."})
final class BenchCommand implements Callable<Integer> {
    /** Exit code when the run finished but stored rows differ from the expected ones. */
    static final int WRONG_RESULTS = 5;

    @Parameters(paramLabel = "SCENARIO", description = "passthrough | tumbling | hopping | enrichment | session | demo | nexmark-qN")
    String scenario;

    @Option(names = "--events", defaultValue = "2000000", paramLabel = "N", description = "Events to process (default: ${DEFAULT-VALUE}).")
    long events;

    @Option(names = "--rate", defaultValue = "max", paramLabel = "R|max",
            description = "max: load all events first, then measure how fast the pipeline goes (default). R: start the pipeline, "
                    + "then send R events/s and measure the delay from each event to its row in storage.")
    String rate;

    @Option(names = "--json", description = "Print the figures as JSON instead of a table.")
    boolean json;

    @Option(names = "--parallelism", paramLabel = "P", description = "Flink parallelism (default: 2 on 2+ cores).")
    Integer parallelism;

    @Option(names = "--checkpoint-interval", defaultValue = "2s", paramLabel = "DURATION", converter = DurationConverter.class,
            description = "Flink checkpoint interval; exactly-once results become visible at each checkpoint (default: ${DEFAULT-VALUE}).")
    Duration checkpointInterval;

    @Option(names = "--data-dir", paramLabel = "DIR",
            description = "Where the run keeps its broker log, Flink state and DuckDB file (default: a temporary directory,"
                    + " deleted afterwards). Must not exist or be empty.")
    Path dataDir;

    @Option(names = "--seed", defaultValue = "42", paramLabel = "N", description = "Seed of the generator (default: ${DEFAULT-VALUE}).")
    long seed;

    @Option(names = "--timeout", defaultValue = "2m", paramLabel = "DURATION", converter = DurationConverter.class,
            description = "Give up when nothing moved for this long (default: ${DEFAULT-VALUE}).")
    Duration timeout;

    @Override
    public Integer call() throws Exception {
        double perSecond = parseRate();
        if (!Bench.scenarios().contains(scenario)) {
            throw new picocli.CommandLine.ParameterException(new picocli.CommandLine(this),
                    "Unknown scenario '" + scenario + "'; expected one of " + Bench.scenarios());
        }
        boolean temporary = dataDir == null;
        Path dir = temporary ? Files.createTempDirectory("sluice-bench-") : dataDir;
        if (!temporary && Files.isDirectory(dir)) {
            try (Stream<Path> entries = Files.list(dir)) {
                // The log directory is made there before the command runs (see Main).
                if (entries.anyMatch(e -> !e.getFileName().toString().equals("logs"))) {
                    throw new picocli.CommandLine.ParameterException(new picocli.CommandLine(this),
                            "--data-dir " + dir + " is not empty; a benchmark needs a fresh directory");
                }
            }
        }
        BenchSettings settings = new BenchSettings(scenario, events, perSecond,
                parallelism != null ? parallelism : EngineConfig.defaultParallelism(), checkpointInterval, dir,
                DemoCommand.defaultPipeline().getParent().getParent(), seed, timeout);
        boolean terminal = System.console() != null && !json;
        if (!json) {
            Console.print(String.format("sluice bench %s: %,d events, %s, parallelism %d, checkpoint every %s, data in %s", scenario,
                    events, perSecond == 0 ? "loaded first, then as fast as possible" : String.format("%,.0f events/s", perSecond),
                    settings.parallelism(), text(checkpointInterval), dir));
        }
        try {
            BenchReport report = Bench.run(settings, p -> {
                if (terminal) {
                    Console.print(progressLine(p));
                }
            });
            Console.print(json ? json(report) : table(report));
            if (!report.correct()) {
                Console.error("sluice bench: the stored results differ from the expected ones:");
                report.problems().forEach(p -> Console.error("  " + p));
                return WRONG_RESULTS;
            }
            return 0;
        } finally {
            if (temporary) {
                delete(dir);
            }
        }
    }

    private double parseRate() {
        if (rate.equalsIgnoreCase("max")) {
            return 0;
        }
        try {
            double r = Double.parseDouble(rate);
            if (r > 0) {
                return r;
            }
        } catch (NumberFormatException e) {
            // reported below
        }
        throw new picocli.CommandLine.ParameterException(new picocli.CommandLine(this),
                "--rate must be 'max' or a positive number of events per second, got '" + rate + "'");
    }

    private static String progressLine(BenchProgress p) {
        return switch (p.phase()) {
            case "loading" -> String.format("  loading: %,d of %,d events (%,.0f/s)", p.done(), p.total(), p.perSecond());
            case "starting" -> "  starting the pipeline...";
            case "checking" -> String.format("  checking %,d stored rows against the expected ones...", p.rowsStored());
            default -> String.format("  running: the job read %,d of %,d events (%,.0f/s), %,d rows stored", p.done(), p.total(),
                    p.perSecond(), p.rowsStored());
        };
    }

    static String table(BenchReport r) {
        StringBuilder out = new StringBuilder();
        String line = "%-34s %s%n";
        out.append(String.format("%nScenario %s, %,d events, %s, parallelism %d, checkpoint %d ms%n", r.scenario(), r.events(),
                r.mode().equals("rate") ? String.format("at %,.0f events/s", r.targetRate()) : "pre-loaded", r.parallelism(),
                r.checkpointMillis()));
        if (r.loadEventsPerSecond() > 0) {
            out.append(String.format(line, "input loaded at", String.format("%,.0f events/s", r.loadEventsPerSecond())));
        }
        out.append(String.format(line, "sustained rate (20%..95% read)", String.format("%,.0f events/s", r.eventsPerSecond())));
        out.append(String.format(line, "overall (submit..last row)", String.format("%,.0f events/s in %.1f s", r.overallEventsPerSecond(),
                r.runSeconds())));
        out.append(String.format(line, "CPU per million events", String.format("%.2f CPU-s", r.cpuSecondsPerMillion())));
        out.append(String.format(line, "stack start (process start..up)", String.format("%,d ms", r.stackStartMillis())));
        out.append(String.format(line, "job start (submit..first row)", String.format("%,d ms", r.jobStartMillis())));
        if (!r.startup().isEmpty()) {
            out.append(String.format(line, "start-up phases (since JVM start)", r.startup().stream()
                    .map(p -> String.format("%s %.1f s", p.name(), p.atMillis() / 1000.0)).collect(java.util.stream.Collectors.joining(", "))));
        }
        out.append(String.format(line, "checkpoints", String.format("%d, median %d ms, max %d ms", r.checkpoints().completed(),
                r.checkpoints().medianMillis(), r.checkpoints().maxMillis())));
        out.append(String.format(line, "peak memory", String.format("heap %,d MB, direct %,d MB, RSS %,d MB", r.memory().heapPeak() >> 20,
                r.memory().directPeak() >> 20, r.memory().rssPeak() >> 20)));
        if (r.delays().isEmpty()) {
            out.append(String.format(line, "event -> row in storage", r.mode().equals("rate") ? "no rows measured"
                    : "not measured: every event waited in the topic (use --rate R)"));
        }
        for (Map.Entry<String, BenchReport.Delays> e : new TreeMap<>(r.delays()).entrySet()) {
            BenchReport.Delays d = e.getValue();
            out.append(String.format(line, "delay " + e.getKey(), String.format("p50 %,d ms, p95 %,d ms, p99 %,d ms, max %,d ms (%,d rows)",
                    d.p50(), d.p95(), d.p99(), d.max(), d.rows())));
        }
        for (Map.Entry<String, Long> e : new TreeMap<>(r.rowsStored()).entrySet()) {
            out.append(String.format(line, "rows stored " + e.getKey(), String.format("%,d", e.getValue())));
        }
        out.append(String.format(line, "results", r.correct() ? "exact (every checked row as expected)"
                : "WRONG: " + r.problems().size() + " problems"));
        return out.toString();
    }

    static String json(BenchReport report) throws IOException {
        return new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT).writeValueAsString(report);
    }

    private static String text(Duration d) {
        return d.toMillis() % 1000 == 0 ? d.toSeconds() + " s" : d.toMillis() + " ms";
    }

    private static void delete(Path dir) {
        try (Stream<Path> paths = Files.walk(dir)) {
            paths.sorted(Comparator.reverseOrder()).forEach(p -> {
                try {
                    Files.deleteIfExists(p);
                } catch (IOException e) {
                    Console.error("sluice bench: cannot delete " + p + ": " + e.getMessage());
                }
            });
        } catch (IOException e) {
            Console.error("sluice bench: cannot delete " + dir + ": " + e.getMessage());
        }
    }
}
