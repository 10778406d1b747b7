package dev.sluice.engine.internal;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.sluice.alerts.AlertNotification;
import dev.sluice.alerts.AlertRule;
import dev.sluice.alerts.AlertState;
import dev.sluice.alerts.AlertStateMachine;
import dev.sluice.alerts.NotificationJson;
import java.io.IOException;
import java.math.BigDecimal;
import java.time.Clock;
import java.time.Instant;
import java.time.LocalDateTime;
import java.time.ZoneOffset;
import java.util.LinkedHashMap;
import java.util.Map;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.api.common.state.ValueState;
import org.apache.flink.api.common.state.ValueStateDescriptor;
import org.apache.flink.api.java.tuple.Tuple2;
import org.apache.flink.streaming.api.functions.KeyedProcessFunction;
import org.apache.flink.types.Row;
import org.apache.flink.util.Collector;

/**
 * The Flink adapter around {@link AlertStateMachine}: keyed by the alert's key text, it keeps the machine's
 * {@link AlertState} and its one pending event-time timer in Flink state (so both survive restarts and rescaling) and
 * emits each notification as (Kafka key, JSON value).
 */
public final class AlertFunction extends KeyedProcessFunction<String, Row, Tuple2<String, byte[]>> {
    private static final long serialVersionUID = 1L;
    private static final ObjectMapper MAPPER = new ObjectMapper();

    private final AlertRule rule;
    private final String[] columnNames;
    private final int timeIndex;

    private transient AlertStateMachine machine;
    private transient ValueState<String> state;
    private transient ValueState<Long> timer;

    public AlertFunction(AlertRule rule, String[] columnNames, int timeIndex) {
        this.rule = rule;
        this.columnNames = columnNames.clone();
        this.timeIndex = timeIndex;
    }

    @Override
    public void open(OpenContext context) {
        machine = new AlertStateMachine(rule, Clock.systemUTC());
        state = getRuntimeContext().getState(new ValueStateDescriptor<>("alert-state", String.class));
        timer = getRuntimeContext().getState(new ValueStateDescriptor<>("alert-timer", Long.class));
    }

    @Override
    public void processElement(Row row, Context ctx, Collector<Tuple2<String, byte[]>> out) throws IOException {
        Object time = row.getField(timeIndex);
        if (time == null) {
            return;
        }
        Map<String, String> columns = new LinkedHashMap<>();
        for (int i = 0; i < columnNames.length; i++) {
            columns.put(columnNames[i], text(row.getField(i)));
        }
        apply(machine.onRow(read(), epochMillis(time), columns), ctx.timerService(), out);
    }

    @Override
    public void onTimer(long timestamp, OnTimerContext ctx, Collector<Tuple2<String, byte[]>> out) throws IOException {
        timer.clear();
        apply(machine.onTimer(read(), timestamp), ctx.timerService(), out);
    }

    private void apply(AlertStateMachine.Step step, org.apache.flink.streaming.api.TimerService timers,
            Collector<Tuple2<String, byte[]>> out) throws IOException {
        if (step.next() == null) {
            state.clear();
        } else {
            state.update(MAPPER.writeValueAsString(step.next()));
        }
        Long pending = timer.value();
        if (pending != null && pending != step.timer()) {
            timers.deleteEventTimeTimer(pending);
            timer.clear();
        }
        if (step.timer() != AlertStateMachine.NO_TIMER && (pending == null || pending != step.timer())) {
            timers.registerEventTimeTimer(step.timer());
            timer.update(step.timer());
        }
        for (AlertNotification n : step.notifications()) {
            out.collect(Tuple2.of(n.alert() + "|" + n.keyText(), NotificationJson.toBytes(n)));
        }
    }

    private AlertState read() throws IOException {
        String json = state.value();
        return json == null ? null : MAPPER.readValue(json, AlertState.class);
    }

    static long epochMillis(Object time) {
        if (time instanceof LocalDateTime t) {
            return t.toInstant(ZoneOffset.UTC).toEpochMilli();
        }
        if (time instanceof Instant t) {
            return t.toEpochMilli();
        }
        throw new IllegalArgumentException("the alert time column holds " + time.getClass().getName()
                + "; expected a TIMESTAMP or TIMESTAMP_LTZ value");
    }

    static String text(Object value) {
        if (value == null) {
            return null;
        }
        if (value instanceof LocalDateTime t) {
            return t.toInstant(ZoneOffset.UTC).toString();
        }
        if (value instanceof BigDecimal d) {
            return d.toPlainString();
        }
        return value.toString();
    }
}
