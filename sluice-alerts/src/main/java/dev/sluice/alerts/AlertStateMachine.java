package dev.sluice.alerts;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Clock;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The life of one alert for one key, in event time. Every row of the alert query means "the condition holds for
 * this key at this event time":
 * <ul>
 *   <li>The first row starts an episode (pending). The alert fires on the first row at least {@code for} after the
 *       episode started (with {@code for: 0s} on the first row). While firing, further rows notify nobody (dedup).</li>
 *   <li>When no row has arrived for {@code resolve-after} of event time (a timer at {@code lastSeen + resolveAfter},
 *       fired by the watermark), a firing alert resolves and a pending one is forgotten.</li>
 *   <li>After a resolution the key stays quiet for {@code cooldown}: rows before {@code resolvedAt + cooldown} are
 *       ignored; the first row after it starts a new episode.</li>
 * </ul>
 * Pure function of its inputs apart from {@code firedAt}, so it runs the same in a unit test and inside a Flink
 * {@code KeyedProcessFunction}, whose state and timers hold what it returns.
 *
 * <pre>{@code
 * AlertStateMachine machine = new AlertStateMachine(rule, Clock.systemUTC());
 * AlertStateMachine.Step step = machine.onRow(null, eventTime, columns);   // step.next(), step.notifications(), step.timer()
 * }</pre>
 */
public final class AlertStateMachine {
    /** {@link Step#timer()} when no timer is needed. */
    public static final long NO_TIMER = Long.MIN_VALUE;

    private final AlertRule rule;
    private final Clock clock;

    public AlertStateMachine(AlertRule rule, Clock clock) {
        this.rule = rule;
        this.clock = clock;
    }

    /**
     * What a row or a timer changed.
     *
     * @param next          the new state, null when the key is inactive again (clear the state)
     * @param notifications what to send, in order
     * @param timer         the event time at which {@link #onTimer} must be called next, or {@link #NO_TIMER}
     */
    public record Step(AlertState next, List<AlertNotification> notifications, long timer) {
        public Step {
            notifications = List.copyOf(notifications);
        }
    }

    /** A row of the alert query for this key at {@code eventTime}. */
    public Step onRow(AlertState state, long eventTime, Map<String, String> columns) {
        if (state == null || (state.phase() == AlertState.Phase.COOLDOWN && eventTime >= state.quietUntil())) {
            AlertState pending = new AlertState(AlertState.Phase.PENDING, eventTime, eventTime, 0, columns);
            return fireIfDue(pending, eventTime, columns);
        }
        switch (state.phase()) {
            case COOLDOWN:
                return new Step(state, List.of(), state.quietUntil());
            case PENDING:
                AlertState seen = new AlertState(AlertState.Phase.PENDING, state.episodeStart(),
                        Math.max(state.lastSeen(), eventTime), 0, eventTime >= state.lastSeen() ? columns : state.columns());
                return fireIfDue(seen, eventTime, columns);
            default:
                AlertState firing = new AlertState(AlertState.Phase.FIRING, state.episodeStart(),
                        Math.max(state.lastSeen(), eventTime), 0, eventTime >= state.lastSeen() ? columns : state.columns());
                return new Step(firing, List.of(), resolveTimer(firing));
        }
    }

    private Step fireIfDue(AlertState pending, long eventTime, Map<String, String> columns) {
        if (eventTime - pending.episodeStart() < rule.forDuration().toMillis()) {
            return new Step(pending, List.of(), resolveTimer(pending));
        }
        AlertState firing = new AlertState(AlertState.Phase.FIRING, pending.episodeStart(), pending.lastSeen(), 0,
                pending.columns());
        AlertNotification fired = notification(AlertNotification.FIRING, pending.episodeStart(), eventTime, columns,
                rule.message().render(columns));
        return new Step(firing, List.of(fired), resolveTimer(firing));
    }

    /** The watermark passed {@code time}, a timer this machine asked for (stale timers change nothing). */
    public Step onTimer(AlertState state, long time) {
        if (state == null) {
            return new Step(null, List.of(), NO_TIMER);
        }
        if (state.phase() == AlertState.Phase.COOLDOWN) {
            return time >= state.quietUntil() ? new Step(null, List.of(), NO_TIMER) : new Step(state, List.of(), state.quietUntil());
        }
        long due = resolveTimer(state);
        if (time < due) {
            return new Step(state, List.of(), due);
        }
        if (state.phase() == AlertState.Phase.PENDING) {
            return new Step(null, List.of(), NO_TIMER);
        }
        AlertNotification resolved = notification(AlertNotification.RESOLVED, state.episodeStart(), due, state.columns(),
                "resolved: " + rule.message().render(state.columns()));
        if (rule.cooldown().isZero()) {
            return new Step(null, List.of(resolved), NO_TIMER);
        }
        long quietUntil = due + rule.cooldown().toMillis();
        return new Step(new AlertState(AlertState.Phase.COOLDOWN, state.episodeStart(), state.lastSeen(), quietUntil,
                state.columns()), List.of(resolved), quietUntil);
    }

    private long resolveTimer(AlertState state) {
        return state.lastSeen() + rule.resolveAfter().toMillis();
    }

    private AlertNotification notification(String kind, long episodeStart, long eventTime, Map<String, String> columns,
            String message) {
        Map<String, String> key = new LinkedHashMap<>();
        for (String column : rule.keyColumns()) {
            key.put(column, columns.get(column));
        }
        String keyText = keyText(key);
        return new AlertNotification(notificationId(rule.pipeline(), rule.alert(), keyText, episodeStart, kind), rule.pipeline(),
                rule.alert(), key, keyText, rule.severity(), kind, message, eventTime, episodeStart, clock.millis(), columns,
                rule.notifiers());
    }

    /** {@code column=value} pairs joined by {@code ", "}, in the order of the alert's key columns. */
    public static String keyText(Map<String, String> key) {
        StringBuilder text = new StringBuilder();
        for (Map.Entry<String, String> e : key.entrySet()) {
            if (text.length() > 0) {
                text.append(", ");
            }
            text.append(e.getKey()).append('=').append(e.getValue());
        }
        return text.toString();
    }

    /**
     * The first 128 bits of SHA-256 over pipeline, alert, key, episode start and state, as 32 hex digits: equal inputs
     * give equal ids, in every process and on every replay.
     */
    public static String notificationId(String pipeline, String alert, String keyText, long episodeStart, String state) {
        try {
            MessageDigest sha = MessageDigest.getInstance("SHA-256");
            String text = pipeline + '\u0000' + alert + '\u0000' + keyText + '\u0000' + episodeStart + '\u0000' + state;
            byte[] digest = sha.digest(text.getBytes(StandardCharsets.UTF_8));
            return HexFormat.of().formatHex(digest, 0, 16);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is required of every Java runtime but is missing", e);
        }
    }
}
