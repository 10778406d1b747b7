package dev.sluice.engine.internal;

import dev.sluice.SluiceException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.apache.flink.api.common.state.ListState;
import org.apache.flink.api.common.state.ListStateDescriptor;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.runtime.state.StateInitializationContext;
import org.apache.flink.runtime.state.StateSnapshotContext;
import org.apache.flink.streaming.api.operators.AbstractStreamOperator;
import org.apache.flink.streaming.api.operators.OneInputStreamOperator;
import org.apache.flink.streaming.api.watermark.Watermark;
import org.apache.flink.streaming.runtime.streamrecord.StreamRecord;
import org.apache.flink.streaming.runtime.watermarkstatus.WatermarkStatus;
import org.apache.flink.table.data.RowData;
import org.apache.flink.table.data.utils.ProjectedRowData;
import org.apache.flink.util.OutputTag;

/**
 * Sends each source row where it belongs: rows that failed to parse to the dead-letter output (or fails the job
 * when the source's policy is {@code fail}); rows whose event time is not after the watermark to the late-events
 * output, because every window they belong to may already have fired; the rest, without the meta fields, to the
 * pipeline. A row passed on is a view of the columns of the row received, not a copy.
 *
 * <p><b>One watermark for routing and for the operators.</b> The router runs behind an all-to-all exchange from the
 * source's subtasks, and it is the one that passes the watermark on: the watermark it judges by is exactly the one
 * every operator downstream receives. An event it lets through is therefore never behind the watermark of a window,
 * join or OVER aggregation that receives it, and an event those operators would drop is recorded here instead.
 *
 * <p><b>Waking up.</b> When every partition of the source was idle (read to its end and quiet, see
 * {@link PartitionWatermarks}) and records arrive again, the partitions' readers see them one after the other, each as
 * soon as its own fetch returns and its thread gets the CPU; the first to report would otherwise carry the watermark
 * past records its siblings have not delivered yet. So after the source wakes up the router keeps the watermark where it
 * was until every partition of the source has delivered a record again (a row or a dead letter) and, for
 * {@link #WAKE_UP_QUIET}, no record has arrived that is behind the newly reported watermark. A partition that stays
 * silent holds it for the source's idle timeout, after which it counts as idle again as it would by the readers' own
 * rule; the hold never lasts longer than {@link #WAKE_UP_MAX}. Records that arrive during the hold are on time as long
 * as they are after the held watermark.
 *
 * <p><b>Restarts.</b> The watermark is kept in checkpoints, so that after a restart events older than the restored
 * watermark are still recognised as late rather than re-opening windows that have already been emitted.
 */
public final class RecordRouter extends AbstractStreamOperator<RowData> implements OneInputStreamOperator<RowData, RowData> {
    private static final long serialVersionUID = 1L;

    public static final OutputTag<byte[]> DEAD_LETTERS = new OutputTag<>("dead-letters") {};
    public static final OutputTag<byte[]> LATE_EVENTS = new OutputTag<>("late-events") {};
    /** How long after a wake-up no record may have been behind the reported watermark before it is passed on. */
    static final Duration WAKE_UP_QUIET = Duration.ofSeconds(1);
    /** The longest the watermark is held after a wake-up, so a partition with old data cannot stall the pipeline. */
    static final Duration WAKE_UP_MAX = Duration.ofSeconds(30);

    private final String sourceName;
    private final String topic;
    private final int partitions;
    private final long idleTimeoutMillis;
    private final int n;
    private final boolean failOnError;
    private final int[] columns;

    /** The watermark passed downstream and judged by. */
    private transient long watermark;
    /** The newest watermark from the source while it is held after a wake-up. */
    private transient long reported;
    private transient boolean idle;
    private transient WakeUpHold hold;
    private transient ListState<Long> watermarkState;

    /**
     * @param partitions  the source topic's partitions, each of which must deliver again before a wake-up is over
     * @param idleTimeout how long a partition without records takes to count as idle (the readers' rule), the longest a
     *                    silent partition holds the watermark after a wake-up
     */
    public RecordRouter(String sourceName, String topic, int partitions, Duration idleTimeout, int columns, boolean failOnError) {
        this.sourceName = sourceName;
        this.topic = topic;
        this.partitions = partitions;
        this.idleTimeoutMillis = idleTimeout.toMillis();
        this.n = columns;
        this.failOnError = failOnError;
        this.columns = new int[columns];
        for (int i = 0; i < columns; i++) {
            this.columns[i] = i;
        }
    }

