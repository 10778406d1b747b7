package dev.sluice.engine.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.sluice.spec.ColumnSpec;
import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.time.LocalDateTime;
import java.util.List;
import org.junit.jupiter.api.Test;

class JsonRecordParserTest {
    private final JsonRecordParser parser = new JsonRecordParser(RecordSchema.of(List.of(
            new ColumnSpec("id", "STRING", null),
            new ColumnSpec("n", "INT", null),
            new ColumnSpec("amount", "DECIMAL(6, 2)", null),
            new ColumnSpec("ok", "BOOLEAN", null),
            new ColumnSpec("at", "TIMESTAMP_LTZ(3)", null),
            new ColumnSpec("ts", "TIMESTAMP(3)", null))), "ts");

    private Object[] parse(String json) {
        Object[] values = new Object[6];
        try {
            parser.parse(json.getBytes(StandardCharsets.UTF_8), values);
        } catch (JsonRecordParser.BadRecordException e) {
            throw new AssertionError("expected " + json + " to be accepted, got: " + e.getMessage());
        }
        return values;
    }

    private String reason(String json) {
        try {
            parser.parse(json.getBytes(StandardCharsets.UTF_8), new Object[6]);
        } catch (JsonRecordParser.BadRecordException e) {
            return e.getMessage();
        }
        throw new AssertionError("expected " + json + " to be rejected");
    }

    @Test
    void readsEveryTypeAndIgnoresUnknownFields() throws Exception {
        Object[] v = parse("{\"id\":\"a\",\"extra\":{\"x\":[1,2]},\"n\":7,\"amount\":12.345,\"ok\":true,"
                + "\"at\":\"2026-11-24T15:00:00.123+01:00\",\"ts\":\"2026-11-24 15:00:01\"}");
        assertThat(v).containsExactly("a", 7, new BigDecimal("12.35"), true,
                Instant.parse("2026-11-24T14:00:00.123Z"), LocalDateTime.parse("2026-11-24T15:00:01"));
    }

    @Test
    void acceptsEpochMillisAndZuluTimestamps() throws Exception {
        assertThat(parse("{\"ts\":1767225600000}")[5]).isEqualTo(LocalDateTime.parse("2026-01-01T00:00:00"));
        assertThat(parse("{\"ts\":\"2026-01-01T00:00:05Z\"}")[5]).isEqualTo(LocalDateTime.parse("2026-01-01T00:00:05"));
    }

    @Test
    void missingFieldsAreNull() throws Exception {
        assertThat(parse("{\"ts\":\"2026-01-01T00:00:00\"}")).containsExactly(null, null, null, null, null,
                LocalDateTime.parse("2026-01-01T00:00:00"));
    }

    @Test
    void rejectionsNameTheFieldTheTypeAndTheValue() {
        String ts = ",\"ts\":\"2026-01-01T00:00:00\"}";
        assertThat(reason("{\"n\":\"seven\"" + ts)).isEqualTo("field 'n': expected INT, got \"seven\"");
        assertThat(reason("{\"n\":3000000000" + ts)).isEqualTo("field 'n': value 3000000000 is out of range for INT (-2147483648..2147483647)");
        assertThat(reason("{\"amount\":12345.6" + ts)).isEqualTo("field 'amount': value 12345.6 does not fit DECIMAL(6, 2) (at most 4 digits before the decimal point)");
        assertThat(reason("{\"amount\":1e999999999" + ts)).isEqualTo("field 'amount': number \"1E+999999999\" is out of range for DECIMAL(6, 2)");
        assertThat(reason("{\"n\":1e-999999999" + ts)).isEqualTo("field 'n': number \"1E-999999999\" is out of range for INT");
        assertThat(reason("{\"ok\":\"yes\"" + ts)).isEqualTo("field 'ok': expected BOOLEAN, got \"yes\"");
        assertThat(reason("{\"id\":[1]" + ts)).isEqualTo("field 'id': expected STRING, got an array");
        assertThat(reason("{\"ts\":\"24/11/2026 15:00:00\"}")).isEqualTo(
                "field 'ts': expected TIMESTAMP(3) as ISO-8601 text (e.g. \"2026-11-24T15:00:00.123Z\") or epoch milliseconds, got \"24/11/2026 15:00:00\"");
        assertThat(reason("{\"id\":\"a\"}")).isEqualTo("event-time field 'ts' is missing or null");
        assertThat(reason("[1,2]")).isEqualTo("expected a JSON object, got an array");
        assertThat(reason("{\"id\":\"a\"")).startsWith("invalid JSON: Unexpected end-of-input");
        assertThat(reason("{\"ts\":1} {}")).isEqualTo("unexpected data after the JSON object at byte 10");
    }

