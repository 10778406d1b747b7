package dev.sluice.engine.internal;

import com.fasterxml.jackson.core.JsonGenerator;
import dev.sluice.spec.ColumnSpec;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Base64;
import java.util.List;

/**
 * The JSON written to a dead-letter topic ({@code <topic>.dlq}) or a late-events topic ({@code <topic>.late}):
 * where the record came from, the record itself, and why it was set aside. Values that are not valid UTF-8 are
 * kept as {@code "base64:..."}. The loader stores these in the {@code dead_letters} and {@code late_events} tables,
 * whose columns are {@link #COLUMNS}; the other fields are for consumers of the topics.
 *
 * <p>A dead letter is bounded whatever the record held, so that it can always be produced (a producer refuses
 * records above {@code max.request.size}, 1 MiB by default, and a refused dead letter would fail the job): the key
 * takes at most {@value #MAX_KEY_BYTES} bytes of JSON, the value {@value #MAX_VALUE_BYTES}, the reason
 * {@value #MAX_REASON_BYTES}, counted after JSON escaping (a NUL byte takes six: backslash, "u" and four hex digits). What is cut
 * is said three times: {@code record_value_truncated} is true, {@code record_value_bytes} holds the original size,
 * and the reason ends with "[record_value holds the first N of M bytes]", which is what the {@code dead_letters}
 * table shows. Likewise for the key. A cut reason ends with "... [reason truncated]". Cuts fall between characters.
 */
public final class RejectedRecord {
    public static final List<ColumnSpec> COLUMNS = List.of(
            new ColumnSpec("source", "STRING", null),
            new ColumnSpec("topic", "STRING", null),
            new ColumnSpec("kafka_partition", "INT", null),
            new ColumnSpec("kafka_offset", "BIGINT", null),
            new ColumnSpec("kafka_timestamp", "TIMESTAMP_LTZ(3)", null),
            new ColumnSpec("record_key", "STRING", null),
            new ColumnSpec("record_value", "STRING", null),
            new ColumnSpec("reason", "STRING", null));

    /** Bytes of JSON string content kept of a record's value. */
    public static final int MAX_VALUE_BYTES = 64 * 1024;
    /** Bytes of JSON string content kept of a record's key. */
    public static final int MAX_KEY_BYTES = 4 * 1024;
    /** Bytes of JSON string content kept of a reason, before the notes on what was cut. */
    public static final int MAX_REASON_BYTES = 1024;

    private static final String BASE64 = "base64:";
    private static final String REASON_CUT = "... [reason truncated]";

    private RejectedRecord() {}

    /** The dead-letter or late-event JSON; never throws, whatever the record holds. */
    public static byte[] toJson(String source, String topic, int partition, long offset, long timestamp,
            byte[] key, byte[] value, String reason) {
        try {
            Kept keptKey = keep(key, MAX_KEY_BYTES);
            Kept keptValue = keep(value, MAX_VALUE_BYTES);
            StringBuilder fullReason = new StringBuilder(cut(String.valueOf(reason)));
            keptKey.note(fullReason, "record_key");
            keptValue.note(fullReason, "record_value");
            JsonValues.Buffer buffer = JsonValues.buffer();
            JsonGenerator g = buffer.generator();
            g.writeStartObject();
            g.writeStringField("source", source);
            g.writeStringField("topic", topic);
            g.writeNumberField("kafka_partition", partition);
            g.writeNumberField("kafka_offset", offset);
            g.writeFieldName("kafka_timestamp");
            JsonValues.write(g, timestamp >= 0 ? Instant.ofEpochMilli(timestamp) : null);
            g.writeFieldName("record_key");
            JsonValues.write(g, keptKey.text);
            g.writeFieldName("record_value");
            JsonValues.write(g, keptValue.text);
            g.writeStringField("reason", fullReason.toString());
            keptKey.writeSize(g, "record_key");
            keptValue.writeSize(g, "record_value");
            g.writeEndObject();
            return buffer.bytes();
        } catch (IOException | RuntimeException e) {
            // Not expected; but a dead letter that cannot be written must not become a job failure either.
            return minimal(source, topic, partition, offset, "the dead letter could not be written (" + e + "); reason: " + reason);
        }
    }

