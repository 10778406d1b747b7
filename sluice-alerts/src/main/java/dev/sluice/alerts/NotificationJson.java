package dev.sluice.alerts;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.charset.StandardCharsets;

/**
 * The JSON form of an {@link AlertNotification}: the record's components with their names, times as epoch
 * milliseconds. The same bytes are the alerts topic's record value and the webhook body.
 */
public final class NotificationJson {
    private static final ObjectMapper MAPPER = new ObjectMapper();

    private NotificationJson() {}

    public static byte[] toBytes(AlertNotification notification) {
        try {
            return MAPPER.writeValueAsBytes(notification);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("an alert notification always serialises to JSON: " + e.getMessage(), e);
        }
    }

    public static String toText(AlertNotification notification) {
        return new String(toBytes(notification), StandardCharsets.UTF_8);
    }

    /** Reads a notification written by {@link #toBytes}; malformed input is an {@link IllegalArgumentException}. */
    public static AlertNotification fromBytes(byte[] json) {
        try {
            return MAPPER.readValue(json, AlertNotification.class);
        } catch (IOException e) {
            throw new IllegalArgumentException("not an alert notification: " + e.getMessage(), e);
        }
    }
}
