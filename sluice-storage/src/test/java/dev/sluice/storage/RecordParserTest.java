package dev.sluice.storage;

import static dev.sluice.storage.DuckDbStoreTest.col;
import static org.assertj.core.api.Assertions.assertThat;

import dev.sluice.spec.SinkSpec;
import dev.sluice.storage.internal.RecordParser;
import dev.sluice.storage.internal.RecordParser.Parsed;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class RecordParserTest {
    final RecordParser upsert = new RecordParser("sales", List.of(col("merchant_id", "STRING"), col("window_start", "TIMESTAMP(3)"),
            col("amount", "DECIMAL(12, 2)"), col("orders", "INT"), col("paid", "BOOLEAN"), col("rate", "DOUBLE"),
            col("at", "TIMESTAMP_LTZ(3)"), col("day", "DATE"), col("tm", "TIME(0)"), col("small", "TINYINT"), col("f", "FLOAT")),
            List.of("merchant_id", "window_start"), SinkSpec.Mode.UPSERT);
    final RecordParser append = new RecordParser("events", List.of(col("id", "STRING")), List.of(), SinkSpec.Mode.APPEND);

    @Test
    void readsEveryEncodingIntoCanonicalText() {
        Parsed p = upsert.parse(null, bytes("{\"merchant_id\":\"m-1\",\"window_start\":\"2026-11-24T15:00:00\",\"amount\":1234567890.1,"
                + "\"orders\":-7,\"paid\":true,\"rate\":0.25,\"at\":\"2026-11-24T15:00:00.123Z\",\"day\":\"2026-11-24\",\"tm\":\"15:00:00\","
                + "\"small\":127,\"f\":1.5,\"unknown\":[1,2]}"));

        assertThat(p.isRejected()).isFalse();
        assertThat(p.tombstone()).isFalse();
        assertThat(p.values()).containsExactly("m-1", "2026-11-24T15:00:00", "1234567890.10", "-7", "true", "0.25",
                "2026-11-24T15:00:00.123Z", "2026-11-24", "15:00:00", "127", "1.5");
    }

    @Test
    void keepsDecimalsExact() {
        Parsed p = upsert.parse(null, bytes("{\"merchant_id\":\"m\",\"window_start\":\"2026-11-24 15:00:00.5\",\"amount\":0.10}"));

        assertThat(p.values()).containsExactly("m", "2026-11-24T15:00:00.5", "0.10", null, null, null, null, null, null, null, null);
    }

    @Test
    void readsOffsetTimestampsAsUtc() {
        Parsed p = upsert.parse(null, bytes("{\"merchant_id\":\"m\",\"window_start\":\"2026-11-24T15:00:00\",\"at\":\"2026-11-24T16:00:00+01:00\"}"));

        assertThat(p.values()[6]).isEqualTo("2026-11-24T15:00:00Z");
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', quoteCharacter = '`', value = {
        "{\"merchant_id\":\"m\",\"window_start\":\"2026-11-24T15:00:00\",\"amount\":\"12.50\"}|column 'amount' (DECIMAL(12, 2)): expected an exact JSON number, got \"12.50\"",
        "{\"merchant_id\":\"m\",\"window_start\":\"2026-11-24T15:00:00\",\"amount\":1.234}|column 'amount' (DECIMAL(12, 2)): expected at most 2 digits after the decimal point for DECIMAL(12, 2), got 1.234",
        "{\"merchant_id\":\"m\",\"window_start\":\"2026-11-24T15:00:00\",\"amount\":12345678901}|column 'amount' (DECIMAL(12, 2)): expected at most 10 digits before the decimal point for DECIMAL(12, 2), got 12345678901",
        "{\"merchant_id\":\"m\",\"window_start\":\"2026-11-24T15:00:00\",\"orders\":2147483648}|column 'orders' (INT): expected an integer between -2147483648 and 2147483647, got 2147483648",
        "{\"merchant_id\":\"m\",\"window_start\":\"2026-11-24T15:00:00\",\"orders\":1.5}|column 'orders' (INT): expected an integer JSON number, got 1.5",
        "{\"merchant_id\":\"m\",\"window_start\":\"2026-11-24T15:00:00\",\"small\":128}|column 'small' (TINYINT): expected an integer between -128 and 127, got 128",
        "{\"merchant_id\":\"m\",\"window_start\":\"2026-11-24T15:00:00\",\"paid\":\"yes\"}|column 'paid' (BOOLEAN): expected true or false, got \"yes\"",
        "{\"merchant_id\":\"m\",\"window_start\":\"24.11.2026\"}|column 'window_start' (TIMESTAMP(3)): expected a timestamp like \"2026-11-24T15:00:00.123\", got \"24.11.2026\"",
        "{\"merchant_id\":\"m\",\"window_start\":\"2026-11-24T15:00:00\",\"at\":\"2026-11-24T15:00:00\"}|column 'at' (TIMESTAMP_LTZ(3)): expected a UTC timestamp like \"2026-11-24T15:00:00.123Z\", got \"2026-11-24T15:00:00\"",
        "{\"merchant_id\":\"m\",\"window_start\":\"2026-11-24T15:00:00\",\"f\":1e39}|column 'f' (FLOAT): expected a number within the range of FLOAT, got 1E+39",
        "{\"merchant_id\":7,\"window_start\":\"2026-11-24T15:00:00\"}|column 'merchant_id' (STRING): expected a JSON string, got 7",
        "{\"window_start\":\"2026-11-24T15:00:00\"}|primary-key column 'merchant_id' is missing in the value; every row of upsert table 'sales' needs a key",
        "{\"merchant_id\":null,\"window_start\":\"2026-11-24T15:00:00\"}|primary-key column 'merchant_id' is null in the value; every row of upsert table 'sales' needs a key",
        "[1,2]|value must be a JSON object of column name to value, got [1,2]",
    })
    void rejectsValuesWithTheColumnAndTheOffendingValue(String value, String reason) {
        Parsed p = upsert.parse(null, bytes(value));

        assertThat(p.isRejected()).isTrue();
        assertThat(p.rejection()).isEqualTo(reason);
    }

    @Test
    void rejectsMalformedJson() {
        assertThat(upsert.parse(null, bytes("{\"merchant_id\":")).rejection()).startsWith("value is not valid JSON: Unexpected end-of-input");
    }

    @Test
    void rejectsTrailingContent() {
        assertThat(upsert.parse(null, bytes("{\"merchant_id\":\"m\"} {}")).rejection()).startsWith("value is not valid JSON: Trailing token");
    }

    @Test
    void readsTombstoneKeys() {
        Parsed p = upsert.parse(bytes("{\"window_start\":\"2026-11-24T15:00:00\",\"merchant_id\":\"m-1\"}"), null);

        assertThat(p.tombstone()).isTrue();
        assertThat(p.values()).containsExactly("m-1", "2026-11-24T15:00:00");
    }

    @Test
    void rejectsTombstonesItCannotApply() {
        assertThat(upsert.parse(null, null).rejection())
                .isEqualTo("tombstone without a key; upsert table 'sales' needs the primary key [merchant_id, window_start] as a JSON object in the Kafka key");
        assertThat(upsert.parse(bytes("{\"merchant_id\":\"m-1\"}"), null).rejection())
                .isEqualTo("primary-key column 'window_start' is missing in the key of a tombstone");
        assertThat(append.parse(null, null).rejection())
                .isEqualTo("null value (tombstone) on append table 'events'; only upsert tables delete rows");
    }

    private static byte[] bytes(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }
}
