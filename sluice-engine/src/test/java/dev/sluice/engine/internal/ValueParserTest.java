package dev.sluice.engine.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assertions.assertTimeout;

import java.math.BigDecimal;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.util.List;
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

    /** What the formatter alone makes of a text: the instant, or null when it refuses it. */
    private static Instant viaFormatter(String text) {
        try {
            java.time.temporal.TemporalAccessor parsed = new java.time.format.DateTimeFormatterBuilder()
                    .parseCaseInsensitive()
                    .append(java.time.format.DateTimeFormatter.ISO_LOCAL_DATE)
                    .optionalStart().appendLiteral('T').optionalEnd()
                    .optionalStart().appendLiteral(' ').optionalEnd()
                    .append(java.time.format.DateTimeFormatter.ISO_LOCAL_TIME)
                    .optionalStart().appendOffsetId().optionalEnd()
                    .toFormatter().parse(text);
            LocalDateTime local = LocalDateTime.of(LocalDate.from(parsed), java.time.LocalTime.from(parsed));
            return parsed.isSupported(java.time.temporal.ChronoField.OFFSET_SECONDS)
                    ? local.toInstant(java.time.ZoneOffset.ofTotalSeconds(parsed.get(java.time.temporal.ChronoField.OFFSET_SECONDS)))
                    : local.toInstant(java.time.ZoneOffset.UTC);
        } catch (java.time.DateTimeException e) {
            return null;
        }
    }

    private static final long MIN_SECOND = java.time.LocalDateTime.of(0, 1, 1, 0, 0).toEpochSecond(java.time.ZoneOffset.UTC);
    private static final long MAX_SECOND = java.time.LocalDateTime.of(9999, 12, 31, 23, 59, 59).toEpochSecond(java.time.ZoneOffset.UTC);

    @Test
    void theTimestampFastPathAgreesWithTheFormatterWhereverItAnswers() {
        List<String> texts = new java.util.ArrayList<>(List.of("2026-11-24T15:00:00Z", "2026-11-24T15:00:00", "2026-11-24 15:00:00.1",
                "2026-11-24t15:00:00.123456789z", "0000-01-01T00:00:00Z", "9999-12-31T23:59:59.999Z", "2024-02-29T00:00:00Z",
                "2026-02-29T00:00:00Z", "2026-02-30T10:00:00Z", "2026-04-31T10:00:00Z", "2026-11-24T24:00:00Z", "2026-11-24T23:60:00Z",
                "2026-11-24T23:59:60Z", "2026-11-24T15:00:00.Z", "2026-11-24T15:00:00.1234567890Z", "2026-11-24T15:00:00+01:00",
                "2026-11-24T15:00Z", "2026-13-01T00:00:00Z", "2026-00-01T00:00:00Z", "2026-11-00T00:00:00Z", "2026-1-24T15:00:00Z",
                "+2026-11-24T15:00:00Z", "2026-11-24X15:00:00Z", "2026-11-24T15:00:00ZZ", "2026-11-24T15:0a:00Z", "1900-02-29T00:00:00Z",
                "2000-02-29T12:34:56.7Z"));
        java.util.SplittableRandom random = new java.util.SplittableRandom(7);
        for (int i = 0; i < 20_000; i++) {
            texts.add(String.format("%04d-%02d-%02d%s%02d:%02d:%02d%s%s", random.nextInt(10_000), random.nextInt(14), random.nextInt(33),
                    random.nextBoolean() ? "T" : " ", random.nextInt(25), random.nextInt(61), random.nextInt(61),
                    random.nextInt(3) == 0 ? "" : "." + String.format("%09d", random.nextInt(1_000_000_000)).substring(0, 1 + random.nextInt(9)),
                    random.nextBoolean() ? "Z" : ""));
        }
        int fast = 0;
        for (String text : texts) {
            Instant quick = ValueParser.fastInstant(text);
            if (quick != null) {
                fast++;
                assertThat(quick).as(text).isEqualTo(viaFormatter(text));
                assertThat(ValueParser.fastUtc(text)).as(text).isEqualTo(java.time.LocalDateTime.ofInstant(quick, java.time.ZoneOffset.UTC));
            } else {
                assertThat(ValueParser.fastUtc(text)).as(text).isNull();
            }
            Instant expected = viaFormatter(text);
            if (expected != null && expected.getEpochSecond() >= MIN_SECOND && expected.getEpochSecond() <= MAX_SECOND) {
                assertThat(ValueParser.fromText(text, new org.apache.flink.table.types.logical.TimestampType(9))).as(text)
                        .isEqualTo(java.time.LocalDateTime.ofInstant(expected, java.time.ZoneOffset.UTC));
            }
        }
        assertThat(fast).as("the fast path answers the common layouts").isGreaterThan(5_000);
        assertThat(ValueParser.fastInstant("2026-11-24T15:00:00Z")).isEqualTo(Instant.parse("2026-11-24T15:00:00Z"));
        assertThat(ValueParser.fastInstant("2026-02-30T10:00:00Z")).as("left to the formatter's resolution").isNull();
    }
}
