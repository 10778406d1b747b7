package dev.sluice.cli.bench;

import dev.sluice.SluiceException;
import dev.sluice.broker.TopicSpec;
import dev.sluice.cli.bench.internal.DelayRecorder;
import dev.sluice.cli.bench.internal.NexmarkInput;
import dev.sluice.cli.bench.internal.NexmarkScenarios;
import dev.sluice.cli.bench.internal.PaymentScenarios;
import dev.sluice.cli.bench.internal.PaymentsInput;
import dev.sluice.cli.bench.internal.ProcessStats;
import dev.sluice.cli.bench.internal.Scenario;
import dev.sluice.engine.JobMetrics;
import dev.sluice.engine.PipelineRunner;
import dev.sluice.ingest.GeneratorRunner;
import dev.sluice.server.ServerSettings;
import dev.sluice.server.SluiceServer;
import dev.sluice.server.StartupReport;
import dev.sluice.spec.ColumnSpec;
import dev.sluice.spec.PipelineSpec;
import dev.sluice.spec.SourceSpec;
import dev.sluice.spec.SpecParser;
import dev.sluice.storage.ResultLoader;
import dev.sluice.storage.TableDefinition;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The benchmark harness behind {@code sluice bench}: starts the whole stack (embedded broker, Flink MiniCluster, loader,
 * DuckDB, HTTP server) in a fresh data directory, puts a scenario's input into its source topic, runs the scenario's
 * pipeline and measures it, then checks every stored row against an expectation computed in plain Java.
 *
 * <p>Two modes. Pre-loaded ({@code eventsPerSecond == 0}): all events are loaded before the job starts, so producing does
 * not compete with processing; the figure is the job's sustained rate. Fixed rate: the job starts first, the generator
 * sends at the given rate with event times from the wall clock, and the delay from each event to its row in storage is
 * measured exactly (see {@link BenchReport.Delays}).
 *
 * <pre>{@code
 * BenchReport report = Bench.run(new BenchSettings("tumbling", 2_000_000, 0, 2, Duration.ofSeconds(2),
 *         dataDir, Path.of("examples"), 42, Duration.ofMinutes(2)), progress -> {});
 * }</pre>
 */
public final class Bench {
    private static final Logger LOG = LoggerFactory.getLogger(Bench.class);
    private static final Duration SAMPLE = Duration.ofMillis(100);
    private static final Duration PROGRESS = Duration.ofSeconds(2);
    /** The sustained rate is measured between these shares of the input read by the job (start-up and tail excluded). */
    private static final double FROM = 0.20;
    private static final double TO = 0.95;

    private Bench() {}

    /** The scenarios {@link #run} knows. */
    public static List<String> scenarios() {
        List<String> names = new ArrayList<>(PaymentScenarios.names());
        names.addAll(NexmarkScenarios.names());
        return names;
    }

    private static Optional<Scenario> scenario(String name) {
        return PaymentScenarios.create(name).or(() -> NexmarkScenarios.create(name));
    }

    /** One line about {@code scenario}. */
    public static String describe(String scenario) {
        return scenario(scenario).map(Scenario::description).orElse("");
    }

