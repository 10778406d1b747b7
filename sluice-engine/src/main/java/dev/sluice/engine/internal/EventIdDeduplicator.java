package dev.sluice.engine.internal;

import java.time.Duration;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.api.common.state.StateTtlConfig;
import org.apache.flink.api.common.state.ValueState;
import org.apache.flink.api.common.state.ValueStateDescriptor;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.metrics.Counter;
import org.apache.flink.streaming.api.functions.KeyedProcessFunction;
import org.apache.flink.table.data.RowData;
import org.apache.flink.util.Collector;

/**
 * Passes the first row of each event id and drops the rows that repeat it within the horizon: keyed by the
 * source's {@code event-id} column, it remembers each id in keyed state with a processing-time TTL of the horizon,
 * counted from the first sighting (a repeat does not extend it). State is checkpointed, so the guarantee holds across
 * restarts: a row whose id was first seen less than the horizon ago (in processing time) is dropped, once the
 * checkpoint that recorded the first one completed; a repeat older than the horizon passes again.
 *
 * <p>Dropped rows are counted in the operator's {@code duplicatesDropped} metric.
 */
public final class EventIdDeduplicator extends KeyedProcessFunction<String, RowData, RowData> {
    private static final long serialVersionUID = 1L;

    private final Duration horizon;
    private transient ValueState<Boolean> seen;
    private transient Counter dropped;

    public EventIdDeduplicator(Duration horizon) {
        this.horizon = horizon;
    }

    @Override
    public void open(OpenContext context) {
        ValueStateDescriptor<Boolean> descriptor = new ValueStateDescriptor<>("event-id-seen", Types.BOOLEAN);
        descriptor.enableTimeToLive(StateTtlConfig.newBuilder(horizon)
                .setUpdateType(StateTtlConfig.UpdateType.OnCreateAndWrite)
                .setStateVisibility(StateTtlConfig.StateVisibility.NeverReturnExpired)
                .build());
        seen = getRuntimeContext().getState(descriptor);
        dropped = getRuntimeContext().getMetricGroup().counter("duplicatesDropped");
    }

    @Override
    public void processElement(RowData row, Context context, Collector<RowData> out) throws Exception {
        if (seen.value() != null) {
            dropped.inc();
            return;
        }
        seen.update(Boolean.TRUE);
        out.collect(row);
    }
}
