package dev.sluice.engine.internal;

import java.math.BigDecimal;
import java.math.RoundingMode;
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
import org.apache.flink.table.types.logical.DecimalType;
import org.apache.flink.table.types.logical.LogicalType;

/**
 * Converts text and JSON scalars into the Java values Flink expects for a column type (the default conversion
 * classes: String, Integer, BigDecimal, LocalDateTime, Instant, ...). Shared by the JSON source parser and the CSV
 * reference loader so both accept the same spellings. Throws {@link IllegalArgumentException} with a message that
 * names the expected type and the offending value.
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
    private static final int MAX_DIGITS = 400;

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
                return (byte) integral(text, type, Byte.MIN_VALUE, Byte.MAX_VALUE);
            case SMALLINT:
                return (short) integral(text, type, Short.MIN_VALUE, Short.MAX_VALUE);
            case INTEGER:
                return (int) integral(text, type, Integer.MIN_VALUE, Integer.MAX_VALUE);
            case BIGINT:
                return integral(text, type, Long.MIN_VALUE, Long.MAX_VALUE);
            case FLOAT:
                return (float) floating(text, type);
            case DOUBLE:
                return floating(text, type);
            case DECIMAL:
                return decimal(decimalText(text, type), (DecimalType) type);
            case DATE:
                try {
                    return LocalDate.parse(text.trim());
                } catch (DateTimeParseException e) {
                    throw mismatch(type, quoted(text));
                }
            case TIME_WITHOUT_TIME_ZONE:
                try {
                    return LocalTime.parse(text.trim());
                } catch (DateTimeParseException e) {
                    throw mismatch(type, quoted(text));
                }
            case TIMESTAMP_WITHOUT_TIME_ZONE:
                return LocalDateTime.ofInstant(instant(text, type), ZoneOffset.UTC);
            case TIMESTAMP_WITH_LOCAL_TIME_ZONE:
                return instant(text, type);
            default:
                return text;
        }
    }

    /** A JSON number for a column: exact for DECIMAL, range-checked for integers, epoch milliseconds for timestamps. */
    public static Object fromNumber(BigDecimal number, LogicalType type) {
        // 1e999999999 is a short record but a billion digits in plain notation: refuse it before any conversion.
        if (Math.abs((long) number.scale()) > MAX_DIGITS || (long) number.precision() - number.scale() > MAX_DIGITS) {
            throw new IllegalArgumentException("number " + ValueParser.quoted(number.toString()) + " is out of range for "
                    + type.copy(true).asSummaryString());
        }
        switch (type.getTypeRoot()) {
            case CHAR:
            case VARCHAR:
                return number.toPlainString();
            case TINYINT:
            case SMALLINT:
            case INTEGER:
            case BIGINT:
            case FLOAT:
            case DOUBLE:
                return fromText(number.toPlainString(), type);
            case DECIMAL:
                return decimal(number, (DecimalType) type);
            case TIMESTAMP_WITHOUT_TIME_ZONE:
                return LocalDateTime.ofInstant(epochMillis(number, type), ZoneOffset.UTC);
            case TIMESTAMP_WITH_LOCAL_TIME_ZONE:
                return epochMillis(number, type);
            default:
                throw mismatch(type, number.toPlainString());
        }
    }

    /** Milliseconds since the epoch of a parsed TIMESTAMP or TIMESTAMP_LTZ value (UTC for TIMESTAMP). */
    public static long epochMillis(Object value) {
        if (value instanceof LocalDateTime ldt) {
            return ldt.toInstant(ZoneOffset.UTC).toEpochMilli();
        }
        return ((Instant) value).toEpochMilli();
    }

    static IllegalArgumentException mismatch(LogicalType type, String value) {
        return new IllegalArgumentException("expected " + type.copy(true).asSummaryString() + ", got " + value);
    }

    static String quoted(String text) {
        String shown = text.length() > 60 ? text.substring(0, 60) + "..." : text;
        return "\"" + shown + "\"";
    }

    private static long integral(String text, LogicalType type, long min, long max) {
        long value;
        try {
            value = Long.parseLong(text.trim());
        } catch (NumberFormatException e) {
            throw mismatch(type, quoted(text));
        }
        if (value < min || value > max) {
            throw new IllegalArgumentException("value " + value + " is out of range for " + type.copy(true).asSummaryString()
                    + " (" + min + ".." + max + ")");
        }
        return value;
    }

    private static double floating(String text, LogicalType type) {
        try {
            return Double.parseDouble(text.trim());
        } catch (NumberFormatException e) {
            throw mismatch(type, quoted(text));
        }
    }

    private static BigDecimal decimalText(String text, LogicalType type) {
        try {
            return new BigDecimal(text.trim());
        } catch (NumberFormatException e) {
            throw mismatch(type, quoted(text));
        }
    }

    private static BigDecimal decimal(BigDecimal value, DecimalType type) {
        BigDecimal scaled = value.setScale(type.getScale(), RoundingMode.HALF_UP);
        if (scaled.precision() > type.getPrecision()) {
            throw new IllegalArgumentException("value " + value.toPlainString() + " does not fit " + type.copy(true).asSummaryString()
                    + " (at most " + (type.getPrecision() - type.getScale()) + " digits before the decimal point)");
        }
        return scaled;
    }

    private static Instant instant(String text, LogicalType type) {
        String trimmed = text.trim();
        try {
            TemporalAccessor parsed = TIMESTAMP.parse(trimmed);
            LocalDateTime local = LocalDateTime.of(LocalDate.from(parsed), LocalTime.from(parsed));
            if (parsed.isSupported(ChronoField.OFFSET_SECONDS)) {
                return OffsetDateTime.of(local, ZoneOffset.ofTotalSeconds(parsed.get(ChronoField.OFFSET_SECONDS))).toInstant();
            }
            return local.toInstant(ZoneOffset.UTC);
        } catch (DateTimeParseException e) {
            throw new IllegalArgumentException("expected " + type.copy(true).asSummaryString()
                    + " as ISO-8601 text (e.g. \"2026-11-24T15:00:00.123Z\") or epoch milliseconds, got " + quoted(text));
        }
    }

    private static Instant epochMillis(BigDecimal number, LogicalType type) {
        try {
            return Instant.ofEpochMilli(number.longValueExact());
        } catch (ArithmeticException e) {
            throw new IllegalArgumentException("expected " + type.copy(true).asSummaryString()
                    + " as whole epoch milliseconds, got " + number.toPlainString());
        }
    }
}
