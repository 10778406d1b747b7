package dev.sluice.engine;

import java.util.List;

/**
 * What one Flink job reports about itself: where its Kafka sources are in each partition, the records each operator
 * took in and sent out, its checkpoints, restarts and records dropped as late. On the embedded cluster they are read in
 * this JVM from its metric reporters and execution graph (the embedded cluster opens no REST API), and counts only
 * grow: counters of tasks that ended (a restart) stay in the totals. On a remote cluster they come from its REST API,
 * as fresh as its metric fetcher (every 10 s by default), and a task that restarts counts from 0 again.
 *
 * @param sourcePartitions the position of the job's Kafka readers in each source partition they have read
 * @param operators        records in and out per operator (summed over its parallel subtasks), by operator name
 * @param checkpoints      completed and failed checkpoints and the latest one; {@link Checkpoints#NONE} before any
 * @param restarts         how often the job has restarted after a failure
 * @param lateRecordsDropped records the job's operators dropped behind the watermark (Flink's
 *                           {@code numLateRecordsDropped}, summed)
 */
public record JobMetrics(List<SourcePartition> sourcePartitions, List<OperatorCounts> operators, Checkpoints checkpoints,
        long restarts, long lateRecordsDropped) {

    public JobMetrics {
        sourcePartitions = List.copyOf(sourcePartitions);
        operators = List.copyOf(operators);
    }

    /**
     * A name as Flink's metric query service, and so a remote cluster's REST API, writes it: {@code ' '}, {@code ','},
     * {@code '.'} and {@code ':'} become {@code '_'}. Operator and topic names of a remote job's metrics come in this
     * form; names compared through it match in both forms.
     */
    public static String metricName(String name) {
        return name.replace(' ', '_').replace(',', '_').replace('.', '_').replace(':', '_');
    }

    /**
     * One partition of a source topic as the job's reader sees it.
     *
     * @param position  the offset of the next record the job will read (the last read record's offset plus one); 0 when
     *                  it has read nothing yet
     * @param committed the offset the job committed to Kafka with its latest completed checkpoint, or -1 before any
     */
    public record SourcePartition(String topic, int partition, long position, long committed) {}

    /** Records an operator received and emitted, over all its subtasks and restarts. */
    public record OperatorCounts(String name, long recordsIn, long recordsOut) {}

    /**
     * @param latestDurationMillis end-to-end duration of the latest completed checkpoint, or -1 before any
     * @param latestCompletedAtMillis epoch millis when the latest completed checkpoint was acknowledged, or -1 before any
     * @param latestStateBytes the size of the job's state in the latest completed checkpoint (all operators and
     *                         subtasks; the full size, also when the checkpoint was incremental), or -1 before any
     * @param latestTriggeredAtMillis epoch millis (the JobManager's clock) when the latest completed checkpoint was
     *                                triggered, or -1 before any; savepoints do not count
     */
    public record Checkpoints(long completed, long failed, long latestDurationMillis, long latestCompletedAtMillis,
            long latestStateBytes, long latestTriggeredAtMillis) {
        public static final Checkpoints NONE = new Checkpoints(0, 0, -1, -1, -1, -1);
    }
}
