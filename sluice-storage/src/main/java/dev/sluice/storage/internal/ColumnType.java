package dev.sluice.storage.internal;

import com.fasterxml.jackson.databind.JsonNode;
import java.math.BigDecimal;
import java.math.RoundingMode;
import java.time.Instant;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.LocalTime;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.time.temporal.ChronoUnit;
import java.util.Locale;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A Flink SQL column type as it travels on a result topic and lands in DuckDB: the DuckDB type to create, the name
 * DuckDB reports for it, and the conversion of one JSON value into the canonical text that DuckDB casts from.
 *
 * <p>The conversion is strict so that the set-based {@code CAST} in the store can never fail on a value the loader
 * accepted: a value that does not fit is reported with the reason instead (and the record goes to the rejected table).
 */
public final class ColumnType {
    private static final Pattern TYPE = Pattern.compile("([A-Z_]+)(?:\\s*\\(\\s*(\\d+)\\s*(?:,\\s*(\\d+)\\s*)?\\))?");
    private static final DateTimeFormatter LOCAL_TIME = DateTimeFormatter.ISO_LOCAL_TIME;
    private static final DateTimeFormatter LOCAL_DATE_TIME = DateTimeFormatter.ISO_LOCAL_DATE_TIME;
    private static final int MAX_SHOWN_VALUE = 200;

    /** The families of types Sluice stores. */
    public enum Kind { STRING, BOOLEAN, TINYINT, SMALLINT, INT, BIGINT, FLOAT, DOUBLE, DECIMAL, DATE, TIME, TIMESTAMP, TIMESTAMP_LTZ }

    private final String flinkType;
    private final Kind kind;
    private final int precision;
    private final int scale;

    private ColumnType(String flinkType, Kind kind, int precision, int scale) {
        this.flinkType = flinkType;
        this.kind = kind;
        this.precision = precision;
        this.scale = scale;
    }

    /**
     * Parses canonical Flink SQL type text ({@code STRING}, {@code DECIMAL(12, 2)}, {@code TIMESTAMP_LTZ(3)}, …);
     * empty when the type is not one Sluice can store.
     */
    public static Optional<ColumnType> parse(String flinkType) {
        if (flinkType == null) {
            return Optional.empty();
        }
        String text = flinkType.trim().toUpperCase(Locale.ROOT);
        if (text.endsWith(" NOT NULL")) {
            text = text.substring(0, text.length() - " NOT NULL".length()).trim();
        }
        boolean localTimeZone = false;
        if (text.endsWith(" WITH LOCAL TIME ZONE")) {
            text = text.substring(0, text.length() - " WITH LOCAL TIME ZONE".length()).trim();
            localTimeZone = true;
        }
        Matcher m = TYPE.matcher(text);
        if (!m.matches()) {
            return Optional.empty();
        }
        String base = m.group(1);
        int p = m.group(2) == null ? -1 : Integer.parseInt(m.group(2));
        int s = m.group(3) == null ? -1 : Integer.parseInt(m.group(3));
        if (localTimeZone && !base.equals("TIMESTAMP")) {
            return Optional.empty();
        }
        Kind kind;
        switch (base) {
            case "STRING", "VARCHAR", "CHAR" -> kind = Kind.STRING;
            case "BOOLEAN" -> kind = Kind.BOOLEAN;
            case "TINYINT" -> kind = Kind.TINYINT;
            case "SMALLINT" -> kind = Kind.SMALLINT;
            case "INT", "INTEGER" -> kind = Kind.INT;
            case "BIGINT" -> kind = Kind.BIGINT;
            case "FLOAT" -> kind = Kind.FLOAT;
            case "DOUBLE" -> kind = Kind.DOUBLE;
            case "DECIMAL", "DEC", "NUMERIC" -> kind = Kind.DECIMAL;
            case "DATE" -> kind = Kind.DATE;
            case "TIME" -> kind = Kind.TIME;
            case "TIMESTAMP" -> kind = localTimeZone ? Kind.TIMESTAMP_LTZ : Kind.TIMESTAMP;
            case "TIMESTAMP_LTZ" -> kind = Kind.TIMESTAMP_LTZ;
            default -> {
                return Optional.empty();
            }
        }
        if (kind == Kind.DECIMAL) {
            // Flink's DECIMAL without arguments is DECIMAL(10, 0); DuckDB, like Flink, stops at precision 38.
            int precision = p < 0 ? 10 : p;
            int scale = s < 0 ? 0 : s;
            if (precision < 1 || precision > 38 || scale > precision) {
                return Optional.empty();
            }
            return Optional.of(new ColumnType(flinkType, kind, precision, scale));
        }
        if (s >= 0 || (p >= 0 && !(kind == Kind.STRING || kind == Kind.TIME || kind == Kind.TIMESTAMP || kind == Kind.TIMESTAMP_LTZ))) {
            return Optional.empty();
        }
        return Optional.of(new ColumnType(flinkType, kind, p, -1));
    }

