package dev.sluice.engine.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.sluice.spec.ColumnSpec;
import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
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

    private Object[] parse(String json) throws JsonRecordParser.BadRecordException {
        Object[] values = new Object[6];
        parser.parse(json.getBytes(StandardCharsets.UTF_8), values);
        return values;
    }

    private String reason(String json) {
        try {
            parse(json);
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
    void nullValueIsRejected() {
        assertThatThrownBy(() -> parser.parse(null, new Object[6])).hasMessage("record has no value (null)");
    }
}
