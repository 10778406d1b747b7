package dev.sluice.engine.internal;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.sluice.spec.SinkSpec;
import dev.sluice.storage.internal.RecordParser;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Base64;
import java.util.List;
import org.junit.jupiter.api.Test;

class RejectedRecordTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    /** What a producer with the default max.request.size can send, with room for the record's framing. */
    private static final int PRODUCER_LIMIT = 1024 * 1024 - 1024;

    private static JsonNode read(byte[] deadLetter) throws Exception {
        return JSON.readTree(deadLetter);
    }

    private static byte[] deadLetter(byte[] key, byte[] value, String reason) {
        return RejectedRecord.toJson("payments", "payments", 3, 41, 1767225600000L, key, value, reason);
    }

    @Test
    void aSmallRecordIsKeptWhole() throws Exception {
        JsonNode d = read(deadLetter("k1".getBytes(StandardCharsets.UTF_8), "{\"a\":\"\u00e9\"}".getBytes(StandardCharsets.UTF_8), "bad"));
        assertThat(d.toString()).isEqualTo("{\"source\":\"payments\",\"topic\":\"payments\",\"kafka_partition\":3,\"kafka_offset\":41,"
                + "\"kafka_timestamp\":\"2026-01-01T00:00:00Z\",\"record_key\":\"k1\",\"record_value\":\"{\\\"a\\\":\\\"\u00e9\\\"}\","
                + "\"reason\":\"bad\",\"record_key_bytes\":2,\"record_key_truncated\":false,\"record_value_bytes\":10,"
                + "\"record_value_truncated\":false}");
    }

    @Test
    void nulBytesThatJsonEscapesSixfoldStayFarBelowTheProducerLimit() throws Exception {
        // Each NUL becomes \u0000: 700 KB of them were a 4.2 MB dead letter that no producer could send.
        byte[] value = new byte[700 * 1024];
        byte[] deadLetter = deadLetter(null, value, "invalid JSON: Illegal character ((CTRL-CHAR, code 0))");
        assertThat(deadLetter.length).isLessThanOrEqualTo(RejectedRecord.MAX_VALUE_BYTES + 2048);
        JsonNode d = read(deadLetter);
        assertThat(d.get("record_value").asText()).isEqualTo("\u0000".repeat(RejectedRecord.MAX_VALUE_BYTES / 6));
        assertThat(d.get("record_value_truncated").asBoolean()).isTrue();
        assertThat(d.get("record_value_bytes").asLong()).isEqualTo(700 * 1024);
        assertThat(d.get("reason").asText()).isEqualTo("invalid JSON: Illegal character ((CTRL-CHAR, code 0))"
                + " [record_value holds the first 10922 of 716800 bytes]");
    }

    @Test
    void everyPartIsBoundedWhateverItHolds() throws Exception {
        byte[] quotes = new byte[1000 * 1024];
        Arrays.fill(quotes, (byte) '"');
        String reason = "value " + "9".repeat(500_000) + " does not fit";
        byte[] deadLetter = deadLetter(quotes, quotes, reason);
        assertThat(deadLetter.length).isLessThan(RejectedRecord.MAX_VALUE_BYTES + RejectedRecord.MAX_KEY_BYTES
                + RejectedRecord.MAX_REASON_BYTES + 1024).isLessThan(PRODUCER_LIMIT / 10);
        JsonNode d = read(deadLetter);
        assertThat(d.get("record_key").asText()).isEqualTo("\"".repeat(RejectedRecord.MAX_KEY_BYTES / 2));
        assertThat(d.get("record_value").asText()).isEqualTo("\"".repeat(RejectedRecord.MAX_VALUE_BYTES / 2));
        assertThat(d.get("reason").asText()).startsWith("value 999").contains("... [reason truncated]")
                .endsWith(" [record_key holds the first 2048 of 1024000 bytes] [record_value holds the first 32768 of 1024000 bytes]");
    }

    @Test
    void multiByteCharactersAreNeverCut() throws Exception {
        String text = "\u20ac".repeat(100_000);
        JsonNode d = read(deadLetter(null, text.getBytes(StandardCharsets.UTF_8), "r"));
        assertThat(d.get("record_value").asText()).isEqualTo("\u20ac".repeat(RejectedRecord.MAX_VALUE_BYTES / 3));
        String emoji = "x" + "\uD83D\uDE00".repeat(1000);
        assertThat(read(deadLetter(null, null, emoji)).get("reason").asText())
                .matches("x(\uD83D\uDE00)+\\.\\.\\. \\[reason truncated\\]");
    }

    @Test
    void binaryIsKeptAsBase64OfItsFirstBytes() throws Exception {
        byte[] value = new byte[200_000];
        for (int i = 0; i < value.length; i++) {
            value[i] = (byte) i;
        }
        JsonNode d = read(deadLetter(null, value, "invalid UTF-8 at byte 129: a record must be UTF-8 text"));
        String text = d.get("record_value").asText();
        assertThat(text).startsWith("base64:");
        byte[] kept = Base64.getDecoder().decode(text.substring("base64:".length()));
        assertThat(kept).isEqualTo(Arrays.copyOf(value, kept.length));
        assertThat(text.length()).isLessThanOrEqualTo(RejectedRecord.MAX_VALUE_BYTES).isGreaterThan(RejectedRecord.MAX_VALUE_BYTES - 8);
        assertThat(d.get("record_value_bytes").asLong()).isEqualTo(200_000);
    }

    @Test
    void unpairedSurrogatesInAReasonAreWrittenAsEscapes() throws Exception {
        JsonNode d = read(deadLetter(null, null, "field 'id': got \"\uD800\""));
        assertThat(d.get("reason").asText()).isEqualTo("field 'id': got \"\uD800\"");
        assertThat(d.get("record_value").isNull()).isTrue();
        assertThat(d.get("record_value_bytes").isNull()).isTrue();
        assertThat(d.get("record_value_truncated").asBoolean()).isFalse();
    }

    @Test
    void theLoaderStillReadsDeadLettersIntoTheDeadLettersTable() {
        RecordParser loader = new RecordParser("dead_letters", RejectedRecord.COLUMNS, List.of(), SinkSpec.Mode.APPEND);
        byte[] value = new byte[700 * 1024];
        RecordParser.Parsed parsed = loader.parse(null, deadLetter("k".getBytes(StandardCharsets.UTF_8), value, "bad"));
        assertThat(parsed.isRejected()).as(String.valueOf(parsed.rejection())).isFalse();
        assertThat(parsed.values()).hasSize(RejectedRecord.COLUMNS.size());
        assertThat(parsed.values()[0]).isEqualTo("payments");
        assertThat(parsed.values()[3]).isEqualTo("41");
        assertThat(parsed.values()[5]).isEqualTo("k");
        assertThat(parsed.values()[6]).hasSize(RejectedRecord.MAX_VALUE_BYTES / 6);
        assertThat(parsed.values()[7]).isEqualTo("bad [record_value holds the first 10922 of 716800 bytes]");
    }
}
