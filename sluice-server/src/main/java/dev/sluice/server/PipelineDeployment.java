package dev.sluice.server;

import dev.sluice.broker.BrokerAdmin;
import dev.sluice.engine.CompiledPipeline;
import dev.sluice.engine.FlinkCluster;
import dev.sluice.engine.JobMetrics;
import dev.sluice.engine.PipelineCompiler;
import dev.sluice.engine.PipelineRunner;
import dev.sluice.spec.PipelineSpec;
import dev.sluice.spec.SourceSpec;
import dev.sluice.storage.DelayHistogram;
import dev.sluice.storage.ResultStore;
import dev.sluice.storage.QueryScope;
import dev.sluice.storage.QueryService;
import dev.sluice.storage.ResultLoader;
import dev.sluice.storage.SkippedRecords;
import dev.sluice.storage.TableDefinition;
import dev.sluice.server.internal.ConsumerLag;
import dev.sluice.server.internal.PipelineGraph;
import dev.sluice.server.internal.RateMeter;
import dev.sluice.server.internal.ResourceMeter;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.apache.flink.api.common.JobStatus;
import org.apache.flink.runtime.executiongraph.ErrorInfo;
import org.apache.kafka.common.TopicPartition;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One pipeline on a {@link SluiceServer}: its Flink job on the shared cluster, its loader into its own schema of
 * the shared store, and the notifier of its alerts. Everything else (broker, cluster, store, API) belongs to the server.
 */
final class PipelineDeployment {
    private static final Logger LOG = LoggerFactory.getLogger(PipelineDeployment.class);
    private static final Duration DRAIN_TIMEOUT = Duration.ofSeconds(15);
    /** How long after its last failure a job that runs again still shows as failing: a crash loop never leaves it. */
    static final Duration FAILING_FOR = Duration.ofMinutes(1);
    /** Rates are computed over at least this long, so that statuses asked for in quick succession agree. */
    static final Duration RATE_WINDOW = Duration.ofSeconds(1);

    private final CompiledPipeline compiled;
    private final ResultLoader loader;
    private final PipelineRunner runner;
    private final int taskSlots;
    private final Clock clock;
    /** Rates of the graph's nodes and the job's operators, by counter; updated by every status. */
    private final Map<String, RateMeter> rates = new ConcurrentHashMap<>();
    private final Optional<AlertDelivery> alerts;

