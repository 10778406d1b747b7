package dev.sluice.engine.internal;

import java.math.BigDecimal;
import java.math.RoundingMode;
import java.time.DateTimeException;
import java.time.Instant;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.LocalTime;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeFormatterBuilder;
import java.time.format.DateTimeParseException;
import java.time.temporal.ChronoField;
import java.time.temporal.TemporalAccessor;
import org.apache.flink.table.data.TimestampData;
import org.apache.flink.table.types.logical.DecimalType;
import org.apache.flink.table.types.logical.LogicalType;
import org.apache.flink.table.types.logical.LogicalTypeRoot;

/**
 * Converts text and JSON scalars into the Java values Flink expects for a column type (the default conversion
 * classes: String, Integer, BigDecimal, LocalDateTime, Instant, ...). Shared by the JSON source parser and the CSV
 * reference loader so both accept the same spellings. Throws {@link IllegalArgumentException} with a message that
 * names the expected type and the offending value (at most 60 characters of it).
 *
 * <p>The work per value is bounded whatever the input: number text is held to the limits of a JSON number token
 * (at most {@value #MAX_NUMBER_LENGTH} characters, at most {@value #MAX_DIGITS} digits before or after the decimal
 * point) before any arithmetic, so {@code "1e999999999"} is refused instead of expanded. DATE, TIMESTAMP and
 * TIMESTAMP_LTZ values lie in the years 0000 to 9999, the range of the SQL types, so that converting them to epoch
 * days or milliseconds can never overflow further down the job.
 */
public final class ValueParser {
    /** Accepts "2026-11-24T15:00:00.123", "2026-11-24 15:00:00", with or without fraction and zone. */
    private static final DateTimeFormatter TIMESTAMP = new DateTimeFormatterBuilder()
            .parseCaseInsensitive()
            .append(DateTimeFormatter.ISO_LOCAL_DATE)
            .optionalStart().appendLiteral('T').optionalEnd()
            .optionalStart().appendLiteral(' ').optionalEnd()
            .append(DateTimeFormatter.ISO_LOCAL_TIME)
            .optionalStart().appendOffsetId().optionalEnd()
            .toFormatter();

    /** No column type needs more digits than this before or after the decimal point. */
    static final int MAX_DIGITS = 400;
    /** The longest number text, as in a JSON number token (Jackson's {@code StreamReadConstraints} default). */
    static final int MAX_NUMBER_LENGTH = 1000;
    /** How much of an offending value a message shows. */
    private static final int SHOWN = 60;

    private static final long MIN_EPOCH_SECOND = LocalDateTime.of(0, 1, 1, 0, 0).toEpochSecond(ZoneOffset.UTC);
    private static final long MAX_EPOCH_SECOND = LocalDateTime.of(9999, 12, 31, 23, 59, 59).toEpochSecond(ZoneOffset.UTC);
    private static final long MIN_EPOCH_MILLI = MIN_EPOCH_SECOND * 1000;
    private static final long MAX_EPOCH_MILLI = MAX_EPOCH_SECOND * 1000 + 999;
    private static final String TIME_RANGE = " (years 0000 to 9999)";

    private ValueParser() {}

    public static Object fromText(String text, LogicalType type) {
        switch (type.getTypeRoot()) {
            case CHAR:
            case VARCHAR:
                return text;
            case BOOLEAN:
                if (text.equalsIgnoreCase("true")) {
                    return Boolean.TRUE;
                }
                if (text.equalsIgnoreCase("false")) {
                    return Boolean.FALSE;
                }
                throw mismatch(type, quoted(text));
            case TINYINT:
                return (byte) integral(numberText(text, type), type, Byte.MIN_VALUE, Byte.MAX_VALUE);
            case SMALLINT:
                return (short) integral(numberText(text, type), type, Short.MIN_VALUE, Short.MAX_VALUE);
            case INTEGER:
                return (int) integral(numberText(text, type), type, Integer.MIN_VALUE, Integer.MAX_VALUE);
            case BIGINT:
                return integral(numberText(text, type), type, Long.MIN_VALUE, Long.MAX_VALUE);
            case FLOAT:
                return toFloat(floating(numberText(text, type), text, type), text, type);
            case DOUBLE:
                return floating(numberText(text, type), text, type);
            case DECIMAL:
                return decimal(decimalText(text, type), (DecimalType) type);
            case DATE:
                return date(text, type);
            case TIME_WITHOUT_TIME_ZONE:
                try {
                    return LocalTime.parse(text.trim());
                } catch (DateTimeParseException e) {
                    throw mismatch(type, quoted(text));
                }
            case TIMESTAMP_WITHOUT_TIME_ZONE:
                // The common layouts name the UTC wall time field by field: no round trip through epoch days.
                LocalDateTime wallTime = fastUtc(text.trim());
                return wallTime != null ? wallTime : utc(instant(text, type));
            case TIMESTAMP_WITH_LOCAL_TIME_ZONE:
                return instant(text, type);
            default:
                return text;
        }
    }