    @Test
    void decimalTextWithAHugeExponentIsABadRecordNotAnArithmeticException() {
        String ts = ",\"ts\":\"2026-01-01T00:00:00\"}";
        assertThat(reason("{\"amount\":\"1e999999999\"" + ts)).isEqualTo("field 'amount': number \"1e999999999\" is out of range for DECIMAL(6, 2)");
        assertThat(reason("{\"amount\":\"1e10000000\"" + ts)).isEqualTo("field 'amount': number \"1e10000000\" is out of range for DECIMAL(6, 2)");
        assertThat(reason("{\"amount\":1e99999999999" + ts)).isEqualTo("field 'amount': number \"1e99999999999\" is out of range for DECIMAL(6, 2)");
        assertThat(reason("{\"amount\":\"1e99999999999\"" + ts)).isEqualTo("field 'amount': expected DECIMAL(6, 2), got \"1e99999999999\"");
    }

    @Test
    void eventTimesOutsideTheTimestampRangeAreBadRecords() {
        assertThat(reason("{\"ts\":\"+999999999-12-31T23:59:59\"}")).isEqualTo(
                "field 'ts': value \"+999999999-12-31T23:59:59\" is out of range for TIMESTAMP(3) (years 0000 to 9999)");
        assertThat(reason("{\"ts\":\"+999999999-12-31T23:59:59-18:00\"}")).isEqualTo(
                "field 'ts': value \"+999999999-12-31T23:59:59-18:00\" is out of range for TIMESTAMP(3) (years 0000 to 9999)");
        assertThat(reason("{\"ts\":9223372036854775807}")).isEqualTo(
                "field 'ts': value 9223372036854775807 is out of range for TIMESTAMP(3) (years 0000 to 9999)");
        assertThat(reason("{\"at\":\"-999999999-01-01T00:00:00Z\",\"ts\":1}")).isEqualTo(
                "field 'at': value \"-999999999-01-01T00:00:00Z\" is out of range for TIMESTAMP_LTZ(3) (years 0000 to 9999)");
    }

    @Test
    void eventTimesMustLieFromTheEarliestToMaxFutureAheadOfTheClock() throws Exception {
        Clock clock = Clock.fixed(Instant.parse("2026-06-01T12:00:00Z"), ZoneOffset.UTC);
        JsonRecordParser ranged = new JsonRecordParser(parser.schema(), "ts",
                new EventTimeRange(Instant.parse("2020-01-01T00:00:00Z"), Duration.ofHours(1), clock));
        Object[] values = new Object[6];
        ranged.parse("{\"ts\":\"2026-06-01T13:00:00Z\"}".getBytes(StandardCharsets.UTF_8), values);
        assertThat(values[5]).isEqualTo(LocalDateTime.parse("2026-06-01T13:00:00"));
        ranged.parse("{\"ts\":\"2020-01-01T00:00:00Z\"}".getBytes(StandardCharsets.UTF_8), values);
        assertThat(values[5]).isEqualTo(LocalDateTime.parse("2020-01-01T00:00:00"));
        assertThatThrownBy(() -> ranged.parse("{\"ts\":\"2026-06-01T13:00:00.001Z\"}".getBytes(StandardCharsets.UTF_8), values))
                .hasMessage("field 'ts': event time 2026-06-01T13:00:00.001Z is more than 1h ahead of the wall clock "
                        + "(2026-06-01T12:00:00Z); it would move the watermark past every later event (event-time.max-future)");
        assertThatThrownBy(() -> ranged.parse("{\"ts\":1577836799999}".getBytes(StandardCharsets.UTF_8), values))
                .hasMessage("field 'ts': event time 2019-12-31T23:59:59.999Z is before the earliest accepted event time "
                        + "2020-01-01T00:00:00Z (event-time.earliest)");
    }

