package dev.sluice.engine.internal;

import com.fasterxml.jackson.core.JsonGenerator;
import dev.sluice.spec.ColumnSpec;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Base64;
import java.util.List;

/**
 * The JSON written to a dead-letter topic ({@code <topic>.dlq}) or a late-events topic ({@code <topic>.late}):
 * where the record came from, the record itself, and why it was set aside. Values that are not valid UTF-8 are
 * kept as {@code "base64:..."} so nothing is lost. The loader stores these in the {@code dead_letters} and
 * {@code late_events} tables, whose columns are {@link #COLUMNS}.
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

    private RejectedRecord() {}

    public static byte[] toJson(String source, String topic, int partition, long offset, long timestamp,
            byte[] key, byte[] value, String reason) {
        JsonValues.Buffer buffer = JsonValues.buffer();
        JsonGenerator g = buffer.generator();
        try {
            g.writeStartObject();
            g.writeStringField("source", source);
            g.writeStringField("topic", topic);
            g.writeNumberField("kafka_partition", partition);
            g.writeNumberField("kafka_offset", offset);
            g.writeFieldName("kafka_timestamp");
            JsonValues.write(g, timestamp >= 0 ? Instant.ofEpochMilli(timestamp) : null);
            g.writeFieldName("record_key");
            JsonValues.write(g, text(key));
            g.writeFieldName("record_value");
            JsonValues.write(g, text(value));
            g.writeStringField("reason", reason);
            g.writeEndObject();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return buffer.bytes();
    }

    static String text(byte[] bytes) {
        if (bytes == null) {
            return null;
        }
        try {
            return StandardCharsets.UTF_8.newDecoder()
                    .onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT)
                    .decode(ByteBuffer.wrap(bytes))
                    .toString();
        } catch (CharacterCodingException e) {
            return "base64:" + Base64.getEncoder().encodeToString(bytes);
        }
    }
}
