package dev.sluice.server;

import java.util.List;

/**
 * A snapshot of one running pipeline, from Kafka offsets, the Flink job and the loader: what the live summary
 * prints and {@code GET /api/v1/pipelines} returns.
 *
 * @param state           {@code RUNNING}; {@code STARTING}; {@code FAILING} when its job is restarting or failed less than
 *                        a minute ago (a crash loop shows as FAILING for as long as it lasts); {@code FAILED} when the job
 *                        has ended with a failure
 * @param failure         the latest failure of the job, with how long ago it happened, while FAILING or FAILED
 * @param taskSlots       task slots of the shared Flink cluster that the pipeline's job takes (its parallelism)
 * @param eventsIn        records ever written to the source topics (their end offsets)
 * @param deadLetters     records of the sources stored in {@code dead_letters}
 * @param lateEvents      records of the sources stored in {@code late_events}
 * @param lateRecordsDropped records Flink operators dropped behind the watermark; late events are routed to
 *                        {@code late_events} before any operator sees them, so anything but 0 means a silent loss
 * @param pipelineLag     source records the Flink job has not read yet: the sum of {@code partitionLag} of consumer
 *                        {@code job}; 0 once it has read all its input
 * @param resultsOut      result rows written to the sink tables since this process started
 * @param rowsLoadedTotal rows written to any table (sinks, dead letters, late events) since this process started
 * @param loaderLag       committed result records not yet in storage
 * @param partitionLag    consumer lag per partition: consumer {@code job} for the source topics, {@code loader} for the
 *                        result, dead-letter and late topics
 * @param checkpoints     the job's checkpoints and restarts
 * @param nodes           the pipeline's graph (sources, views, sinks, dead letters, late events) with records in and
 *                        out and their rates
 * @param operators       the Flink job's operators with records in and out, as Flink counts them
 * @param resources       what the pipeline takes of the machine: CPU and the size of its state
 * @param deployment      the deployment the pipeline's state belongs to, and what its loader skipped from others; null
 *                        when not known
 */
