package dev.sluice.ingest.internal;

import java.nio.charset.StandardCharsets;
import java.time.LocalDateTime;
import java.time.ZoneOffset;

/**
 * Writes one flat JSON object by hand, field by field, for the generators: this runs once per generated event, so
 * it avoids reflection and keeps the formatted date-time of the current second, since consecutive events almost
 * always share it. Not thread-safe; one instance per producing thread.
 *
 * <pre>{@code
 * String json = writer.begin().string("id", "a-1").decimal("price", 1234, 2).timestamp("ts", millis).end().text();
 * // {"id":"a-1","price":12.34,"ts":"2026-11-24T15:00:00.123Z"}
 * }</pre>
 */
public final class JsonObjectWriter {

    private final StringBuilder out = new StringBuilder(256);
    private boolean first;
    private long cachedSecond = Long.MIN_VALUE;
    private String cachedSecondText = "";

    /** Starts a new object, discarding the previous one. */
    public JsonObjectWriter begin() {
        out.setLength(0);
        out.append('{');
        first = true;
        return this;
    }

    /** Ends the object. */
    public JsonObjectWriter end() {
        out.append('}');
        return this;
    }

    /** A string field; {@code null} writes JSON {@code null}. */
    public JsonObjectWriter string(String name, String value) {
        name(name);
        if (value == null) {
            out.append("null");
        } else {
            appendString(value);
        }
        return this;
    }

    public JsonObjectWriter number(String name, long value) {
        name(name);
        out.append(value);
        return this;
    }

    public JsonObjectWriter bool(String name, boolean value) {
        name(name);
        out.append(value);
        return this;
    }

    /** An exact decimal number {@code unscaled / 10^scale} with exactly {@code scale} fraction digits. */
    public JsonObjectWriter decimal(String name, long unscaled, int scale) {
        name(name);
        if (unscaled < 0) {
            out.append('-');
        }
        String digits = Long.toString(Math.abs(unscaled));
        if (scale == 0) {
            out.append(digits);
            return this;
        }
        if (digits.length() <= scale) {
            out.append("0.");
            for (int i = digits.length(); i < scale; i++) {
                out.append('0');
            }
            out.append(digits);
        } else {
            out.append(digits, 0, digits.length() - scale).append('.').append(digits, digits.length() - scale,
                    digits.length());
        }
        return this;
    }

    /** {@code value} rounded half-up to {@code scale} fraction digits, written with exactly that many. */
    public JsonObjectWriter decimal(String name, double value, int scale) {
        return decimal(name, Math.round(value * POWERS_OF_TEN[scale]), scale);
    }

    /** A number field whose text the caller formatted already, e.g. {@code BigDecimal.toPlainString()}. */
    public JsonObjectWriter numberText(String name, String plainNumber) {
        name(name);
        out.append(plainNumber);
        return this;
    }

    /** ISO-8601 UTC with exactly three fraction digits and {@code Z}, e.g. {@code 2026-11-24T15:00:00.123Z}. */
    public JsonObjectWriter timestamp(String name, long epochMilli) {
        name(name);
        out.append('"');
        long second = Math.floorDiv(epochMilli, 1000L);
        int millis = (int) Math.floorMod(epochMilli, 1000L);
        if (second != cachedSecond) {
            cachedSecondText = formatSecond(second);
            cachedSecond = second;
        }
        out.append(cachedSecondText).append('.');
        if (millis < 100) {
            out.append('0');
        }
        if (millis < 10) {
            out.append('0');
        }
        out.append(millis).append("Z\"");
        return this;
    }

    /** The object written since {@link #begin()}. */
    public String text() {
        return out.toString();
    }

    public byte[] bytes() {
        return text().getBytes(StandardCharsets.UTF_8);
    }

    private static final double[] POWERS_OF_TEN = {1, 10, 100, 1_000, 10_000, 100_000, 1_000_000};

    private void name(String name) {
        if (!first) {
            out.append(',');
        }
        first = false;
        appendString(name);
        out.append(':');
    }

    private static String formatSecond(long epochSecond) {
        LocalDateTime t = LocalDateTime.ofEpochSecond(epochSecond, 0, ZoneOffset.UTC);
        StringBuilder s = new StringBuilder(19);
        int year = t.getYear();
        if (year > 9999) {
            s.append('+').append(year);
        } else if (year < 0) {
            s.append('-');
            pad(s, -year, 4);
        } else {
            pad(s, year, 4);
        }
        s.append('-');
        pad(s, t.getMonthValue(), 2);
        s.append('-');
        pad(s, t.getDayOfMonth(), 2);
        s.append('T');
        pad(s, t.getHour(), 2);
        s.append(':');
        pad(s, t.getMinute(), 2);
        s.append(':');
        pad(s, t.getSecond(), 2);
        return s.toString();
    }

    private static void pad(StringBuilder s, int value, int width) {
        String digits = Integer.toString(value);
        for (int i = digits.length(); i < width; i++) {
            s.append('0');
        }
        s.append(digits);
    }

    private void appendString(String value) {
        out.append('"');
        for (int i = 0; i < value.length(); i++) {
            char c = value.charAt(i);
            switch (c) {
                case '"' -> out.append("\\\"");
                case '\\' -> out.append("\\\\");
                case '\n' -> out.append("\\n");
                case '\r' -> out.append("\\r");
                case '\t' -> out.append("\\t");
                default -> {
                    if (c < 0x20) {
                        out.append("\\u00");
                        out.append(Character.forDigit(c >> 4, 16)).append(Character.forDigit(c & 0xF, 16));
                    } else {
                        out.append(c);
                    }
                }
            }
        }
        out.append('"');
    }
}
