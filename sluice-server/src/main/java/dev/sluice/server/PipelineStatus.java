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
 * @param pipelineLag     source records the Flink job has not yet covered by a completed checkpoint
 * @param resultsOut      result rows written to the sink tables since this process started
 * @param rowsLoadedTotal rows written to any table (sinks, dead letters, late events) since this process started
 * @param loaderLag       committed result records not yet in storage
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
        List<TableInfo> tables) {

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
     */
    public record TableInfo(String name, String topic, String mode, List<String> primaryKey, long rowsLoaded,
            long delayP50Millis, long delayP99Millis) {}

    /** Source records the Flink job has processed and checkpointed. */
    public long processed() {
        return eventsIn - pipelineLag;
    }

}