    /** A JSON number for a column: exact for DECIMAL, range-checked for integers, epoch milliseconds for timestamps. */
    public static Object fromNumber(BigDecimal number, LogicalType type) {
        // 1e999999999 is a short record but a billion digits in plain notation: refuse it before any conversion.
        checkMagnitude(number, null, type);
        switch (type.getTypeRoot()) {
            case CHAR:
            case VARCHAR:
                return number.toPlainString();
            case TINYINT:
            case SMALLINT:
            case INTEGER:
            case BIGINT:
                return fromText(number.toPlainString(), type);
            case FLOAT:
                return toFloat(number.doubleValue(), number.toString(), type);
            case DOUBLE:
                return finite(number.doubleValue(), number.toString(), type);
            case DECIMAL:
                return decimal(number, (DecimalType) type);
            case TIMESTAMP_WITHOUT_TIME_ZONE:
            case TIMESTAMP_WITH_LOCAL_TIME_ZONE:
                try {
                    return fromLong(number.longValueExact(), type);
                } catch (ArithmeticException e) {
                    throw new IllegalArgumentException("expected " + summary(type)
                            + " as whole epoch milliseconds, got " + shown(number.toString()));
                }
            default:
                throw mismatch(type, shown(number.toString()));
        }
    }

    /** A JSON integer that fits a long: the common case, read without BigDecimal or text. */
    public static Object fromLong(long number, LogicalType type) {
        switch (type.getTypeRoot()) {
            case CHAR:
            case VARCHAR:
                return Long.toString(number);
            case TINYINT:
                return (byte) inRange(number, type, Byte.MIN_VALUE, Byte.MAX_VALUE);
            case SMALLINT:
                return (short) inRange(number, type, Short.MIN_VALUE, Short.MAX_VALUE);
            case INTEGER:
                return (int) inRange(number, type, Integer.MIN_VALUE, Integer.MAX_VALUE);
            case BIGINT:
                return number;
            case FLOAT:
                return (float) number;
            case DOUBLE:
                return (double) number;
            case DECIMAL:
                return decimal(BigDecimal.valueOf(number), (DecimalType) type);
            case TIMESTAMP_WITHOUT_TIME_ZONE:
                return utc(epochMillis(number, type));
            case TIMESTAMP_WITH_LOCAL_TIME_ZONE:
                return epochMillis(number, type);
            default:
                throw mismatch(type, Long.toString(number));
        }
    }

    /** A JSON floating-point number for a FLOAT or DOUBLE column, as Jackson read it. */
    public static Object fromDouble(double number, String text, LogicalType type) {
        return type.getTypeRoot() == LogicalTypeRoot.FLOAT
                ? toFloat(number, text, type)
                : finite(number, text, type);
    }

    /**
     * Milliseconds since the epoch of a parsed TIMESTAMP or TIMESTAMP_LTZ value (UTC for TIMESTAMP), as a Java value or
     * as Flink's internal {@code TimestampData}. Exact for every
     * value this class returns, whose years lie in 0000 to 9999.
     */
    public static long epochMillis(Object value) {
        if (value instanceof TimestampData internal) {
            return internal.getMillisecond();
        }
        if (value instanceof LocalDateTime ldt) {
            return ldt.toEpochSecond(ZoneOffset.UTC) * 1000 + ldt.getNano() / 1_000_000;
        }
        return ((Instant) value).toEpochMilli();
    }

    /** The UTC wall time of an instant; the same as {@code LocalDateTime.ofInstant(i, UTC)} without the zone rules. */
    private static LocalDateTime utc(Instant instant) {
        return LocalDateTime.ofEpochSecond(instant.getEpochSecond(), instant.getNano(), ZoneOffset.UTC);
    }

    static IllegalArgumentException mismatch(LogicalType type, String value) {
        return new IllegalArgumentException("expected " + summary(type) + ", got " + value);
    }