    @Test
    void theWallClockIsReadAgainWhenAnEventSeemsTooFarAhead() throws Exception {
        MovingClock clock = new MovingClock(Instant.parse("2026-06-01T12:00:00Z"));
        JsonRecordParser ranged = new JsonRecordParser(parser.schema(), "ts",
                new EventTimeRange(Instant.EPOCH, Duration.ofHours(1), clock));
        Object[] values = new Object[6];
        ranged.parse("{\"ts\":\"2026-06-01T12:30:00Z\"}".getBytes(StandardCharsets.UTF_8), values);
        clock.now = Instant.parse("2026-06-01T14:00:00Z");
        ranged.parse("{\"ts\":\"2026-06-01T14:30:00Z\"}".getBytes(StandardCharsets.UTF_8), values);
        assertThat(values[5]).isEqualTo(LocalDateTime.parse("2026-06-01T14:30:00"));
        assertThatThrownBy(() -> ranged.parse("{\"ts\":\"2026-06-01T15:00:00.001Z\"}".getBytes(StandardCharsets.UTF_8), values))
                .hasMessageContaining("is more than 1h ahead of the wall clock (2026-06-01T14:00:00Z)");
    }

    private static final class MovingClock extends Clock {
        Instant now;

        MovingClock(Instant now) {
            this.now = now;
        }

        @Override
        public Instant instant() {
            return now;
        }

        @Override
        public ZoneId getZone() {
            return ZoneOffset.UTC;
        }

        @Override
        public Clock withZone(ZoneId zone) {
            throw new UnsupportedOperationException();
        }
    }

    @Test
    void byDefaultEventTimesLieFrom1970ToOneHourAheadOfTheSystemClock() {
        assertThat(reason("{\"ts\":\"1969-12-31T23:59:59.999Z\"}")).isEqualTo("field 'ts': event time "
                + "1969-12-31T23:59:59.999Z is before the earliest accepted event time 1970-01-01T00:00:00Z (event-time.earliest)");
        String ahead = Instant.now().plus(Duration.ofMinutes(61)).truncatedTo(java.time.temporal.ChronoUnit.MILLIS).toString();
        assertThat(reason("{\"ts\":\"" + ahead + "\"}")).startsWith("field 'ts': event time " + ahead + " is more than 1h ahead");
        assertThat(parse("{\"ts\":\"" + Instant.now().plus(Duration.ofMinutes(59)) + "\"}")[5]).isNotNull();
        assertThat(parse("{\"ts\":0}")[5]).isEqualTo(LocalDateTime.parse("1970-01-01T00:00:00"));
    }

    @Test
    void aRecordMustBeWellFormedUtf8EvenInFieldsOutsideTheSchema() {
        String ts = "\"ts\":\"2026-01-01T00:00:00\"";
        assertThat(reason(bytes("{\"id\":\"", 0xff, "\"," + ts + "}"))).isEqualTo("invalid UTF-8 at byte 8: a record must be UTF-8 text");
        // Overlong "/" and an encoded surrogate: Jackson decodes both without complaint.
        assertThat(reason(bytes("{\"id\":\"", 0xc0, 0xaf, "\"," + ts + "}"))).isEqualTo("invalid UTF-8 at byte 8: a record must be UTF-8 text");
        assertThat(reason(bytes("{\"x\":\"", 0xed, 0xa0, 0x80, "\"," + ts + "}"))).isEqualTo("invalid UTF-8 at byte 7: a record must be UTF-8 text");
        assertThat(reason(bytes("{" + ts + ",\"x\":\"", 0xe2, 0x82))).isEqualTo("invalid UTF-8 at byte 34: a record must be UTF-8 text");
        assertThat(parse("{\"id\":\"\u00e9\u20ac\ud83d\ude00\"," + ts + "}")[0]).isEqualTo("\u00e9\u20ac\ud83d\ude00");
    }

