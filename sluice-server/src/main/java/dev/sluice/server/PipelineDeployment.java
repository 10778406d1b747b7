package dev.sluice.server;

import dev.sluice.broker.BrokerAdmin;
import dev.sluice.engine.CompiledPipeline;
import dev.sluice.engine.FlinkCluster;
import dev.sluice.engine.PipelineCompiler;
import dev.sluice.engine.PipelineRunner;
import dev.sluice.spec.PipelineSpec;
import dev.sluice.spec.SourceSpec;
import dev.sluice.storage.DelayHistogram;
import dev.sluice.storage.DuckDbStore;
import dev.sluice.storage.QueryScope;
import dev.sluice.storage.QueryService;
import dev.sluice.storage.ResultLoader;
import dev.sluice.storage.TableDefinition;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.apache.flink.api.common.JobStatus;
import org.apache.flink.runtime.executiongraph.ErrorInfo;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One pipeline on a {@link SluiceServer}: its Flink job on the shared cluster and its loader into its own schema of
 * the shared store. Everything else (broker, cluster, store, API) belongs to the server.
 */
final class PipelineDeployment {
    private static final Logger LOG = LoggerFactory.getLogger(PipelineDeployment.class);
    private static final Duration DRAIN_TIMEOUT = Duration.ofSeconds(15);
    /** How long after its last failure a job that runs again still shows as failing: a crash loop never leaves it. */
    static final Duration FAILING_FOR = Duration.ofMinutes(1);

    private final CompiledPipeline compiled;
    private final ResultLoader loader;
    private final PipelineRunner runner;
    private final int taskSlots;
    private final Clock clock;

    PipelineDeployment(CompiledPipeline compiled, ResultLoader loader, PipelineRunner runner, int taskSlots, Clock clock) {
        this.compiled = compiled;
        this.loader = loader;
        this.runner = runner;
        this.taskSlots = taskSlots;
        this.clock = clock;
    }

    PipelineSpec spec() {
        return compiled.spec();
    }

    String name() {
        return compiled.spec().name();
    }

    CompiledPipeline compiled() {
        return compiled;
    }

    ResultLoader loader() {
        return loader;
    }

    PipelineRunner runner() {
        return runner;
    }

    int taskSlots() {
        return taskSlots;
    }

    /** RUNNING, STARTING, FAILING or FAILED, and the latest failure while FAILING or FAILED. */
    State state(FlinkCluster cluster) {
        JobStatus job = runner.status();
        Optional<ErrorInfo> failure = cluster.lastFailure(runner.flinkJobId());
        Optional<String> described = failure.map(f -> describe(f, clock.millis()));
        if (job == JobStatus.FAILED) {
            return new State("FAILED", described.or(() -> runner.failure().map(Throwable::getMessage)).orElse("the Flink job failed"));
        }
        boolean recent = failure.isPresent() && clock.millis() - failure.get().getTimestamp() < FAILING_FOR.toMillis();
        if (job == JobStatus.FAILING || job == JobStatus.RESTARTING || recent) {
            return new State("FAILING", described.orElse("the Flink job is " + job));
        }
        return switch (job) {
            case RUNNING -> new State("RUNNING", null);
            case CREATED, INITIALIZING, RECONCILING -> new State("STARTING", null);
            default -> new State(job.name(), null);
        };
    }

    record State(String name, String failure) {}

    private static String describe(ErrorInfo failure, long now) {
        String text = failure.getException().getOriginalErrorClassName() + ": " + failure.getException().getMessage();
        return text + " (" + Math.max(0, (now - failure.getTimestamp()) / 1000) + " s ago)";
    }