    /** The text in double quotes, cut to 60 characters (never inside a surrogate pair) with "..." when longer. */
    static String quoted(String text) {
        return "\"" + shown(text) + "\"";
    }

    private static String shown(String text) {
        if (text.length() <= SHOWN) {
            return text;
        }
        int end = Character.isHighSurrogate(text.charAt(SHOWN - 1)) ? SHOWN - 1 : SHOWN;
        return text.substring(0, end) + "...";
    }

    private static String summary(LogicalType type) {
        return type.copy(true).asSummaryString();
    }

    /** The trimmed text of a number, refused when it is longer than any JSON number token may be. */
    private static String numberText(String text, LogicalType type) {
        String trimmed = text.trim();
        if (trimmed.length() > MAX_NUMBER_LENGTH) {
            throw mismatch(type, "a number of " + trimmed.length() + " characters (at most " + MAX_NUMBER_LENGTH + ")");
        }
        return trimmed;
    }

    /** @param shownText the number as the input wrote it; null for the number's own {@code toString()} */
    private static void checkMagnitude(BigDecimal number, String shownText, LogicalType type) {
        if (Math.abs((long) number.scale()) > MAX_DIGITS || (long) number.precision() - number.scale() > MAX_DIGITS) {
            throw new IllegalArgumentException("number " + quoted(shownText == null ? number.toString() : shownText)
                    + " is out of range for " + summary(type));
        }
    }

    private static long integral(String trimmed, LogicalType type, long min, long max) {
        long value;
        try {
            value = Long.parseLong(trimmed);
        } catch (NumberFormatException e) {
            throw mismatch(type, quoted(trimmed));
        }
        return inRange(value, type, min, max);
    }

    private static long inRange(long value, LogicalType type, long min, long max) {
        if (value < min || value > max) {
            throw new IllegalArgumentException("value " + value + " is out of range for " + summary(type)
                    + " (" + min + ".." + max + ")");
        }
        return value;
    }

    /**
     * A decimal number in text: digits, sign, point and exponent only, so that Java's other spellings ("NaN",
     * "Infinity", "0x1p3", "1.5d") are refused as they are in a JSON number token.
     */
    private static double floating(String trimmed, String text, LogicalType type) {
        for (int i = 0; i < trimmed.length(); i++) {
            char c = trimmed.charAt(i);
            if ((c < '0' || c > '9') && c != '-' && c != '+' && c != '.' && c != 'e' && c != 'E') {
                throw mismatch(type, quoted(text));
            }
        }
        double value;
        try {
            value = Double.parseDouble(trimmed);
        } catch (NumberFormatException e) {
            throw mismatch(type, quoted(text));
        }
        return finite(value, trimmed, type);
    }

    private static double finite(double value, String text, LogicalType type) {
        if (Double.isInfinite(value) || Double.isNaN(value)) {
            throw new IllegalArgumentException("number " + quoted(text) + " is out of range for " + summary(type));
        }
        return value;
    }

    private static float toFloat(double value, String text, LogicalType type) {
        float f = (float) finite(value, text, type);
        if (Float.isInfinite(f)) {
            throw new IllegalArgumentException("number " + quoted(text.trim()) + " is out of range for " + summary(type));
        }
        return f;
    }

    private static BigDecimal decimalText(String text, LogicalType type) {
        String trimmed = numberText(text, type);
        BigDecimal number;
        try {
            number = new BigDecimal(trimmed);
        } catch (NumberFormatException e) {
            throw mismatch(type, quoted(text));
        }
        checkMagnitude(number, trimmed, type);
        return number;
    }

    private static BigDecimal decimal(BigDecimal value, DecimalType type) {
        BigDecimal scaled = value.setScale(type.getScale(), RoundingMode.HALF_UP);
        if (scaled.precision() > type.getPrecision()) {
            throw new IllegalArgumentException("value " + shown(value.toPlainString()) + " does not fit " + summary(type)
                    + " (at most " + (type.getPrecision() - type.getScale()) + " digits before the decimal point)");
        }
        return scaled;
    }

    private static LocalDate date(String text, LogicalType type) {
        LocalDate date;
        try {
            date = LocalDate.parse(text.trim());
        } catch (DateTimeParseException e) {
            throw mismatch(type, quoted(text));
        }
        if (date.getYear() < 0 || date.getYear() > 9999) {
            throw outOfRange(quoted(text), type);
        }
        return date;
    }