    PipelineDeployment(CompiledPipeline compiled, ResultLoader loader, PipelineRunner runner, int taskSlots, Clock clock,
            Optional<AlertDelivery> alerts) {
        this.alerts = alerts;
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

    /** The notifier of the pipeline's alerts, when it has any. */
    Optional<AlertDelivery> alerts() {
        return alerts;
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
    PipelineStatus status(BrokerAdmin admin, ResultStore store, QueryService queries, FlinkCluster cluster, IngestMetrics ingest,
            ResourceMeter.Cpu cpu) {
        PipelineSpec spec = compiled.spec();
        long nowNanos = System.nanoTime();
        long nowMillis = clock.millis();
        JobMetrics job = cluster.metrics(runner.flinkJobId());
        Map<TopicPartition, Long> sourceEnds = admin.partitionEnds(compiled.sourceTopics());
        Map<String, Long> ends = sumByTopic(sourceEnds, compiled.sourceTopics());
        Map<String, Integer> partitions = admin.partitions(compiled.sourceTopics());
        Map<String, Long> dead = countBySource(queries, PipelineCompiler.DEAD_LETTERS_TABLE);
        Map<String, Long> late = countBySource(queries, PipelineCompiler.LATE_EVENTS_TABLE);
        List<PipelineStatus.Source> sources = new ArrayList<>();
        for (SourceSpec s : spec.sources()) {
            sources.add(new PipelineStatus.Source(s.name(), s.topic(), partitions.getOrDefault(s.topic(), 0),
                    ends.getOrDefault(s.topic(), 0L), dead.getOrDefault(s.name(), 0L), late.getOrDefault(s.name(), 0L),
                    ingest.snapshot(s.topic())));
        }
        // The job's position in a partition is where its reader stands now (Flink's own reader metrics). The offsets the
        // job commits to its consumer group lag behind: Flink commits them asynchronously after a checkpoint completes,
        // and the first commit on a fresh broker waits for Kafka to create its offsets topic (8 s here). After a restart,
        // before the reader has read again, the committed offset (where it resumes) is the better of the two.
        Map<TopicPartition, Long> committed = admin.committedOffsets(compiled.consumerGroup());
        Map<TopicPartition, Long> jobPositions = new HashMap<>(committed);
        Map<TopicPartition, Long> jobCommitted = new HashMap<>(committed);
        for (JobMetrics.SourcePartition p : job.sourcePartitions()) {
            TopicPartition tp = new TopicPartition(sourceTopic(p.topic()), p.partition());
            jobPositions.merge(tp, p.position(), Math::max);
            if (p.committed() >= 0) {
                jobCommitted.merge(tp, p.committed(), Math::max);
            }
        }
        List<PipelineStatus.PartitionLag> partitionLag = new ArrayList<>();
        List<ConsumerLag.Partition> jobLag = ConsumerLag.of(sourceEnds, jobPositions);
        for (ConsumerLag.Partition p : jobLag) {
            partitionLag.add(new PipelineStatus.PartitionLag("job", p.topic(), p.partition(), p.endOffset(), p.position(),
                    jobCommitted.getOrDefault(new TopicPartition(p.topic(), p.partition()), -1L), p.lag()));
        }
        List<ConsumerLag.Partition> loaderLag = loaderPartitionLag(admin, store);
        for (ConsumerLag.Partition p : loaderLag) {
            partitionLag.add(new PipelineStatus.PartitionLag("loader", p.topic(), p.partition(), p.endOffset(), p.position(),
                    p.position(), p.lag()));
        }
        Map<String, Long> loaded = loader.rowsLoadedByTable();
        Map<String, DelayHistogram> delays = loader.delays();
        Map<String, Instant> newest = loader.newestEventTimes();
        List<PipelineStatus.TableInfo> tables = new ArrayList<>();
        long resultsOut = 0;
        for (TableDefinition t : compiled.tables()) {
            long rows = loaded.getOrDefault(t.name(), 0L);
            if (tables.stream().noneMatch(i -> i.name().equals(t.name()))) {
                DelayHistogram delay = delays.get(t.name());
                Instant newestTime = newest.get(t.name());
                tables.add(new PipelineStatus.TableInfo(t.name(), t.topic(), t.mode().name().toLowerCase(), t.primaryKey(), rows,
                        delay.percentile(50).toMillis(), delay.percentile(99).toMillis(),
                        newestTime == null ? null : newestTime.toString(),
                        newestTime == null ? -1 : Math.max(0, nowMillis - newestTime.toEpochMilli())));
                if (spec.sinks().stream().anyMatch(s -> s.table().equals(t.name()))) {
                    resultsOut += rows;
                }
            }
        }
        JobMetrics.Checkpoints c = job.checkpoints();
        PipelineStatus.Checkpoints checkpoints = new PipelineStatus.Checkpoints(c.completed(), c.failed(),
                c.latestDurationMillis(), c.latestCompletedAtMillis() < 0 ? -1 : Math.max(0, nowMillis - c.latestCompletedAtMillis()),
                job.restarts());
        List<PipelineStatus.Operator> operators = new ArrayList<>();
        for (JobMetrics.OperatorCounts o : job.operators()) {
            operators.add(new PipelineStatus.Operator(o.name(), o.recordsIn(), o.recordsOut(),
                    rate("op-in:" + o.name(), o.recordsIn(), nowNanos), rate("op-out:" + o.name(), o.recordsOut(), nowNanos)));
        }
        State state = state(cluster);
        return new PipelineStatus(spec.name(), spec.description(), state.name(), state.failure(), taskSlots,
                runner.status().name(), loader.status().name(), sum(ends), sum(dead), sum(late), job.lateRecordsDropped(),
                ConsumerLag.total(jobLag), resultsOut, loader.rowsLoaded(), ConsumerLag.total(loaderLag), sources,
                spec.views().stream().map(v -> v.name()).toList(), tables, partitionLag, checkpoints,
                nodes(spec, jobLag, dead, late, job, nowNanos), operators,
                new PipelineStatus.Resources(cpu.cores(), cpu.seconds(), c.latestStateBytes()), deploymentInfo());
    }

    private PipelineStatus.DeploymentInfo deploymentInfo() {
        List<PipelineStatus.Skipped> skipped = new ArrayList<>();
        long total = 0;
        for (SkippedRecords s : loader.skippedRecords()) {
            skipped.add(new PipelineStatus.Skipped(s.topic(), s.deployment(), s.count()));
            total += s.count();
        }
        return new PipelineStatus.DeploymentInfo(compiled.deployment().id(), total, skipped);
    }

    /**
     * The pipeline graph with counts: a source's records in are those the job has read from its topic (exact, from its
     * positions), its records out those its Flink source emitted; dead letters and late events count what storage holds;
     * a sink counts the rows its Kafka writer received, which are also what its view emitted.
     */
    private List<PipelineStatus.Node> nodes(PipelineSpec spec, List<ConsumerLag.Partition> jobLag, Map<String, Long> dead,
            Map<String, Long> late, JobMetrics job, long nowNanos) {
        Map<String, Long> read = new HashMap<>();
        for (ConsumerLag.Partition p : jobLag) {
            read.merge(p.topic(), p.position(), Long::sum);
        }
        Map<String, long[]> counts = new HashMap<>();
        for (SourceSpec s : spec.sources()) {
            counts.put(PipelineGraph.sourceId(s.name()), new long[] {read.getOrDefault(s.topic(), 0L),
                    operatorCount(job, "Source: source: " + s.name(), false)});
            long d = dead.getOrDefault(s.name(), 0L);
            long l = late.getOrDefault(s.name(), 0L);
            counts.put(PipelineGraph.deadLettersId(s.name()), new long[] {d, d});
            counts.put(PipelineGraph.lateEventsId(s.name()), new long[] {l, l});
        }
        Map<String, Long> viewOut = new HashMap<>();
        for (var sink : spec.sinks()) {
            long written = operatorCount(job, "result: " + PipelineCompiler.resultTopic(spec, sink.table()), true);
            counts.put(PipelineGraph.sinkId(sink.table()), new long[] {written, written});
            viewOut.merge(sink.view(), written, Math::max);
        }
        viewOut.forEach((view, out) -> counts.put(PipelineGraph.viewId(view), new long[] {-1, out}));
        List<PipelineStatus.Node> nodes = new ArrayList<>();
        for (PipelineGraph.Node n : PipelineGraph.of(spec)) {
            long[] c = counts.getOrDefault(n.id(), new long[] {-1, -1});
            nodes.add(new PipelineStatus.Node(n.id(), n.kind(), n.name(), n.inputs(), c[0], c[1],
                    c[0] < 0 ? -1 : rate("in:" + n.id(), c[0], nowNanos), c[1] < 0 ? -1 : rate("out:" + n.id(), c[1], nowNanos)));
        }
        return nodes;
    }

    /**
     * The source topic a job metric names: as it is, or as a remote cluster's REST API writes it (dots and colons as
     * underscores).
     */
    private String sourceTopic(String reported) {
        for (String topic : compiled.sourceTopics()) {
            if (topic.equals(reported)) {
                return topic;
            }
        }
        for (String topic : compiled.sourceTopics()) {
            if (JobMetrics.metricName(topic).equals(reported)) {
                return topic;
            }
        }
        return reported;
    }

    /**
     * The records in (or out) of the operators whose name starts with {@code prefix}, summed; -1 when there is none.
     * Names compare as a remote cluster's REST API writes them, which also matches the names the embedded cluster reports.
     */
    private static long operatorCount(JobMetrics job, String prefix, boolean in) {
        long sum = -1;
        String wanted = JobMetrics.metricName(prefix);
        for (JobMetrics.OperatorCounts o : job.operators()) {
            String name = JobMetrics.metricName(o.name());
            if (name.startsWith(wanted) && !name.endsWith("Committer")) {
                sum = Math.max(sum, 0) + (in ? o.recordsIn() : o.recordsOut());
            }
        }
        return sum;
    }

    private double rate(String key, long count, long nowNanos) {
        return rates.computeIfAbsent(key, k -> new RateMeter(RATE_WINDOW.toNanos())).record(count, nowNanos);
    }

    private static Map<String, Long> sumByTopic(Map<TopicPartition, Long> ends, List<String> topics) {
        Map<String, Long> result = new HashMap<>();
        for (String t : topics) {
            result.put(t, 0L);
        }
        ends.forEach((tp, offset) -> result.merge(tp.topic(), offset, Long::sum));
        return result;
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
    long loaderLag(BrokerAdmin admin, ResultStore store) {
        return ConsumerLag.total(loaderPartitionLag(admin, store));
    }

    /** Per partition of the result, dead-letter and late topics: the loader's position is the offset stored with its rows. */
    private List<ConsumerLag.Partition> loaderPartitionLag(BrokerAdmin admin, ResultStore store) {
        Set<String> topics = new LinkedHashSet<>();
        compiled.tables().forEach(t -> topics.add(t.topic()));
        Map<TopicPartition, Long> ends = admin.partitionEnds(List.copyOf(topics));
        Map<TopicPartition, Long> stored = new HashMap<>();
        store.committedOffsets().forEach((tp, offset) -> {
            if (topics.contains(tp.topic())) {
                stored.put(tp, offset);
            }
        });
        return ConsumerLag.of(ends, stored);
    }

    /**
     * Stops the job with a savepoint, gives the loader time to store the results that savepoint committed, then stops
     * the loader. Tables, topics and state stay.
     */
    void stop(BrokerAdmin admin, ResultStore store) {
        try {
            runner.close();
            drain(admin, store);
        } finally {
            try {
                alerts.ifPresent(AlertDelivery::close);
            } finally {
                loader.close();
            }
        }
    }

    /** Cancels the job without a savepoint and stops the loader: for when the broker is gone and neither can finish. */
    void cancel() {
        try {
            runner.cancel();
        } finally {
            loader.close();
        }
    }

    private void drain(BrokerAdmin admin, ResultStore store) {
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
