package dev.sluice.spec;

import java.time.Duration;
import java.util.List;
import java.util.Locale;

/**
 * An alert evaluated inside the pipeline's Flink job. Every row of {@code sql} says "the condition holds for this
 * key at this event time"; the alert state machine turns those rows into one firing notification per episode and a
 * resolved notification once no row has arrived for {@code resolveAfter} of event time.
 *
 * @param name         the alert name, unique in the pipeline
 * @param sql          a Flink SQL query over the pipeline's sources, references and views; insert-only
 * @param sqlStart     where the SQL text starts in the file (see {@link ViewSpec#locate})
 * @param block        true when the SQL was written as a YAML block scalar
 * @param key          the columns the alert is about (one episode per distinct key); empty: one episode for all rows
 * @param time         the TIMESTAMP column that carries each row's event time
 * @param severity     how urgent the alert is
 * @param message      a template with {@code {column}} placeholders filled from the row that fired
 * @param forDuration  how long (event time) the condition must keep holding before the alert fires; zero fires on
 *                     the first row
 * @param cooldown     after a resolution, how long (event time) a new episode of the same key stays quiet
 * @param resolveAfter how long (event time) without a row before a firing alert resolves
 * @param notifiers    the names of the notifiers the alert goes to (the dashboard always receives it)
 */
public record AlertSpec(
        String name,
        String sql,
        Location location,
        Location sqlStart,
        boolean block,
        List<String> key,
        String time,
        Severity severity,
        String message,
        Duration forDuration,
        Duration cooldown,
        Duration resolveAfter,
        List<String> notifiers) {
    /** The storage tables of a pipeline with alerts: the notifications, their deliveries, and the silences. */
    public static final java.util.List<String> STORAGE_TABLES = java.util.List.of("alert_events", "alert_deliveries", "alert_silences");


    /** The event-time column used when {@code time} is not given. */
    public static final String DEFAULT_TIME = "window_end";
    public static final Duration DEFAULT_RESOLVE_AFTER = Duration.ofMinutes(5);

    public AlertSpec {
        key = List.copyOf(key);
        notifiers = List.copyOf(notifiers);
    }

    /** The SQL as a view, so planner errors map to the file the same way as a view's. */
    public ViewSpec asView() {
        return new ViewSpec(name, sql, location, sqlStart, block);
    }

    /** How urgent an alert is; written lower-case in the file. */
    public enum Severity {
        CRITICAL, WARNING, INFO;

        public String text() {
            return name().toLowerCase(Locale.ROOT);
        }
    }
}
