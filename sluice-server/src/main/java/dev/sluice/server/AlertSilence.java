package dev.sluice.server;

import java.time.Instant;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * Holds back notifications of an alert (or {@code *}, every alert) whose key text matches {@code keyPattern}, a glob
 * where {@code *} matches any text (such as {@code card_id=c-1*}), until {@code until}. Silenced notifications are still
 * recorded in {@code alert_events} (the dashboard shows them), with delivery status {@code silenced}.
 */
public record AlertSilence(String id, String alert, String keyPattern, Instant until, Instant createdAt) {

    /** The JSON form the API answers with (times as ISO-8601 text). */
    public Map<String, String> json() {
        return Map.of("id", id, "alert", alert, "keyPattern", keyPattern, "until", until.toString(),
                "createdAt", createdAt.toString());
    }

    public boolean matches(String alertName, String keyText, Instant now) {
        if (!now.isBefore(until)) {
            return false;
        }
        if (!alert.equals("*") && !alert.equals(alertName)) {
            return false;
        }
        String[] parts = keyPattern.split("\\*", -1);
        StringBuilder regex = new StringBuilder();
        for (int i = 0; i < parts.length; i++) {
            if (i > 0) {
                regex.append(".*");
            }
            regex.append(Pattern.quote(parts[i]));
        }
        return Pattern.compile(regex.toString(), Pattern.DOTALL).matcher(keyText).matches();
    }
}
