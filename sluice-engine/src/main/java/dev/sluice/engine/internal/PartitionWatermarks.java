package dev.sluice.engine.internal;

import java.time.Duration;
import java.util.Map;
import java.util.TreeMap;
import org.apache.flink.api.common.eventtime.TimestampAssigner;
import org.apache.flink.api.common.eventtime.TimestampAssignerSupplier;
import org.apache.flink.api.common.eventtime.Watermark;
import org.apache.flink.api.common.eventtime.WatermarkGenerator;
import org.apache.flink.api.common.eventtime.WatermarkGeneratorSupplier;
import org.apache.flink.api.common.eventtime.WatermarkOutput;
import org.apache.flink.api.common.eventtime.WatermarkStrategy;
import org.apache.flink.table.data.RowData;
import org.apache.flink.util.clock.RelativeClock;
import org.apache.kafka.common.TopicPartition;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Watermarks of one Kafka source, generated per partition (Flink runs one generator per split): the highest event
 * time read from the partition minus the source's {@code max-out-of-orderness}. A source subtask's watermark is the
 * lowest of its partitions' watermarks, and the pipeline's the lowest over the subtasks.
 *
 * <p>A partition stops holding the watermark back (it is <em>idle</em>) only when it has nothing left to read: its
 * consumer reports no records between its position and the partition's end (see {@link ConsumerLagReporter}), no
 * record arrived for {@code idleTimeout}, and its leader has answered for {@link #ANSWERING_FOR} (see
 * {@link PartitionReachability}): a partition whose leader died is not quiet, its producers hold its records until a new
 * leader takes over, and an idle partition whose leader stops answering holds the watermark again. A partition that is merely waiting its turn while a backlog is read, or
 * starved of CPU, keeps its place in the minimum however long that takes, so reading speed can never make an event
 * late. Flink's own {@code withIdleness} counts time without records instead, which during a catch-up let the
 * watermark run ahead of partitions that still had unread records and declared their on-time events late.
 *
 * <p>The idle clock is Flink's input-activity clock, which stands still while the source is back-pressured.
 */
public final class PartitionWatermarks implements WatermarkStrategy<RowData> {
    private static final long serialVersionUID = 1L;
    private static final Logger LOG = LoggerFactory.getLogger(PartitionWatermarks.class);
    /** Flink's scope variable holding the subtask index; the Kafka source appends it to the client id prefix. */
    private static final String SUBTASK_INDEX = "<subtask_index>";

    private final String topic;
    private final String clientIdPrefix;
    private final int columns;
    private final int eventTimeIndex;
    private final int eventTimePrecision;
    private final long maxOutOfOrdernessMillis;
    private final long idleTimeoutNanos;
    private final int partitions;
    private final int readers;

    /**
     * How long a reader that should get partitions but has no consumer yet (its splits are not assigned yet) counts as
     * having records to read. Split assignment follows the job's start within seconds; the bound only matters for a
     * reader that, restored at another parallelism, got no split although the enumerator's rule gives it one.
     */
    static final Duration SPLIT_WAIT = Duration.ofMinutes(2);
    /** How long a partition must have been quiet before its leader is asked whether it answers. */
    static final Duration PROBE_AFTER = Duration.ofSeconds(1);
    /**
     * How long a quiet partition's leader must have answered before the partition may go idle: longer than producers
     * take to deliver what they held back while a new leader was elected.
     */
    static final Duration ANSWERING_FOR = Duration.ofSeconds(5);

    private final Map<String, String> clientSettings;

    /**
     * @param clientIdPrefix the Kafka source's {@code client.id.prefix}, to find this subtask's consumer
     * @param columns        number of schema columns in a row; the record's partition follows them
     * @param eventTimePrecision fractional-second digits of the event-time column's TIMESTAMP type
     * @param partitions     the topic's partitions, and {@code readers} the source's parallelism: which subtasks get a
     *                       partition at all (a topic with fewer partitions than readers leaves some with none)
     * @param clientSettings Kafka client settings that reach the topic's cluster, {@code bootstrap.servers} included, to
     *                       ask a quiet partition's leader whether it answers; empty to trust the consumer's lag alone
     */
    public PartitionWatermarks(String topic, String clientIdPrefix, int columns, int eventTimeIndex, int eventTimePrecision,
            Duration maxOutOfOrderness, Duration idleTimeout, int partitions, int readers, Map<String, String> clientSettings) {
        this.clientSettings = new TreeMap<>(clientSettings);
        this.partitions = partitions;
        this.readers = readers;
        this.topic = topic;
        this.clientIdPrefix = clientIdPrefix;
        this.columns = columns;
        this.eventTimeIndex = eventTimeIndex;
        this.eventTimePrecision = eventTimePrecision;
        this.maxOutOfOrdernessMillis = maxOutOfOrderness.toMillis();
        this.idleTimeoutNanos = idleTimeout.toNanos();
    }

    @Override
    public TimestampAssigner<RowData> createTimestampAssigner(TimestampAssignerSupplier.Context context) {
        int index = eventTimeIndex;
        int precision = eventTimePrecision;
        return (row, previous) -> SourceRecords.eventTime(row, index, precision);
    }