    public Kind kind() {
        return kind;
    }

    /** The type as written in the table definition. */
    public String flinkType() {
        return flinkType;
    }

    /** The DuckDB type used in {@code CREATE TABLE} and {@code CAST}. */
    public String duckDbType() {
        return switch (kind) {
            case STRING -> "VARCHAR";
            case BOOLEAN -> "BOOLEAN";
            case TINYINT -> "TINYINT";
            case SMALLINT -> "SMALLINT";
            case INT -> "INTEGER";
            case BIGINT -> "BIGINT";
            case FLOAT -> "REAL";
            case DOUBLE -> "DOUBLE";
            case DECIMAL -> "DECIMAL(" + precision + "," + scale + ")";
            case DATE -> "DATE";
            case TIME -> "TIME";
            case TIMESTAMP -> "TIMESTAMP";
            case TIMESTAMP_LTZ -> "TIMESTAMPTZ";
        };
    }

    /**
     * The PostgreSQL type used in {@code CREATE TABLE} and {@code CAST}, spelled as PostgreSQL's {@code format_type}
     * reports it. PostgreSQL has no one-byte integer: TINYINT is stored as {@code smallint} (the loader has checked the
     * range already); TIME and timestamps keep PostgreSQL's default microsecond precision, like DuckDB.
     */
    public String postgresType() {
        return switch (kind) {
            case STRING -> "text";
            case BOOLEAN -> "boolean";
            case TINYINT, SMALLINT -> "smallint";
            case INT -> "integer";
            case BIGINT -> "bigint";
            case FLOAT -> "real";
            case DOUBLE -> "double precision";
            case DECIMAL -> "numeric(" + precision + "," + scale + ")";
            case DATE -> "date";
            case TIME -> "time without time zone";
            case TIMESTAMP -> "timestamp without time zone";
            case TIMESTAMP_LTZ -> "timestamp with time zone";
        };
    }

    /** The type name DuckDB reports in {@code information_schema.columns.data_type} for {@link #duckDbType()}. */
    public String duckDbReportedType() {
        return switch (kind) {
            case FLOAT -> "FLOAT";
            case TIMESTAMP_LTZ -> "TIMESTAMP WITH TIME ZONE";
            default -> duckDbType();
        };
    }