    @Test
    void textWithAnUnpairedSurrogateEscapeIsNotAString() {
        String ts = ",\"ts\":\"2026-01-01T00:00:00\"}";
        assertThat(reason("{\"id\":\"ab\\ud800\"" + ts)).isEqualTo(
                "field 'id': expected STRING, got text with an unpaired surrogate \\uD800 at character 3 (not Unicode)");
        assertThat(reason("{\"id\":\"\\udc00x\"" + ts)).isEqualTo(
                "field 'id': expected STRING, got text with an unpaired surrogate \\uDC00 at character 1 (not Unicode)");
        assertThat(parse("{\"id\":\"\\ud83d\\ude00\"" + ts)[0]).isEqualTo("\ud83d\ude00");
    }

    @Test
    void aSchemaFieldThatAppearsTwiceIsRejectedOthersAreIgnored() throws Exception {
        String ts = ",\"ts\":\"2026-01-01T00:00:00\"";
        assertThat(reason("{\"id\":\"a\",\"id\":\"b\"" + ts + "}")).isEqualTo("field 'id' appears more than once");
        assertThat(reason("{\"id\":null,\"id\":\"b\"" + ts + "}")).isEqualTo("field 'id' appears more than once");
        assertThat(reason("{\"ts\":1" + ts + "}")).isEqualTo("field 'ts' appears more than once");
        assertThat(parse("{\"x\":1,\"x\":2,\"id\":\"a\"" + ts + "}")[0]).isEqualTo("a");
    }

    @Test
    void nonFiniteNumbersAreRejected() {
        String ts = ",\"ts\":\"2026-01-01T00:00:00\"}";
        assertThat(reason("{\"n\":NaN" + ts)).startsWith("invalid JSON: Non-standard token 'NaN'");
        assertThat(reason("{\"n\":-Infinity" + ts)).startsWith("invalid JSON: Non-standard token '-Infinity'");
        assertThat(reason("{\"amount\":\"NaN\"" + ts)).isEqualTo("field 'amount': expected DECIMAL(6, 2), got \"NaN\"");
    }

    @Test
    void jsonLimitsAreBadRecordsWithAShortReason() {
        String ts = ",\"ts\":\"2026-01-01T00:00:00\"}";
        assertThat(reason("{\"x\":" + "[".repeat(100_000) + ts)).isEqualTo(
                "invalid JSON: Document nesting depth (1001) exceeds the maximum allowed (1000) at byte 1005");
        assertThat(reason("{\"n\":" + "9".repeat(1001) + ts)).isEqualTo(
                "invalid JSON: Number value length (1001) exceeds the maximum allowed (1000) at byte 1006");
        assertThat(reason("{\"n\":" + "9".repeat(1000) + ts)).isEqualTo(
                "field 'n': number \"" + "9".repeat(60) + "...\" is out of range for INT");
        assertThat(reason("{\"id\":tru" + "e".repeat(100_000) + ts)).hasSizeLessThan(400).startsWith("invalid JSON: Unrecognized token");
    }

    @Test
    void integerTokensAreReadAsTheColumnsType() throws Exception {
        String ts = ",\"ts\":\"2026-01-01T00:00:00\"}";
        assertThat(parse("{\"n\":-2147483648,\"amount\":-0,\"id\":42" + ts)).startsWith("42", Integer.MIN_VALUE, new BigDecimal("0.00"));
        assertThat(reason("{\"n\":2147483648" + ts)).isEqualTo("field 'n': value 2147483648 is out of range for INT (-2147483648..2147483647)");
        assertThat(reason("{\"n\":99999999999999999999" + ts)).isEqualTo("field 'n': expected INT, got \"99999999999999999999\"");
        assertThat(reason("{\"n\":7.0" + ts)).isEqualTo("field 'n': expected INT, got \"7.0\"");
        assertThat(reason("{\"ok\":1" + ts)).isEqualTo("field 'ok': expected BOOLEAN, got 1");
        assertThat(parse("{\"at\":-1,\"ts\":1767225600000}")).endsWith(Instant.parse("1969-12-31T23:59:59.999Z"), LocalDateTime.parse("2026-01-01T00:00:00"));
    }

