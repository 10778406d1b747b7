package dev.sluice.engine.internal;

import static org.assertj.core.api.Assertions.assertThat;

import java.math.BigDecimal;
import java.time.Instant;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.LocalTime;
import org.apache.flink.table.data.conversion.DataStructureConverter;
import org.apache.flink.table.data.conversion.DataStructureConverters;
import org.apache.flink.table.types.DataType;
import org.apache.flink.table.api.DataTypes;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import java.util.stream.Stream;

class InternalValuesTest {

    static Stream<Arguments> values() {
        return Stream.of(
                Arguments.of(DataTypes.STRING(), "café ☕"),
                Arguments.of(DataTypes.CHAR(3), "abc"),
                Arguments.of(DataTypes.BOOLEAN(), true),
                Arguments.of(DataTypes.TINYINT(), (byte) -7),
                Arguments.of(DataTypes.SMALLINT(), (short) 300),
                Arguments.of(DataTypes.INT(), 123_456),
                Arguments.of(DataTypes.BIGINT(), 9_007_199_254_740_993L),
                Arguments.of(DataTypes.FLOAT(), 1.5f),
                Arguments.of(DataTypes.DOUBLE(), -2.25e300),
                Arguments.of(DataTypes.DECIMAL(12, 2), new BigDecimal("1234567890.12")),
                Arguments.of(DataTypes.DECIMAL(38, 10), new BigDecimal("-1234567890123456789012345678.0123456789")),
                Arguments.of(DataTypes.DATE(), LocalDate.of(1969, 12, 31)),
                Arguments.of(DataTypes.TIME(), LocalTime.of(23, 59, 58)),
                Arguments.of(DataTypes.TIMESTAMP(3), LocalDateTime.parse("2026-11-24T15:00:00.123")),
                Arguments.of(DataTypes.TIMESTAMP(9), LocalDateTime.parse("1900-01-01T00:00:00.123456789")),
                Arguments.of(DataTypes.TIMESTAMP_LTZ(3), Instant.parse("2026-11-24T15:00:00.123Z")),
                Arguments.of(DataTypes.TIMESTAMP_LTZ(6), Instant.parse("1960-02-29T23:00:00.000001Z")));
    }

    @ParameterizedTest
    @MethodSource("values")
    void convertsAsFlinksOwnConvertersDoAndBack(DataType type, Object value) {
        DataStructureConverter<Object, Object> flink = DataStructureConverters.getConverter(type);
        flink.open(getClass().getClassLoader());
        Object internal = InternalValues.toInternal(value, type.getLogicalType());
        assertThat(internal).isEqualTo(flink.toInternalOrNull(value));
        assertThat(InternalValues.toExternal(internal, type.getLogicalType())).isEqualTo(value);
    }

    @ParameterizedTest
    @MethodSource("values")
    void nullStaysNull(DataType type, Object ignored) {
        assertThat(InternalValues.toInternal(null, type.getLogicalType())).isNull();
        assertThat(InternalValues.toExternal(null, type.getLogicalType())).isNull();
    }
}