    /**
     * The canonical text DuckDB casts to {@link #duckDbType()}, or {@code null} for JSON null.
     *
     * @throws InvalidValueException when the value has the wrong JSON type or does not fit the column type
     */
    public String toText(JsonNode node) throws InvalidValueException {
        if (node == null || node.isNull()) {
            return null;
        }
        switch (kind) {
            case STRING:
                if (node.isTextual()) {
                    return node.textValue();
                }
                throw invalid("a JSON string", node);
            case BOOLEAN:
                if (node.isBoolean()) {
                    return node.booleanValue() ? "true" : "false";
                }
                throw invalid("true or false", node);
            case TINYINT:
                return integer(node, Byte.MIN_VALUE, Byte.MAX_VALUE);
            case SMALLINT:
                return integer(node, Short.MIN_VALUE, Short.MAX_VALUE);
            case INT:
                return integer(node, Integer.MIN_VALUE, Integer.MAX_VALUE);
            case BIGINT:
                return integer(node, Long.MIN_VALUE, Long.MAX_VALUE);
            case FLOAT:
            case DOUBLE:
                return floating(node);
            case DECIMAL:
                return decimal(node);
            case DATE:
                return LocalDate.from(checkYear(temporal(node, "a date like \"2026-11-24\"", LocalDate::parse), node)).toString();
            case TIME:
                return LOCAL_TIME.format(temporal(node, "a time like \"15:00:00\"", LocalTime::parse).truncatedTo(ChronoUnit.MICROS));
            case TIMESTAMP:
                if (node.isTextual()) {
                    String canonical = canonicalTimestamp(node.textValue());
                    if (canonical != null) {
                        return canonical;
                    }
                }
                return LOCAL_DATE_TIME.format(checkYear(temporal(node, "a timestamp like \"2026-11-24T15:00:00.123\"",
                        t -> LocalDateTime.parse(isoSeparator(t))), node).truncatedTo(ChronoUnit.MICROS));
            case TIMESTAMP_LTZ:
                Instant instant = temporal(node, "a UTC timestamp like \"2026-11-24T15:00:00.123Z\"",
                        t -> OffsetDateTime.parse(isoSeparator(t)).toInstant());
                checkYear(LocalDateTime.ofInstant(instant, ZoneOffset.UTC), node);
                return instant.truncatedTo(ChronoUnit.MICROS).toString();
            default:
                throw new IllegalStateException("Unhandled column type " + kind);
        }
    }

    private String integer(JsonNode node, long min, long max) throws InvalidValueException {
        if (!node.isIntegralNumber()) {
            throw invalid("an integer JSON number", node);
        }
        if (node.canConvertToLong()) {
            long v = node.longValue();
            if (v >= min && v <= max) {
                return Long.toString(v);
            }
        }
        throw new InvalidValueException("expected an integer between " + min + " and " + max + ", got " + shown(node));
    }

    private String floating(JsonNode node) throws InvalidValueException {
        double v;
        if (node.isNumber()) {
            v = node.doubleValue();
            if (Double.isInfinite(v) || (kind == Kind.FLOAT && Math.abs(v) > Float.MAX_VALUE)) {
                throw new InvalidValueException("expected a number within the range of " + flinkType + ", got " + shown(node));
            }
        } else if (node.isTextual()) {
            // Jackson (and so Flink's JSON format) writes NaN and infinities as strings.
            switch (node.textValue()) {
                case "NaN" -> v = Double.NaN;
                case "Infinity" -> v = Double.POSITIVE_INFINITY;
                case "-Infinity" -> v = Double.NEGATIVE_INFINITY;
                default -> throw invalid("a JSON number (or \"NaN\", \"Infinity\", \"-Infinity\")", node);
            }
        } else {
            throw invalid("a JSON number", node);
        }
        return kind == Kind.FLOAT ? Float.toString((float) v) : Double.toString(v);
    }

    private String decimal(JsonNode node) throws InvalidValueException {
        if (!node.isNumber() || node.isDouble() || node.isFloat()) {
            throw invalid("an exact JSON number", node);
        }
        BigDecimal value = node.decimalValue();
        BigDecimal scaled;
        try {
            scaled = value.setScale(scale, RoundingMode.UNNECESSARY);
        } catch (ArithmeticException e) {
            throw new InvalidValueException("expected at most " + scale + " digits after the decimal point for "
                    + flinkType + ", got " + shown(node));
        }
        if (scaled.precision() - scaled.scale() > precision - scale && scaled.signum() != 0) {
            throw new InvalidValueException("expected at most " + (precision - scale) + " digits before the decimal point for "
                    + flinkType + ", got " + shown(node));
        }
        return scaled.toPlainString();
    }

