package dev.sluice.engine.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assertions.assertTimeout;

import java.math.BigDecimal;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.LocalDateTime;
import org.apache.flink.table.types.logical.LogicalType;
import org.junit.jupiter.api.Test;

class ValueParserTest {
    private static final LogicalType DECIMAL = RecordSchema.logicalType("DECIMAL(6, 2)");
    private static final LogicalType INT = RecordSchema.logicalType("INT");
    private static final LogicalType DOUBLE = RecordSchema.logicalType("DOUBLE");
    private static final LogicalType FLOAT = RecordSchema.logicalType("FLOAT");
    private static final LogicalType TIMESTAMP = RecordSchema.logicalType("TIMESTAMP(3)");
    private static final LogicalType TIMESTAMP_LTZ = RecordSchema.logicalType("TIMESTAMP_LTZ(3)");
    private static final LogicalType DATE = RecordSchema.logicalType("DATE");

    private static String reason(String text, LogicalType type) {
        try {
            Object value = ValueParser.fromText(text, type);
            throw new AssertionError("expected \"" + text + "\" to be rejected for " + type + ", got " + value);
        } catch (IllegalArgumentException e) {
            return e.getMessage();
        }
    }

    @Test
    void decimalTextHasTheSameDigitLimitsAsANumberToken() {
        assertThat(reason("1e999999999", DECIMAL)).isEqualTo("number \"1e999999999\" is out of range for DECIMAL(6, 2)");
        assertThat(reason("-1E-999999999", DECIMAL)).isEqualTo("number \"-1E-999999999\" is out of range for DECIMAL(6, 2)");
        assertThat(ValueParser.fromText("1.5e2", DECIMAL)).isEqualTo(new BigDecimal("150.00"));
    }

    @Test
    void decimalTextWithAHugeExponentCostsNoTime() {
        // Rounding 1e10000000 to two decimals took about 3 s of CPU per record.
        assertTimeout(Duration.ofSeconds(1), () -> {
            for (int i = 0; i < 20; i++) {
                assertThat(reason("1e10000000", DECIMAL)).isEqualTo("number \"1e10000000\" is out of range for DECIMAL(6, 2)");
            }
        });
    }

    @Test
    void numericTextLongerThanANumberTokenMayBeIsRejected() {
        String digits = "1".repeat(1001);
        for (LogicalType type : new LogicalType[] {INT, DECIMAL, DOUBLE}) {
            assertThat(reason(digits, type)).isEqualTo("expected " + type.asSummaryString()
                    + ", got a number of 1001 characters (at most 1000)");
        }
    }

    @Test
    void floatingPointTextMustBeAFiniteDecimalNumber() {
        for (String text : new String[] {"NaN", "Infinity", "-Infinity", "0x1p3", "1.5d", "2f"}) {
            assertThat(reason(text, DOUBLE)).isEqualTo("expected DOUBLE, got \"" + text + "\"");
        }
        assertThat(reason("1e400", DOUBLE)).isEqualTo("number \"1e400\" is out of range for DOUBLE");
        assertThat(reason("1e39", FLOAT)).isEqualTo("number \"1e39\" is out of range for FLOAT");
        assertThat(ValueParser.fromText(" -2.5E-3 ", DOUBLE)).isEqualTo(-0.0025);
        assertThat(ValueParser.fromText("1e-400", DOUBLE)).isEqualTo(0.0);
    }

    @Test
    void timestampsAndDatesLieInTheRangeOfTheSqlTypes() {
        assertThat(reason("+999999999-12-31T23:59:59", TIMESTAMP)).isEqualTo(
                "value \"+999999999-12-31T23:59:59\" is out of range for TIMESTAMP(3) (years 0000 to 9999)");
        assertThat(reason("+999999999-12-31T23:59:59-18:00", TIMESTAMP_LTZ)).isEqualTo(
                "value \"+999999999-12-31T23:59:59-18:00\" is out of range for TIMESTAMP_LTZ(3) (years 0000 to 9999)");
        assertThat(reason("-0001-12-31T23:59:59Z", TIMESTAMP)).isEqualTo(
                "value \"-0001-12-31T23:59:59Z\" is out of range for TIMESTAMP(3) (years 0000 to 9999)");
        assertThat(reason("+10000-01-01", DATE)).isEqualTo("value \"+10000-01-01\" is out of range for DATE (years 0000 to 9999)");
        assertThat(ValueParser.fromText("9999-12-31T23:59:59.999Z", TIMESTAMP)).isEqualTo(LocalDateTime.parse("9999-12-31T23:59:59.999"));
        assertThat(ValueParser.fromText("0000-01-01T00:00:00Z", TIMESTAMP_LTZ)).isEqualTo(Instant.parse("0000-01-01T00:00:00Z"));
        assertThat(ValueParser.fromText("0000-01-01", DATE)).isEqualTo(LocalDate.of(0, 1, 1));
    }

    @Test
    void epochMillisOutsideTheRangeAreRejected() {
        assertThatThrownBy(() -> ValueParser.fromNumber(BigDecimal.valueOf(Long.MAX_VALUE), TIMESTAMP))
                .hasMessage("value 9223372036854775807 is out of range for TIMESTAMP(3) (years 0000 to 9999)");
        assertThatThrownBy(() -> ValueParser.fromLong(Long.MIN_VALUE, TIMESTAMP_LTZ))
                .hasMessage("value -9223372036854775808 is out of range for TIMESTAMP_LTZ(3) (years 0000 to 9999)");
        assertThat(ValueParser.fromLong(1767225600000L, TIMESTAMP)).isEqualTo(LocalDateTime.parse("2026-01-01T00:00:00"));
    }

    @Test
    void messagesShowAtMostSixtyCharactersOfTheValue() {
        String big = "9".repeat(300);
        assertThat(reason(big, DECIMAL)).isEqualTo("value " + "9".repeat(60) + "... does not fit DECIMAL(6, 2) "
                + "(at most 4 digits before the decimal point)");
        assertThat(reason("x".repeat(100_000), TIMESTAMP)).hasSizeLessThan(200);
    }

    @Test
    void shortenedValuesNeverSplitASurrogatePair() {
        String text = "a".repeat(59) + "\uD83D\uDE00" + "tail";
        assertThat(ValueParser.quoted(text)).isEqualTo("\"" + "a".repeat(59) + "...\"");
    }
}
