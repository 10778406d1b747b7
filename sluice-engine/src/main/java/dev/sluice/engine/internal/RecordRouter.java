package dev.sluice.engine.internal;

import dev.sluice.SluiceException;
import java.time.Instant;
import org.apache.flink.streaming.api.functions.ProcessFunction;
import org.apache.flink.types.Row;
import org.apache.flink.util.Collector;
import org.apache.flink.util.OutputTag;

/**
 * Sends each source row where it belongs: rows that failed to parse to the dead-letter output (or fails the job
 * when the source's policy is {@code fail}); rows whose event time is not after the current watermark to the
 * late-events output, because every window they belong to may already have fired; the rest, without the meta
 * fields, to the pipeline. Declaring lateness here, against the source's own watermark, means a late event is
 * always recorded instead of being silently dropped by a window operator downstream.
 */
public final class RecordRouter extends ProcessFunction<Row, Row> {
    private static final long serialVersionUID = 1L;

    public static final OutputTag<byte[]> DEAD_LETTERS = new OutputTag<>("dead-letters") {};
    public static final OutputTag<byte[]> LATE_EVENTS = new OutputTag<>("late-events") {};

    private final String sourceName;
    private final String topic;
    private final int n;
    private final boolean failOnError;

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
        long watermark = ctx.timerService().currentWatermark();
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
}
