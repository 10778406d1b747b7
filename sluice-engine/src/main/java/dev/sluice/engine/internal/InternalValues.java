package dev.sluice.engine.internal;

import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.LocalTime;
import org.apache.flink.table.data.DecimalData;
import org.apache.flink.table.data.StringData;
import org.apache.flink.table.data.TimestampData;
import org.apache.flink.table.types.logical.DecimalType;
import org.apache.flink.table.types.logical.LogicalType;

/**
 * Converts between the Java values {@link ValueParser} returns (String, BigDecimal, LocalDateTime, Instant, ...) and
 * Flink's internal data structures for the same column type (StringData, DecimalData, TimestampData, epoch days, ...),
 * the way Flink's own converters do. The source hands the Table API internal rows, so that Flink does not convert each
 * row again at the bridge between the DataStream and the SQL.
 */
public final class InternalValues {
    private static final long NANOS_PER_MILLI = 1_000_000L;

    private InternalValues() {}

    /** The internal value of {@code value} for a column of {@code type}; null stays null. */
    public static Object toInternal(Object value, LogicalType type) {
        if (value == null) {
            return null;
        }
        switch (type.getTypeRoot()) {
            case CHAR:
            case VARCHAR:
                // As UTF-8 bytes at once: String.getBytes is an intrinsic for Latin-1 text, while a StringData made
                // from a String encodes it char by char (and looks up a thread-local buffer) when it is serialised.
                return StringData.fromBytes(((String) value).getBytes(StandardCharsets.UTF_8));
            case DECIMAL:
                DecimalType decimal = (DecimalType) type;
                return DecimalData.fromBigDecimal((BigDecimal) value, decimal.getPrecision(), decimal.getScale());
            case DATE:
                return (int) ((LocalDate) value).toEpochDay();
            case TIME_WITHOUT_TIME_ZONE:
                return (int) (((LocalTime) value).toNanoOfDay() / NANOS_PER_MILLI);
            case TIMESTAMP_WITHOUT_TIME_ZONE:
                return TimestampData.fromLocalDateTime((LocalDateTime) value);
            case TIMESTAMP_WITH_LOCAL_TIME_ZONE:
                return TimestampData.fromInstant((Instant) value);
            default:
                return value;
        }
    }

    /** The Java value of an internal value of a column of {@code type}: the inverse of {@link #toInternal}. */
    public static Object toExternal(Object value, LogicalType type) {
        if (value == null) {
            return null;
        }
        switch (type.getTypeRoot()) {
            case CHAR:
            case VARCHAR:
                return value.toString();
            case DECIMAL:
                return ((DecimalData) value).toBigDecimal();
            case DATE:
                return LocalDate.ofEpochDay((Integer) value);
            case TIME_WITHOUT_TIME_ZONE:
                return LocalTime.ofNanoOfDay((Integer) value * NANOS_PER_MILLI);
            case TIMESTAMP_WITHOUT_TIME_ZONE:
                return ((TimestampData) value).toLocalDateTime();
            case TIMESTAMP_WITH_LOCAL_TIME_ZONE:
                return ((TimestampData) value).toInstant();
            default:
                return value;
        }
    }
}
