package dev.sluice.engine.internal;

import dev.sluice.SluiceException;
import java.time.Instant;
import java.util.List;
import org.apache.flink.api.common.state.ListState;
import org.apache.flink.api.common.state.ListStateDescriptor;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.runtime.state.FunctionInitializationContext;
import org.apache.flink.runtime.state.FunctionSnapshotContext;
import org.apache.flink.streaming.api.checkpoint.CheckpointedFunction;
import org.apache.flink.streaming.api.functions.ProcessFunction;
import org.apache.flink.types.Row;
import org.apache.flink.util.Collector;
import org.apache.flink.util.OutputTag;

/**
 * Sends each source row where it belongs: rows that failed to parse to the dead-letter output (or fails the job
 * when the source's policy is {@code fail}); rows whose event time is not after the current watermark to the
 * late-events output, because every window they belong to may already have fired; the rest, without the meta
 * fields, to the pipeline. Declaring lateness here, against the source's own watermark, means a late event is
 * recorded instead of being dropped by a window operator downstream. The watermark is kept in checkpoints, so that
 * after a restart events older than the restored watermark are still recognised as late rather than re-opening
 * windows that have already been emitted. One limit remains: with several source subtasks, a partition that was
 * idle long enough to be excluded from the watermark can deliver events that this subtask accepts but a window
 * downstream, driven by the other subtasks, has already closed.
 */
public final class RecordRouter extends ProcessFunction<Row, Row> implements CheckpointedFunction {
    private static final long serialVersionUID = 1L;

    public static final OutputTag<byte[]> DEAD_LETTERS = new OutputTag<>("dead-letters") {};
    public static final OutputTag<byte[]> LATE_EVENTS = new OutputTag<>("late-events") {};

    private final String sourceName;
    private final String topic;
    private final int n;
    private final boolean failOnError;
    /** The highest watermark seen, kept in checkpoints: Flink restarts watermarks from nothing after a restore. */
    private transient long lastWatermark;
    /** The lowest of the subtasks' watermarks at the checkpoint this job restored from. */
    private transient long restoredWatermark;
    private transient ListState<Long> watermarkState;

    public RecordRouter(String sourceName, String topic, int columns, boolean failOnError) {
        this.sourceName = sourceName;
        this.topic = topic;
        this.n = columns;
        this.failOnError = failOnError;
    }

    @Override
    public void processElement(Row in, Context ctx, Collector<Row> out) {
        byte[] deadLetter = (byte[]) in.getField(n);
        if (deadLetter != null) {
            if (failOnError) {
                throw new SluiceException("Source '" + sourceName + "' (on-error: fail) cannot read the record at "
                        + topic + "/" + in.getField(n + 1) + "@" + in.getField(n + 2) + ": "
                        + new String(deadLetter, java.nio.charset.StandardCharsets.UTF_8));
            }
            ctx.output(DEAD_LETTERS, deadLetter);
            return;
        }
        long eventTime = ctx.timestamp();
        long current = ctx.timerService().currentWatermark();
        if (current > lastWatermark) {
            lastWatermark = current;
        }
        // Until the watermark passes the restored one, windows downstream may already have fired for older times.
        long watermark = Math.max(current, restoredWatermark);
        if (eventTime <= watermark) {
            ctx.output(LATE_EVENTS, RejectedRecord.toJson(sourceName, topic, (Integer) in.getField(n + 1),
                    (Long) in.getField(n + 2), (Long) in.getField(n + 3), (byte[]) in.getField(n + 4),
                    (byte[]) in.getField(n + 5), "late: event time " + Instant.ofEpochMilli(eventTime)
                            + " is not after the watermark " + Instant.ofEpochMilli(watermark)));
            return;
        }
        Row row = new Row(in.getKind(), n);
        for (int i = 0; i < n; i++) {
            row.setField(i, in.getField(i));
        }
        out.collect(row);
    }

    @Override
    public void snapshotState(FunctionSnapshotContext context) throws Exception {
        watermarkState.update(List.of(Math.max(lastWatermark, restoredWatermark)));
    }

    @Override
    public void initializeState(FunctionInitializationContext context) throws Exception {
        watermarkState = context.getOperatorStateStore()
                .getUnionListState(new ListStateDescriptor<>("source-watermark", Types.LONG));
        lastWatermark = Long.MIN_VALUE;
        restoredWatermark = Long.MIN_VALUE;
        if (context.isRestored()) {
            // Downstream operators follow the lowest watermark of their inputs, so the lowest is the safe one;
            // subtasks that had seen nothing (idle) do not hold it back.
            long lowest = Long.MAX_VALUE;
            for (Long w : watermarkState.get()) {
                if (w != null && w != Long.MIN_VALUE) {
                    lowest = Math.min(lowest, w);
                }
            }
            restoredWatermark = lowest == Long.MAX_VALUE ? Long.MIN_VALUE : lowest;
        }
    }
}
