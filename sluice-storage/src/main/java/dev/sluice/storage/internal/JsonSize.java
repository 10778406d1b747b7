package dev.sluice.storage.internal;

/**
 * The number of bytes a value of a {@code QueryResult} takes as UTF-8 JSON, counted without writing it, so that a
 * result can be refused as too large while its rows are read rather than after it was serialised.
 */
public final class JsonSize {
    private JsonSize() {}

    /** Bytes of {@code value} (null, String, Number, Boolean) written as JSON by Jackson's defaults. */
    public static long of(Object value) {
        if (value == null) {
            return 4;
        }
        if (value instanceof String s) {
            return of(s);
        }
        if (value instanceof java.math.BigDecimal d) {
            return d.toString().length();
        }
        return String.valueOf(value).length();
    }

    /** Bytes of a JSON string with its quotes and escapes. */
    public static long of(String s) {
        long bytes = 2;
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c == '"' || c == '\\') {
                bytes += 2;
            } else if (c < 0x20) {
                // \n, \t, … or \\u00XX: at most six bytes.
                bytes += 6;
            } else if (c < 0x80) {
                bytes += 1;
            } else if (c < 0x800) {
                bytes += 2;
            } else if (Character.isHighSurrogate(c)) {
                // The pair is one four-byte code point; its low half adds nothing.
                bytes += 4;
                i++;
            } else {
                bytes += 3;
            }
        }
        return bytes;
    }
}
