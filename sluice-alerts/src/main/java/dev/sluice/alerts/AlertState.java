package dev.sluice.alerts;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The state of one alert for one key between rows; absent (null) means inactive.
 *
 * @param phase        pending (seen, {@code for} not yet met), firing, or cooling down after a resolution
 * @param episodeStart event time of the first row of the current episode
 * @param lastSeen     event time of the latest row of the episode
 * @param quietUntil   in {@link Phase#COOLDOWN}: the event time from which the key may fire again
 * @param columns      the values of the latest row (used for the resolved message)
 */
public record AlertState(Phase phase, long episodeStart, long lastSeen, long quietUntil, Map<String, String> columns) {

    public AlertState {
        columns = Collections.unmodifiableMap(new LinkedHashMap<>(columns));
    }

    /** The phases of an active alert. */
    public enum Phase { PENDING, FIRING, COOLDOWN }
}