    private static Instant instant(String text, LogicalType type) {
        String trimmed = text.trim();
        Instant instant = fastInstant(trimmed);
        if (instant != null) {
            return instant; // years 0000 to 9999 by construction
        }
        try {
            TemporalAccessor parsed = TIMESTAMP.parse(trimmed);
            LocalDateTime local = LocalDateTime.of(LocalDate.from(parsed), LocalTime.from(parsed));
            if (parsed.isSupported(ChronoField.OFFSET_SECONDS)) {
                instant = OffsetDateTime.of(local, ZoneOffset.ofTotalSeconds(parsed.get(ChronoField.OFFSET_SECONDS))).toInstant();
            } else {
                instant = local.toInstant(ZoneOffset.UTC);
            }
        } catch (DateTimeException e) {
            throw new IllegalArgumentException("expected " + summary(type)
                    + " as ISO-8601 text (e.g. \"2026-11-24T15:00:00.123Z\") or epoch milliseconds, got " + quoted(text));
        }
        long second = instant.getEpochSecond();
        if (second < MIN_EPOCH_SECOND || second > MAX_EPOCH_SECOND) {
            throw outOfRange(quoted(text), type);
        }
        return instant;
    }

    /**
     * The common layouts {@code 2026-11-24T15:00:00[.fraction][Z]} (also with a space or a lower-case t or z) read
     * without the formatter, which allocates a map of fields per value and was the largest single cost of reading a
     * record. Null for anything else, including dates and times the formatter's lenient resolution would adjust (such
     * as {@code 2026-02-30} or {@code 24:00:00}), so those take the formatter's path and get its result.
     */
    static LocalDateTime fastUtc(String s) {
        int n = s.length();
        if (n < 19 || s.charAt(4) != '-' || s.charAt(7) != '-' || s.charAt(13) != ':' || s.charAt(16) != ':') {
            return null;
        }
        char sep = s.charAt(10);
        if (sep != 'T' && sep != 't' && sep != ' ') {
            return null;
        }
        int year = digits(s, 0, 4);
        int month = digits(s, 5, 7);
        int day = digits(s, 8, 10);
        int hour = digits(s, 11, 13);
        int minute = digits(s, 14, 16);
        int second = digits(s, 17, 19);
        if (year < 0 || month < 1 || month > 12 || day < 1 || hour < 0 || hour > 23 || minute < 0 || minute > 59
                || second < 0 || second > 59) {
            return null;
        }
        int i = 19;
        int nanos = 0;
        if (i < n && s.charAt(i) == '.') {
            int start = ++i;
            while (i < n && i - start < 9 && s.charAt(i) >= '0' && s.charAt(i) <= '9') {
                nanos = nanos * 10 + (s.charAt(i) - '0');
                i++;
            }
            int count = i - start;
            if (count == 0) {
                return null;
            }
            for (int k = count; k < 9; k++) {
                nanos *= 10;
            }
        }
        if (i < n && (s.charAt(i) == 'Z' || s.charAt(i) == 'z')) {
            i++;
        }
        if (i != n) {
            return null;
        }
        boolean leap = (year % 4 == 0 && year % 100 != 0) || year % 400 == 0;
        int length = month == 2 ? (leap ? 29 : 28) : (month == 4 || month == 6 || month == 9 || month == 11) ? 30 : 31;
        if (day > length) {
            return null;
        }
        return LocalDateTime.of(year, month, day, hour, minute, second, nanos);
    }

    /** {@link #fastUtc} as an instant: the same layouts, the same nulls. */
    static Instant fastInstant(String s) {
        LocalDateTime wallTime = fastUtc(s);
        return wallTime == null ? null : wallTime.toInstant(ZoneOffset.UTC);
    }

    /** The number written by the ASCII digits {@code s[from, to)}, or -1 when one is not a digit. */
    private static int digits(String s, int from, int to) {
        int value = 0;
        for (int i = from; i < to; i++) {
            char c = s.charAt(i);
            if (c < '0' || c > '9') {
                return -1;
            }
            value = value * 10 + (c - '0');
        }
        return value;
    }

    private static Instant epochMillis(long millis, LogicalType type) {
        if (millis < MIN_EPOCH_MILLI || millis > MAX_EPOCH_MILLI) {
            throw outOfRange(Long.toString(millis), type);
        }
        return Instant.ofEpochMilli(millis);
    }

    private static IllegalArgumentException outOfRange(String shownValue, LogicalType type) {
        return new IllegalArgumentException("value " + shownValue + " is out of range for " + summary(type) + TIME_RANGE);
    }
}
