package dev.sluice.alerts;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * One notification about one episode of an alert for one key: it fired, or it resolved. This is what the Flink job
 * writes to the alerts topic, what the notifier delivers and what the {@code alert_events} table stores.
 *
 * @param id           deterministic: the same (pipeline, alert, key, episode start, state) always gives the same id,
 *                     so a replay of the same input produces the same ids and the notifier can drop repeats
 * @param keyText      the key columns as {@code column=value} pairs joined by {@code ", "}; empty without key columns
 * @param state        {@code firing} or {@code resolved}
 * @param eventTime    the event time (epoch ms) at which the alert fired or resolved
 * @param episodeStart the event time (epoch ms) of the first row of the episode
 * @param firedAt      the wall-clock time (epoch ms) at which the job emitted the notification
 * @param columns      the values of the row that fired (for resolved: of the last row of the episode), as text
 * @param notifiers    the notifier names from the alert's {@code notify}
 */
public record AlertNotification(
        String id,
        String pipeline,
        String alert,
        Map<String, String> key,
        String keyText,
        String severity,
        String state,
        String message,
        long eventTime,
        long episodeStart,
        long firedAt,
        Map<String, String> columns,
        List<String> notifiers) {

    public static final String FIRING = "firing";
    public static final String RESOLVED = "resolved";

    public AlertNotification {
        key = Collections.unmodifiableMap(new LinkedHashMap<>(key));
        columns = Collections.unmodifiableMap(new LinkedHashMap<>(columns));
        notifiers = List.copyOf(notifiers);
    }
}