    @Override
    public WatermarkGenerator<RowData> createWatermarkGenerator(WatermarkGeneratorSupplier.Context context) {
        String subtask = context.getMetricGroup().getAllVariables().get(SUBTASK_INDEX);
        if (subtask == null) {
            LOG.warn("The subtask index of topic '{}' is unknown; its partitions count as idle after {} without records"
                    + " even while records are waiting to be read.", topic, Duration.ofNanos(idleTimeoutNanos));
        }
        return new Generator(subtask == null ? null : clientIdPrefix + "-" + subtask,
                subtask != null && ownsAPartition(Integer.parseInt(subtask)), context.getInputActivityClock());
    }

    /**
     * Whether the Kafka source's enumerator gives this subtask a partition of the topic when it starts fresh. Its rule
     * (KafkaSourceEnumerator.getSplitOwner): partition {@code p} goes to reader {@code (start + p) % readers}, where
     * {@code start} is {@code ((topic.hashCode() * 31) & 0x7FFFFFFF) % readers}.
     */
    boolean ownsAPartition(int subtask) {
        if (partitions <= 0 || readers <= 0 || partitions >= readers) {
            return true;
        }
        int start = ((topic.hashCode() * 31) & 0x7FFFFFFF) % readers;
        for (int p = 0; p < partitions; p++) {
            if ((start + p) % readers == subtask) {
                return true;
            }
        }
        return false;
    }

    private final class Generator implements WatermarkGenerator<RowData> {
        private final String clientId;
        /** Whether this subtask's reader gets a partition (see {@link #ownsAPartition}). */
        private final boolean getsPartitions;
        private final long createdNanos;
        private final RelativeClock clock;
        private TopicPartition partition;
        private PartitionReachability reachability;
        private long maxTimestamp = Long.MIN_VALUE;
        private long lastActivityNanos;
        private boolean idle;

        Generator(String clientId, boolean getsPartitions, RelativeClock clock) {
            this.clientId = clientId;
            this.getsPartitions = getsPartitions;
            this.clock = clock;
            this.lastActivityNanos = clock.relativeTimeNanos();
            this.createdNanos = lastActivityNanos;
        }

        @Override
        public void onEvent(RowData row, long eventTimestamp, WatermarkOutput output) {
            if (partition == null) {
                partition = new TopicPartition(topic, row.getInt(columns + 1));
                ConsumerLagReporter lags = lags();
                if (lags != null) {
                    lags.claim(partition);
                }
            }
            if (eventTimestamp > maxTimestamp) {
                maxTimestamp = eventTimestamp;
            }
            lastActivityNanos = clock.relativeTimeNanos();
            if (idle) {
                idle = false;
                output.markActive();
            }
        }

        @Override
        public void onPeriodicEmit(WatermarkOutput output) {
            long now = clock.relativeTimeNanos();
            if (hasUnreadRecords()) {
                lastActivityNanos = now;
            }
            long quietNanos = now - lastActivityNanos;
            boolean answering = answering(quietNanos);
            if (quietNanos >= idleTimeoutNanos && answering) {
                if (!idle) {
                    idle = true;
                    output.markIdle();
                }
                return;
            }
            if (idle) {
                idle = false;
                output.markActive();
            }
            if (maxTimestamp != Long.MIN_VALUE) {
                output.emitWatermark(new Watermark(maxTimestamp - maxOutOfOrdernessMillis - 1));
            }
        }

        /**
         * Whether the partition's leader has answered for {@link #ANSWERING_FOR}; asked once it has been quiet for
         * {@link #PROBE_AFTER}, and on every call while it is, so an idle partition whose leader fails holds again.
         * True when the partition is not known yet or no client settings were given (nothing to ask with).
         */
        private boolean answering(long quietNanos) {
            if (partition == null || clientSettings.isEmpty()) {
                return true;
            }
            if (quietNanos < PROBE_AFTER.toNanos()) {
                return false;
            }
            if (reachability == null) {
                reachability = PartitionReachability.forCluster(clientSettings);
            }
            long since = reachability.answeringSince(partition);
            return since != PartitionReachability.NOT_ANSWERING && System.nanoTime() - since >= ANSWERING_FOR.toNanos();
        }

        /**
         * Whether this partition still has records to read. Before its first record the generator does not know
         * which partition it serves, so any unclaimed partition of its consumer that may have records to read counts,
         * including one the consumer has not fetched yet: its lag is unknown, and a partition waiting behind a backlog
         * must not go idle. Without its consumer nothing is known: the reader has no split yet, which counts as unread
         * for a reader that gets partitions (for up to {@link #SPLIT_WAIT}), while a reader that gets none (fewer
         * partitions than readers) has nothing to read, ever. A partition that has had records counts as read to its
         * end only while no other partition of its consumer has records left: until then its own lag of 0 may be from
         * an older fetch than the one waiting in the buffer.
         */
        private boolean hasUnreadRecords() {
            ConsumerLagReporter lags = lags();
            if (partition == null) {
                if (clientId == null) {
                    return false;
                }
                if (lags == null) {
                    return getsPartitions && clock.relativeTimeNanos() - createdNanos < SPLIT_WAIT.toNanos();
                }
                return lags.unclaimedPartitionMayHaveUnreadRecords();
            }
            // A lag of 0 may be stale while the consumer drains another partition's backlog (see ConsumerLagReporter).
            return lags != null && (lags.lag(partition) > 0 || lags.otherPartitionHasUnreadRecords(partition));
        }

        private ConsumerLagReporter lags() {
            return clientId == null ? null : ConsumerLagReporter.forClient(clientId);
        }
    }
}
