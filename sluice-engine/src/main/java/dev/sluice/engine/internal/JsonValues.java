package dev.sluice.engine.internal;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.StreamWriteFeature;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.math.BigDecimal;
import java.time.Instant;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.LocalTime;
import java.time.format.DateTimeFormatter;

/**
 * Writes Flink's Java values in Sluice's result-topic encoding: DECIMAL as an exact JSON number, TIMESTAMP as
 * ISO local text ("2026-11-24T15:00:00.123", meaning UTC), TIMESTAMP_LTZ with a trailing "Z", DATE and TIME as
 * ISO text. The loader and any other consumer read the same encoding.
 */
public final class JsonValues {
    private static final JsonFactory FACTORY = JsonFactory.builder()
            .enable(StreamWriteFeature.WRITE_BIGDECIMAL_AS_PLAIN)
            .build();

    private JsonValues() {}

    /** A generator over a fresh buffer; call {@link Buffer#bytes()} after writing. */
    public static Buffer buffer() {
        ByteArrayOutputStream out = new ByteArrayOutputStream(256);
        try {
            return new Buffer(FACTORY.createGenerator(out), out);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    public static void write(JsonGenerator g, Object value) throws IOException {
        if (value == null) {
            g.writeNull();
        } else if (value instanceof String s) {
            g.writeString(s);
        } else if (value instanceof Boolean b) {
            g.writeBoolean(b);
        } else if (value instanceof Integer i) {
            g.writeNumber(i);
        } else if (value instanceof Long l) {
            g.writeNumber(l);
        } else if (value instanceof Short s) {
            g.writeNumber(s);
        } else if (value instanceof Byte b) {
            g.writeNumber(b);
        } else if (value instanceof BigDecimal d) {
            g.writeNumber(d);
        } else if (value instanceof Double d) {
            if (d.isNaN() || d.isInfinite()) {
                g.writeString(d.toString());
            } else {
                g.writeNumber(d);
            }
        } else if (value instanceof Float f) {
            if (f.isNaN() || f.isInfinite()) {
                g.writeString(f.toString());
            } else {
                g.writeNumber(f);
            }
        } else if (value instanceof LocalDateTime t) {
            g.writeString(DateTimeFormatter.ISO_LOCAL_DATE_TIME.format(t));
        } else if (value instanceof Instant t) {
            g.writeString(DateTimeFormatter.ISO_INSTANT.format(t));
        } else if (value instanceof LocalDate d) {
            g.writeString(d.toString());
        } else if (value instanceof LocalTime t) {
            g.writeString(DateTimeFormatter.ISO_LOCAL_TIME.format(t));
        } else {
            g.writeString(value.toString());
        }
    }

    /** A JSON generator and the bytes it writes. */
    public record Buffer(JsonGenerator generator, ByteArrayOutputStream out) {
        public byte[] bytes() {
            try {
                generator.close();
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
            return out.toByteArray();
        }
    }
}