    private static byte[] minimal(String source, String topic, int partition, long offset, String reason) {
        StringBuilder json = new StringBuilder("{\"source\":");
        ascii(json, source);
        json.append(",\"topic\":");
        ascii(json, topic);
        json.append(",\"kafka_partition\":").append(partition).append(",\"kafka_offset\":").append(offset)
                .append(",\"kafka_timestamp\":null,\"record_key\":null,\"record_value\":null,\"reason\":");
        ascii(json, reason.length() > MAX_REASON_BYTES / 6 ? reason.substring(0, MAX_REASON_BYTES / 6) : reason);
        return json.append('}').toString().getBytes(StandardCharsets.US_ASCII);
    }

    /** A JSON string of printable ASCII, every other character escaped: cannot fail. */
    private static void ascii(StringBuilder json, String text) {
        json.append('"');
        String s = String.valueOf(text);
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c >= 0x20 && c < 0x7F && c != '"' && c != '\\') {
                json.append(c);
            } else {
                json.append(String.format("\\u%04x", (int) c));
            }
        }
        json.append('"');
    }

    /** What is kept of a key or value: its text (or null) and, when cut, how much of how much. */
    private record Kept(String text, int originalBytes, int keptBytes, boolean present) {
        boolean truncated() {
            return keptBytes < originalBytes;
        }

        void note(StringBuilder reason, String field) {
            if (truncated()) {
                reason.append(" [").append(field).append(" holds the first ").append(keptBytes).append(" of ")
                        .append(originalBytes).append(" bytes]");
            }
        }

        void writeSize(JsonGenerator g, String field) throws IOException {
            g.writeFieldName(field + "_bytes");
            if (present) {
                g.writeNumber(originalBytes);
            } else {
                g.writeNull();
            }
            g.writeBooleanField(field + "_truncated", truncated());
        }
    }

    private static Kept keep(byte[] bytes, int maxJsonBytes) {
        if (bytes == null) {
            return new Kept(null, 0, 0, false);
        }
        if (Utf8.firstInvalid(bytes) >= 0) {
            int keep = Math.min(bytes.length, (maxJsonBytes - BASE64.length()) / 4 * 3);
            String text = BASE64 + Base64.getEncoder().encodeToString(keep == bytes.length ? bytes : java.util.Arrays.copyOf(bytes, keep));
            return new Kept(text, bytes.length, keep, true);
        }
        int cost = 0;
        int end = 0;
        while (end < bytes.length) {
            int c = jsonBytes(bytes[end]);
            if (cost + c > maxJsonBytes) {
                break;
            }
            cost += c;
            end++;
        }
        while (end < bytes.length && (bytes[end] & 0xC0) == 0x80) {
            end--; // back to the start of the character that did not fit
        }
        return new Kept(new String(bytes, 0, end, StandardCharsets.UTF_8), bytes.length, end, true);
    }

    /** Bytes a UTF-8 byte takes in a JSON string (an upper bound: every control character as a six-byte escape). */
    private static int jsonBytes(byte b) {
        if (b < 0x20 && b >= 0) {
            return 6;
        }
        return b == '"' || b == '\\' ? 2 : 1;
    }

    /** The reason cut to {@link #MAX_REASON_BYTES} of JSON, between characters. */
    static String cut(String reason) {
        int budget = MAX_REASON_BYTES;
        int cost = 0;
        int length = reason.length();
        for (int i = 0; i < length; i++) {
            char c = reason.charAt(i);
            int width;
            int chars = 1;
            if (Character.isHighSurrogate(c) && i + 1 < length && Character.isLowSurrogate(reason.charAt(i + 1))) {
                width = 4;
                chars = 2;
            } else if (c < 0x20 || Character.isSurrogate(c)) {
                width = 6;
            } else if (c == '"' || c == '\\') {
                width = 2;
            } else if (c < 0x80) {
                width = 1;
            } else if (c < 0x800) {
                width = 2;
            } else {
                width = 3;
            }
            if (cost + width > budget) {
                return reason.substring(0, i) + REASON_CUT;
            }
            cost += width;
            i += chars - 1;
        }
        return reason;
    }
}