public record PipelineStatus(
        String name,
        String description,
        String state,
        String failure,
        int taskSlots,
        String jobStatus,
        String loaderStatus,
        long eventsIn,
        long deadLetters,
        long lateEvents,
        long lateRecordsDropped,
        long pipelineLag,
        long resultsOut,
        long rowsLoadedTotal,
        long loaderLag,
        List<Source> sources,
        List<String> views,
        List<TableInfo> tables,
        List<PartitionLag> partitionLag,
        Checkpoints checkpoints,
        List<Node> nodes,
        List<Operator> operators,
        Resources resources,
        DeploymentInfo deployment) {

    /** A status without deployment information. */
    public PipelineStatus(String name, String description, String state, String failure, int taskSlots, String jobStatus,
            String loaderStatus, long eventsIn, long deadLetters, long lateEvents, long lateRecordsDropped, long pipelineLag,
            long resultsOut, long rowsLoadedTotal, long loaderLag, List<Source> sources, List<String> views,
            List<TableInfo> tables, List<PartitionLag> partitionLag, Checkpoints checkpoints, List<Node> nodes,
            List<Operator> operators, Resources resources) {
        this(name, description, state, failure, taskSlots, jobStatus, loaderStatus, eventsIn, deadLetters, lateEvents,
                lateRecordsDropped, pipelineLag, resultsOut, rowsLoadedTotal, loaderLag, sources, views, tables, partitionLag,
                checkpoints, nodes, operators, resources, null);
    }

    /**
     * The deployment of a pipeline: its state's life, from creation to a reset (see {@code dev.sluice.storage.Deployment}).
     *
     * @param id                    the id its job writes in the header of every result record
     * @param foreignRecordsSkipped records of other deployments the loader skipped since the pipeline started
     * @param skipped               the same per topic and foreign deployment id ({@code (none)}: written before
     *                              records were marked)
     */
    public record DeploymentInfo(String id, long foreignRecordsSkipped, List<Skipped> skipped) {}

    /** Records of one result topic skipped because another deployment wrote them. */
    public record Skipped(String topic, String deployment, long records) {}

    /**
     * A source and its stream (topic).
     *
     * @param ingest what the HTTP ingest API took for the source's stream since the server started: requests, records
     *               accepted and rejected, request latency (p50, p99); shared by every source that reads the stream
     */
    public record Source(String name, String topic, int partitions, long eventsIn, long deadLetters, long lateEvents,
            IngestMetrics.Snapshot ingest) {}

    /**
     * A storage table and how it is fed.
     *
     * @param delayP50Millis median time from a row's event time to its commit in storage, this run (windows: from
     *                       the window's end)
     * @param delayP99Millis 99th percentile of the same
     * @param newestEventTime the event time of the newest row stored this run (ISO-8601), or null before any
     * @param freshnessMillis now minus {@code newestEventTime}: how far behind real time the table is; -1 before any
     */
    public record TableInfo(String name, String topic, String mode, List<String> primaryKey, long rowsLoaded,
            long delayP50Millis, long delayP99Millis, String newestEventTime, long freshnessMillis) {}

    /**
     * One partition of a topic the pipeline consumes.
     *
     * @param consumer  {@code job} (the Flink job reading a source topic) or {@code loader} (reading a result, dead-letter
     *                  or late topic into storage)
     * @param position  the offset of the next record the consumer reads
     * @param committed the job's offset committed with its latest checkpoint (-1 before any); for the loader the
     *                  offset stored with its rows
     * @param lag       {@code endOffset - position}, never negative
     */
    public record PartitionLag(String consumer, String topic, int partition, long endOffset, long position, long committed,
            long lag) {}

    /**
     * @param lastDurationMillis end-to-end duration of the latest completed checkpoint, -1 before any
     * @param lastAgeMillis      time since the latest completed checkpoint, -1 before any
     */
    public record Checkpoints(long completed, long failed, long lastDurationMillis, long lastAgeMillis, long restarts) {}

    /**
     * A node of the pipeline graph. Counts are -1 where Flink does not count them (a view that is not written by a
     * sink has no operator of its own).
     *
     * @param kind        source, reference, view, sink, dead-letters or late-events
     * @param inputs      ids of the nodes it reads
     * @param recordsIn   records it received (a source: records read from Kafka; a sink: rows written to its topic)
     * @param recordsOut  records it emitted
     */
    public record Node(String id, String kind, String name, List<String> inputs, long recordsIn, long recordsOut,
            double inPerSecond, double outPerSecond) {}

    /** A Flink operator of the job (its parallel subtasks summed), with rates over the last second or more. */
    public record Operator(String name, long recordsIn, long recordsOut, double inPerSecond, double outPerSecond) {}

    /**
     * What a pipeline takes of the machine it shares with the other pipelines of the server. Its task slots are
     * {@code taskSlots}; CPU is measured per thread and attributed by thread name (its Flink tasks, source readers,
     * result writers, loader and notifier); what no single pipeline uses (the broker, checkpoint coordination, the
     * JIT compiler, garbage collection) is in {@code GET /api/v1/pipelines}'s {@code resources}.
     *
     * @param cpuCores   CPU the pipeline's threads used over the latest sampling interval (5 s), in cores
     * @param cpuSeconds CPU seconds the pipeline's threads used since the server started
     * @param stateBytes the size of its state in the latest completed checkpoint (its share of the heap with the
     *                   default state backend, of local disk with RocksDB); -1 before the first checkpoint
     */
    public record Resources(double cpuCores, double cpuSeconds, long stateBytes) {
        public static final Resources NONE = new Resources(0, 0, -1);
    }

    /** Source records the Flink job has read: all of them once {@code pipelineLag} is 0. */
    public long processed() {
        return eventsIn - pipelineLag;
    }

}