    @Override
    public void initializeState(StateInitializationContext context) throws Exception {
        super.initializeState(context);
        watermarkState = context.getOperatorStateStore()
                .getUnionListState(new ListStateDescriptor<>("source-watermark", Types.LONG));
        watermark = Long.MIN_VALUE;
        reported = Long.MIN_VALUE;
        hold = new WakeUpHold(partitions, WAKE_UP_QUIET.toMillis(), idleTimeoutMillis, WAKE_UP_MAX.toMillis());
        if (context.isRestored()) {
            // Operators downstream follow the lowest watermark of their inputs, so the lowest is the safe one;
            // subtasks that had seen nothing do not hold it back.
            long lowest = Long.MAX_VALUE;
            for (Long w : watermarkState.get()) {
                if (w != null && w != Long.MIN_VALUE) {
                    lowest = Math.min(lowest, w);
                }
            }
            if (lowest != Long.MAX_VALUE) {
                watermark = lowest;
                reported = lowest;
            }
        }
    }

    @Override
    public void snapshotState(StateSnapshotContext context) throws Exception {
        super.snapshotState(context);
        watermarkState.update(List.of(watermark));
    }

    @Override
    public void processElement(StreamRecord<RowData> element) {
        RowData in = element.getValue();
        if (hold.holding()) {
            // A dead letter also shows that its partition's reader delivers again.
            hold.record(in.getInt(n + 1), in.isNullAt(n) && element.getTimestamp() <= reported, now());
            releaseIfSettled();
        }
        if (!in.isNullAt(n)) {
            byte[] deadLetter = in.getBinary(n);
            if (failOnError) {
                throw new SluiceException("Source '" + sourceName + "' (on-error: fail) cannot read the record at "
                        + topic + "/" + in.getInt(n + 1) + "@" + in.getLong(n + 2) + ": "
                        + new String(deadLetter, StandardCharsets.UTF_8));
            }
            output.collect(DEAD_LETTERS, new StreamRecord<>(deadLetter));
            return;
        }
        long eventTime = element.getTimestamp();
        if (eventTime <= watermark) {
            output.collect(LATE_EVENTS, new StreamRecord<>(RejectedRecord.toJson(sourceName, topic,
                    in.getInt(n + 1), in.getLong(n + 2), in.getLong(n + 3),
                    in.isNullAt(n + 4) ? null : in.getBinary(n + 4), in.isNullAt(n + 5) ? null : in.getBinary(n + 5),
                    "late: event time " + Instant.ofEpochMilli(eventTime) + " is not after the watermark "
                            + Instant.ofEpochMilli(watermark))));
            return;
        }
        output.collect(element.replace(ProjectedRowData.from(columns).replaceRow(in)));
    }

    @Override
    public void processWatermark(Watermark mark) {
        long value = mark.getTimestamp();
        if (value <= reported) {
            return;
        }
        reported = value;
        if (hold.holding()) {
            releaseIfSettled();
        } else {
            advance(value);
        }
    }

    @Override
    public void processWatermarkStatus(WatermarkStatus status) {
        if (status.isIdle() == idle) {
            return;
        }
        idle = status.isIdle();
        if (!idle) {
            hold.wake(now());
            scheduleHoldCheck();
        }
        output.emitWatermarkStatus(status);
    }

    private void releaseIfSettled() {
        if (hold.release(now())) {
            advance(reported);
        }
    }

    /** Checks the hold again even when no record or watermark comes along to do it. */
    private void scheduleHoldCheck() {
        getProcessingTimeService().registerTimer(now() + WAKE_UP_QUIET.toMillis() / 4, t -> {
            if (hold.holding()) {
                releaseIfSettled();
                if (hold.holding()) {
                    scheduleHoldCheck();
                }
            }
        });
    }

    private void advance(long value) {
        if (value > watermark) {
            watermark = value;
            output.emitWatermark(new Watermark(value));
        }
    }

    private long now() {
        return getProcessingTimeService().getCurrentProcessingTime();
    }
}