    /**
     * Runs one benchmark; blocks until the last expected row is stored, or nothing moved for {@link BenchSettings#timeout()}.
     *
     * @param progress hears of the run's progress every 2 s, on the calling thread
     * @throws SluiceException when the scenario is unknown, the stack does not start or the run makes no progress
     */
    public static BenchReport run(BenchSettings settings, Consumer<BenchProgress> progress) {
        Scenario scenario = scenario(settings.scenario()).orElseThrow(() -> new SluiceException("Unknown benchmark"
                + " scenario '" + settings.scenario() + "'; expected one of " + scenarios()));
        if (scenario.workload() == Scenario.Workload.NEXMARK && !settings.preloaded()) {
            throw new SluiceException("Scenario '" + scenario.name() + "' runs on pre-loaded input only (--rate max): its"
                    + " expectation is computed by plain Flink SQL from the loaded topics before the pipeline starts");
        }
        PipelineSpec spec;
        try {
            spec = new SpecParser().parse(scenario.pipeline(settings.dataDir().resolve("pipeline"), settings.examplesDir()));
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot write the pipeline of scenario '" + scenario.name() + "' into "
                    + settings.dataDir(), e);
        }
        ServerSettings server = new ServerSettings(settings.dataDir(), Optional.empty(), 0, new Properties(), "localhost", 0,
                settings.parallelism(), settings.checkpointInterval());
        ProcessStats stats = new ProcessStats();
        try (SluiceServer sluice = SluiceServer.start(List.of(), server)) {
            long stackStart = ProcessStats.uptimeMillis();
            BenchReport report = new Run(settings, scenario, spec, sluice, stats, progress, stackStart).execute();
            LOG.info("Benchmark finished: {}", report);
            return report;
        }
    }

    /** One run on a started server. */
    private static final class Run {
        private final BenchSettings settings;
        private final Scenario scenario;
        private final PipelineSpec spec;
        private final SluiceServer server;
        private final ProcessStats stats;
        private final Consumer<BenchProgress> progress;
        private final long stackStartMillis;
        private final SourceSpec source;
        private final java.util.Set<String> sourceTopics = new java.util.HashSet<>();
        private final List<long[]> samples = new ArrayList<>();
        private final List<Long> checkpointDurations = new ArrayList<>();

        Run(BenchSettings settings, Scenario scenario, PipelineSpec spec, SluiceServer server, ProcessStats stats,
                Consumer<BenchProgress> progress, long stackStartMillis) {
            this.settings = settings;
            this.scenario = scenario;
            this.spec = spec;
            this.server = server;
            this.stats = stats;
            this.progress = progress;
            this.stackStartMillis = stackStartMillis;
            this.source = spec.sources().get(0);
            spec.sources().forEach(s -> sourceTopics.add(s.topic()));
        }

        BenchReport execute() {
            List<TopicSpec> topics = new ArrayList<>();
            for (SourceSpec s : spec.sources()) {
                topics.add(TopicSpec.of(s.topic(), s.partitions()));
            }
            server.admin().ensureTopics(topics);
            PaymentsInput input = new PaymentsInput(server.bootstrapServers(), source.topic(), source.partitions(), scenario,
                    settings.seed());
            double loadRate = 0;
            if (settings.preloaded()) {
                long start = System.nanoTime();
                long[] last = {start, 0};
                java.util.function.LongConsumer loading = sent -> {
                    long now = System.nanoTime();
                    if (now - last[0] >= PROGRESS.toNanos()) {
                        progress.accept(new BenchProgress("loading", sent, settings.events(), (sent - last[1]) / ((now - last[0]) / 1e9), 0));
                        last[0] = now;
                        last[1] = sent;
                    }
                };
                if (scenario.workload() == Scenario.Workload.NEXMARK) {
                    new NexmarkInput(server.bootstrapServers(), source.partitions(), settings.seed()).load(settings.events(), loading);
                } else {
                    input.load(settings.events(), loading);
                }
                loadRate = settings.events() / ((System.nanoTime() - start) / 1e9);
                LOG.info("Loaded {} events into topics {} at {} events/s.", settings.events(), sourceTopics, Math.round(loadRate));
            }
            scenario.prepare(server.bootstrapServers(), settings.parallelism());
            progress.accept(new BenchProgress("starting", 0, settings.events(), 0, 0));
            long deployNanos = System.nanoTime();
            long deployMillis = System.currentTimeMillis();
            long cpuAtDeploy = stats.cpuNanos();
            server.deploy(spec);
            ResultLoader loader = server.loader(spec.name());
            DelayRecorder delays = new DelayRecorder(columns(), scenario.origins());
            loader.addRowListener(delays);
            GeneratorRunner generator = null;
            if (!settings.preloaded()) {
                // Only once every task runs (its first checkpoint completed): the delays are those of a running pipeline,
                // not of its start-up.
                awaitFirstCheckpoint();
                delays.startRecording();
                generator = input.start(settings.events(), settings.eventsPerSecond());
            }
            try {
                long endNanos = await(loader, generator, input, delays);
                return report(loader, delays, deployNanos, deployMillis, cpuAtDeploy, endNanos, loadRate);
            } finally {
                if (generator != null) {
                    generator.close();
                }
            }
        }

        private void awaitFirstCheckpoint() {
            PipelineRunner job = server.runner(spec.name());
            long deadline = System.nanoTime() + settings.timeout().toNanos();
            while (server.flink().metrics(job.flinkJobId()).checkpoints().completed() == 0) {
                if (job.failure().isPresent()) {
                    throw new SluiceException("The benchmark job failed: " + job.failure().get().getMessage(), job.failure().get());
                }
                if (System.nanoTime() > deadline) {
                    throw new SluiceException("The benchmark job completed no checkpoint within " + settings.timeout().toSeconds()
                            + " s of its submission");
                }
                sleep(SAMPLE);
            }
        }

        private Map<String, List<String>> columns() {
            Map<String, List<String>> columns = new LinkedHashMap<>();
            for (TableDefinition t : server.pipeline(spec.name()).tables()) {
                columns.put(t.qualifiedName(), t.columns().stream().map(ColumnSpec::name).toList());
            }
            return columns;
        }

        /** Samples until every expected row is stored; returns when (nanoTime) the last one was. */
        private long await(ResultLoader loader, GeneratorRunner generator, PaymentsInput input, DelayRecorder delays) {
            PipelineRunner job = server.runner(spec.name());
            long lastChange = System.nanoTime();
            long lastProgress = lastChange;
            long lastRead = 0;
            long lastStored = 0;
            long progressRead = 0;
            long checkpointsSeen = 0;
            boolean markersSent = settings.preloaded();
            Map<String, Long> expected = null;
            // Completed checkpoints when the job had read all input; -1 before.
            long checkpointsWhenAllRead = -1;
            while (true) {
                sleep(SAMPLE);
                long now = System.nanoTime();
                stats.sample();
                JobMetrics metrics = server.flink().metrics(job.flinkJobId());
                long read = 0;
                for (JobMetrics.SourcePartition p : metrics.sourcePartitions()) {
                    if (sourceTopics.contains(p.topic())) {
                        read += p.position();
                    }
                }
                read = Math.min(read, settings.events());
                samples.add(new long[] {now, read, stats.cpuNanos()});
                if (metrics.checkpoints().completed() > checkpointsSeen) {
                    checkpointsSeen = metrics.checkpoints().completed();
                    checkpointDurations.add(metrics.checkpoints().latestDurationMillis());
                }
                Map<String, Long> stored = loader.rowsLoadedByTable();
                long storedTotal = stored.values().stream().mapToLong(Long::longValue).sum();
                if (read != lastRead || storedTotal != lastStored) {
                    lastChange = now;
                    lastRead = read;
                    lastStored = storedTotal;
                }
                if (!markersSent && generator != null && !generator.running()) {
                    generator.lastError().ifPresent(e -> {
                        throw new SluiceException("The benchmark generator failed: " + e.getMessage(), e);
                    });
                    delays.markersSentAt(System.currentTimeMillis());
                    input.sendMarkers();
                    markersSent = true;
                }
                if (markersSent && expected == null) {
                    expected = scenario.expectedRows();
                }
                if (read >= settings.events() && checkpointsWhenAllRead < 0) {
                    checkpointsWhenAllRead = checkpointsSeen;
                }
                if (expected != null && complete(stored, expected)
                        && (scenario.countsEveryRow() || settled(loader, checkpointsWhenAllRead, checkpointsSeen))) {
                    return now;
                }
                if (job.failure().isPresent()) {
                    throw new SluiceException("The benchmark job failed: " + job.failure().get().getMessage(), job.failure().get());
                }
                if (now - lastChange > settings.timeout().toNanos()) {
                    throw new SluiceException(String.format("The benchmark made no progress for %d s: the job read %,d of %,d events"
                            + " and stored %s rows, expected %s", settings.timeout().toSeconds(), read, settings.events(), stored,
                            expected == null ? "(input still being sent)" : expected));
                }
                if (now - lastProgress >= PROGRESS.toNanos()) {
                    progress.accept(new BenchProgress("running", read, settings.events(),
                            (read - progressRead) / ((now - lastProgress) / 1e9), storedTotal));
                    lastProgress = now;
                    progressRead = read;
                }
            }
        }

        /**
         * For a scenario whose row count does not tell when its last result is stored (an upsert table reaches its number
         * of keys long before their last update): two checkpoints completed after the job had read all input (the second
         * began after the first completed, so its barrier followed every input record and its commit holds every
         * result), and the loader has stored everything committed.
         */
        private static boolean settled(ResultLoader loader, long checkpointsWhenAllRead, long checkpointsSeen) {
            Map<String, Long> lag = loader.lag();
            return checkpointsWhenAllRead >= 0 && checkpointsSeen >= checkpointsWhenAllRead + 2 && !lag.isEmpty()
                    && lag.values().stream().allMatch(l -> l == 0);
        }

        private static boolean complete(Map<String, Long> stored, Map<String, Long> expected) {
            for (Map.Entry<String, Long> e : expected.entrySet()) {
                if (stored.getOrDefault(e.getKey(), 0L) < e.getValue()) {
                    return false;
                }
            }
            return true;
        }

        private BenchReport report(ResultLoader loader, DelayRecorder delays, long deployNanos, long deployMillis, long cpuAtDeploy,
                long endNanos, double loadRate) {
            progress.accept(new BenchProgress("checking", settings.events(), settings.events(), 0,
                    loader.rowsLoadedByTable().values().stream().mapToLong(Long::longValue).sum()));
            // Rows of tables without an expected count (the demo's other tables) may still be on their way: wait for one
            // more checkpoint's results, then compare.
            sleep(settings.checkpointInterval().plusSeconds(1));
            List<String> problems = server.store().inTransaction("check the benchmark's results",
                    c -> scenario.verify(c, spec.name()));
            double runSeconds = (endNanos - deployNanos) / 1e9;
            long[] from = at(FROM);
            long[] to = at(TO);
            double rate = -1;
            double cpuPerMillion = -1;
            if (from != null && to != null && to[1] > from[1] && to[0] > from[0]) {
                rate = (to[1] - from[1]) / ((to[0] - from[0]) / 1e9);
                cpuPerMillion = (to[2] - from[2]) / 1e9 / ((to[1] - from[1]) / 1e6);
            } else {
                // Too few samples for the span (a tiny input): the whole run from the job's submission.
                rate = settings.events() / runSeconds;
                cpuPerMillion = (stats.cpuNanos() - cpuAtDeploy) / 1e9 / (settings.events() / 1e6);
            }
            List<Long> sorted = checkpointDurations.stream().filter(d -> d >= 0).sorted().toList();
            BenchReport.CheckpointStats checkpoints = new BenchReport.CheckpointStats(sorted.size(),
                    sorted.isEmpty() ? -1 : sorted.get((sorted.size() - 1) / 2), sorted.isEmpty() ? -1 : sorted.get(sorted.size() - 1));
            long first = delays.firstStoredAtMillis();
            return new BenchReport(scenario.name(), settings.events(), settings.preloaded() ? "preloaded" : "rate",
                    settings.eventsPerSecond(), settings.parallelism(), settings.checkpointInterval().toMillis(), loadRate, rate,
                    settings.events() / runSeconds, cpuPerMillion, runSeconds, stackStartMillis,
                    first < 0 ? -1 : first - deployMillis, checkpoints, settings.preloaded() ? Map.of() : delays.summary(),
                    new BenchReport.Memory(ProcessStats.heapPeak(), stats.directPeak(), ProcessStats.rssPeak()), problems.isEmpty(),
                    problems, loader.rowsLoadedByTable(), startupPhases());
        }

        /** The server's start-up phases, once its first row is stored (it is by now); empty when the report did not come. */
        private List<StartupReport.Phase> startupPhases() {
            try {
                return server.startup().get(10, java.util.concurrent.TimeUnit.SECONDS).phases();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return List.of();
            } catch (java.util.concurrent.ExecutionException | java.util.concurrent.TimeoutException e) {
                LOG.warn("The server's start-up report did not complete: {}", e.toString());
                return List.of();
            }
        }

        /** The first sample at which the job had read {@code share} of the input, or null. */
        private long[] at(double share) {
            long target = (long) Math.ceil(share * settings.events());
            for (long[] s : samples) {
                if (s[1] >= target) {
                    return s;
                }
            }
            return null;
        }

        private static void sleep(Duration d) {
            try {
                Thread.sleep(d.toMillis());
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new SluiceException("The benchmark was interrupted", e);
            }
        }
    }
}