    @Test
    void emptyAndNonObjectRecordsAreRejected() {
        assertThat(reason("")).isEqualTo("expected a JSON object, got nothing");
        assertThat(reason("   ")).isEqualTo("expected a JSON object, got nothing");
        assertThat(reason("null")).isEqualTo("expected a JSON object, got null");
        assertThat(reason("\"x\"")).isEqualTo("expected a JSON object, got a string");
        assertThat(reason("{}")).isEqualTo("event-time field 'ts' is missing or null");
    }

    private static byte[] bytes(Object... parts) {
        java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream();
        for (Object part : parts) {
            if (part instanceof String s) {
                out.writeBytes(s.getBytes(StandardCharsets.UTF_8));
            } else {
                out.write((Integer) part);
            }
        }
        return out.toByteArray();
    }

    private String reason(byte[] json) {
        try {
            parser.parse(json, new Object[6]);
        } catch (JsonRecordParser.BadRecordException e) {
            return e.getMessage();
        }
        throw new AssertionError("expected " + new String(json, StandardCharsets.UTF_8) + " to be rejected");
    }

    @Test
    void nullValueIsRejected() {
        assertThatThrownBy(() -> parser.parse(null, new Object[6])).hasMessage("record has no value (null)");
    }

    @Test
    void theInternalParserReadsTheSameValuesAsFlinksInternalDataAndRejectsTheSameRecords() {
        JsonRecordParser internal = parser.internal();
        List<String> records = List.of(
                "{\"id\":\"a\",\"extra\":{\"x\":[1,2]},\"n\":7,\"amount\":12.345,\"ok\":true,"
                        + "\"at\":\"2026-11-24T15:00:00.123+01:00\",\"ts\":\"2026-11-24 15:00:01\"}",
                "{\"ts\":1767225600000,\"at\":1767225600001,\"id\":17,\"amount\":3}",
                "{\"id\":\"caf\u00e9 \\u00e9\\n \u20ac \ud83d\ude00 \\ud83d\\ude00\",\"ts\":\"2026-01-01T00:00:00Z\"}",
                "{\"id\":\"\",\"n\":null,\"ts\":\"2026-01-01T00:00:00.5\"}",
                "{\"id\":\"\\ud800\",\"ts\":\"2026-01-01T00:00:00Z\"}",
                "{\"id\":\"x\\udc00y\",\"ts\":\"2026-01-01T00:00:00Z\"}",
                "{\"id\":[1],\"ts\":\"2026-01-01T00:00:00Z\"}",
                "{\"n\":\"seven\",\"ts\":\"2026-01-01T00:00:00Z\"}",
                "{\"id\":\"a\",\"id\":\"b\",\"ts\":\"2026-01-01T00:00:00Z\"}",
                "{\"id\":\"a\"}");
        List<org.apache.flink.table.types.logical.LogicalType> types = List.of(parser.schema().type(0), parser.schema().type(1),
                parser.schema().type(2), parser.schema().type(3), parser.schema().type(4), parser.schema().type(5));
        int accepted = 0;
        for (String json : records) {
            byte[] bytes = json.getBytes(StandardCharsets.UTF_8);
            Object[] external = new Object[6];
            Object[] values = new Object[6];
            String externalReason = null;
            String internalReason = null;
            try {
                parser.parse(bytes, external);
            } catch (JsonRecordParser.BadRecordException e) {
                externalReason = e.getMessage();
            }
            try {
                internal.parse(bytes, values);
            } catch (JsonRecordParser.BadRecordException e) {
                internalReason = e.getMessage();
            }
            assertThat(internalReason).as(json).isEqualTo(externalReason);
            if (externalReason == null) {
                accepted++;
                for (int i = 0; i < 6; i++) {
                    assertThat(values[i]).as(json + " column " + i).isEqualTo(InternalValues.toInternal(external[i], types.get(i)));
                }
            }
        }
        assertThat(accepted).isEqualTo(4);
        Object[] values = new Object[6];
        try {
            internal.parse("{\"id\":\"\u20ac\",\"ts\":\"2026-01-01T00:00:00Z\"}".getBytes(StandardCharsets.UTF_8), values);
        } catch (JsonRecordParser.BadRecordException e) {
            throw new AssertionError(e);
        }
        assertThat(((org.apache.flink.table.data.StringData) values[0]).toBytes()).containsExactly((byte) 0xE2, (byte) 0x82, (byte) 0xAC);
    }
}