    /**
     * The canonical text of a timestamp in the layout Flink's JSON format writes ({@code 2026-11-24 15:00:00.123}, or
     * with {@code T}, zero to nine fraction digits), exactly as the formatter path gives it: {@code T} as separator,
     * the fraction cut to microseconds without trailing zeros. Null for any other text, which then takes the formatter
     * path (and its error message): this is the loader's hot path, where parsing and formatting with
     * {@link DateTimeFormatter} cost more than the rest of a row.
     */
    static String canonicalTimestamp(String text) {
        int length = text.length();
        if (length < 19 || length == 20 || length > 29 || text.charAt(4) != '-' || text.charAt(7) != '-'
                || (text.charAt(10) != ' ' && text.charAt(10) != 'T') || text.charAt(13) != ':' || text.charAt(16) != ':'
                || (length > 19 && text.charAt(19) != '.')) {
            return null;
        }
        int year = digits(text, 0, 4);
        int month = digits(text, 5, 7);
        int day = digits(text, 8, 10);
        int hour = digits(text, 11, 13);
        int minute = digits(text, 14, 16);
        int second = digits(text, 17, 19);
        if (year < 1 || month < 1 || month > 12 || day < 1 || day > 31 || hour < 0 || hour > 23 || minute < 0 || minute > 59
                || second < 0 || second > 59
                || (length > 19 && digits(text, 20, length) < 0)) {
            return null;
        }
        if (day > 28 && day > java.time.YearMonth.of(year, month).lengthOfMonth()) {
            return null;
        }
        int fractionEnd = Math.min(length, 26);
        while (fractionEnd > 20 && text.charAt(fractionEnd - 1) == '0') {
            fractionEnd--;
        }
        StringBuilder canonical = new StringBuilder(fractionEnd);
        canonical.append(text, 0, 10).append('T').append(text, 11, 19);
        if (fractionEnd > 20) {
            canonical.append(text, 19, fractionEnd);
        }
        return canonical.toString();
    }

    /** The decimal number in {@code text[from, to)}, or -1 when a character there is not an ASCII digit. */
    private static int digits(String text, int from, int to) {
        int value = 0;
        for (int i = from; i < to; i++) {
            char c = text.charAt(i);
            if (c < '0' || c > '9') {
                return -1;
            }
            value = to - from > 9 ? 0 : value * 10 + (c - '0');
        }
        return value;
    }

    private static String isoSeparator(String text) {
        // Flink's JSON format writes "2026-11-24 15:00:00" unless told to use ISO-8601; accept both.
        if (text.length() > 10 && text.charAt(10) == ' ') {
            return text.substring(0, 10) + 'T' + text.substring(11);
        }
        return text;
    }

    private interface Parser<T> {
        T parse(String text);
    }

    private static <T> T temporal(JsonNode node, String expected, Parser<T> parser) throws InvalidValueException {
        if (!node.isTextual()) {
            throw invalid(expected, node);
        }
        try {
            return parser.parse(node.textValue());
        } catch (DateTimeParseException e) {
            throw invalid(expected, node);
        }
    }

    private static <T extends java.time.temporal.TemporalAccessor> T checkYear(T value, JsonNode node) throws InvalidValueException {
        int year = value.get(java.time.temporal.ChronoField.YEAR);
        if (year < 1 || year > 9999) {
            throw new InvalidValueException("expected a year between 1 and 9999, got " + shown(node));
        }
        return value;
    }

    private static InvalidValueException invalid(String expected, JsonNode node) {
        return new InvalidValueException("expected " + expected + ", got " + shown(node));
    }

    /** The JSON text of a value, shortened for messages. */
    public static String shown(JsonNode node) {
        String text = node.toString();
        return text.length() <= MAX_SHOWN_VALUE ? text : text.substring(0, MAX_SHOWN_VALUE) + "…";
    }

    @Override
    public String toString() {
        return flinkType;
    }

    /** A JSON value that does not fit its column; cheap to throw (no stack trace), since bad records are data. */
    public static final class InvalidValueException extends Exception {
        public InvalidValueException(String message) {
            super(message, null, false, false);
        }
    }
}
