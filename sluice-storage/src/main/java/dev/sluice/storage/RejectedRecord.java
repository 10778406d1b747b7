package dev.sluice.storage;

import java.time.Instant;
import java.util.Objects;

/**
 * A result-topic record that could not be loaded (bad JSON, a value of the wrong type, a missing key), kept in the
 * {@code _sluice_rejected} table with the reason instead of crashing the loader or vanishing.
 *
 * @param key the Kafka key as UTF-8 text, or null
 * @param value the Kafka value as UTF-8 text, or null for a tombstone
 * @param reason what is wrong, naming the column and the offending value
 */
public record RejectedRecord(String topic, int partition, long offset, String key, String value, String reason, Instant rejectedAt) {
    public RejectedRecord {
        Objects.requireNonNull(topic, "topic");
        Objects.requireNonNull(reason, "reason");
        Objects.requireNonNull(rejectedAt, "rejectedAt");
    }
}
