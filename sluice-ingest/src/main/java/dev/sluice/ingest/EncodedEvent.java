package dev.sluice.ingest;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Objects;

/**
 * An event ready for Kafka: the record key and value as bytes. Generators hand these to
 * {@link GeneratorRunner} so that deliberately malformed values (for the dead-letter path) travel exactly
 * like good ones. The arrays are not copied; neither side modifies them after creation.
 *
 * @param key   record key bytes, never {@code null}
 * @param value record value bytes, never {@code null}
 */
public record EncodedEvent(byte[] key, byte[] value) {

    public EncodedEvent {
        Objects.requireNonNull(key, "key");
        Objects.requireNonNull(value, "value");
    }

    /** The key decoded as UTF-8. */
    public String keyText() {
        return new String(key, StandardCharsets.UTF_8);
    }

    /** The value decoded as UTF-8 (malformed values may contain replacement characters). */
    public String valueText() {
        return new String(value, StandardCharsets.UTF_8);
    }

    @Override
    public boolean equals(Object other) {
        return other instanceof EncodedEvent that && Arrays.equals(key, that.key) && Arrays.equals(value, that.value);
    }

    @Override
    public int hashCode() {
        return 31 * Arrays.hashCode(key) + Arrays.hashCode(value);
    }

    @Override
    public String toString() {
        return "EncodedEvent[key=" + keyText() + ", value=" + valueText() + "]";
    }
}