    /**
     * Counts from Kafka offsets, the job, the loader and storage; a few admin round-trips and two small queries, so
     * call it every few seconds, not per event. Dead letters and late events are counted in storage because the
     * offsets of their transactional topics also count commit markers.
     */
    PipelineStatus status(BrokerAdmin admin, DuckDbStore store, QueryService queries, FlinkCluster cluster, IngestMetrics ingest) {
        PipelineSpec spec = compiled.spec();
        Map<String, Long> ends = admin.endOffsets(compiled.sourceTopics());
        Map<String, Integer> partitions = admin.partitions(compiled.sourceTopics());
        Map<String, Long> dead = countBySource(queries, PipelineCompiler.DEAD_LETTERS_TABLE);
        Map<String, Long> late = countBySource(queries, PipelineCompiler.LATE_EVENTS_TABLE);
        List<PipelineStatus.Source> sources = new ArrayList<>();
        for (SourceSpec s : spec.sources()) {
            sources.add(new PipelineStatus.Source(s.name(), s.topic(), partitions.getOrDefault(s.topic(), 0),
                    ends.getOrDefault(s.topic(), 0L), dead.getOrDefault(s.name(), 0L), late.getOrDefault(s.name(), 0L),
                    ingest.snapshot(s.topic())));
        }
        long pipelineLag = admin.lag(compiled.consumerGroup(), compiled.sourceTopics());
        Map<String, Long> loaded = loader.rowsLoadedByTable();
        Map<String, DelayHistogram> delays = loader.delays();
        List<PipelineStatus.TableInfo> tables = new ArrayList<>();
        long resultsOut = 0;
        for (TableDefinition t : compiled.tables()) {
            long rows = loaded.getOrDefault(t.name(), 0L);
            if (tables.stream().noneMatch(i -> i.name().equals(t.name()))) {
                DelayHistogram delay = delays.get(t.name());
                tables.add(new PipelineStatus.TableInfo(t.name(), t.topic(), t.mode().name().toLowerCase(), t.primaryKey(), rows,
                        delay.percentile(50).toMillis(), delay.percentile(99).toMillis()));
                if (spec.sinks().stream().anyMatch(s -> s.table().equals(t.name()))) {
                    resultsOut += rows;
                }
            }
        }
        State state = state(cluster);
        return new PipelineStatus(spec.name(), spec.description(), state.name(), state.failure(), taskSlots,
                runner.status().name(), loader.status().name(), sum(ends), sum(dead), sum(late), runner.lateRecordsDropped(),
                pipelineLag, resultsOut, loader.rowsLoaded(), loaderLag(admin, store), sources,
                spec.views().stream().map(v -> v.name()).toList(), tables);
    }

    private Map<String, Long> countBySource(QueryService queries, String table) {
        Map<String, Long> counts = new HashMap<>();
        for (List<Object> row : queries.query("SELECT source, count(*) FROM " + table + " GROUP BY source", 10_000,
                QueryScope.pipeline(name())).rows()) {
            counts.put((String) row.get(0), ((Number) row.get(1)).longValue());
        }
        return counts;
    }

    private static long sum(Map<String, Long> values) {
        return values.values().stream().mapToLong(Long::longValue).sum();
    }

    /** Committed records of this pipeline's result, dead-letter and late topics that are not yet in storage. */
    long loaderLag(BrokerAdmin admin, DuckDbStore store) {
        Set<String> topics = new LinkedHashSet<>();
        compiled.tables().forEach(t -> topics.add(t.topic()));
        Map<String, Long> ends = admin.endOffsets(List.copyOf(topics));
        Map<String, Long> stored = new HashMap<>();
        store.committedOffsets().forEach((tp, offset) -> {
            if (topics.contains(tp.topic())) {
                stored.merge(tp.topic(), offset, Long::sum);
            }
        });
        long lag = 0;
        for (Map.Entry<String, Long> e : ends.entrySet()) {
            lag += Math.max(0, e.getValue() - stored.getOrDefault(e.getKey(), 0L));
        }
        return lag;
    }

    /**
     * Stops the job with a savepoint, gives the loader time to store the results that savepoint committed, then stops
     * the loader. Tables, topics and state stay.
     */
    void stop(BrokerAdmin admin, DuckDbStore store) {
        try {
            runner.close();
            drain(admin, store);
        } finally {
            loader.close();
        }
    }

    private void drain(BrokerAdmin admin, DuckDbStore store) {
        long deadline = System.nanoTime() + DRAIN_TIMEOUT.toNanos();
        while (System.nanoTime() < deadline) {
            if (loaderLag(admin, store) == 0) {
                return;
            }
            try {
                Thread.sleep(100);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
        }
        LOG.warn("The loader of pipeline '{}' still had {} result records to store after {}; they will be stored on its next start.",
                name(), loaderLag(admin, store), DRAIN_TIMEOUT);
    }
}
