package dev.sluice.server.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.zip.GZIPOutputStream;
import org.junit.jupiter.api.Test;

class IngestBodyTest {
    private static IngestBody.Records read(String body, IngestBody.Form form) throws Exception {
        return IngestBody.read(new ByteArrayInputStream(body.getBytes(StandardCharsets.UTF_8)), false, form, 1000, 1000);
    }

    private static List<String> texts(IngestBody.Records records) {
        return records.records().stream().map(b -> new String(b, StandardCharsets.UTF_8)).toList();
    }

    @Test
    void splitsAnArrayIntoItsElementsExactlyAsWritten() throws Exception {
        IngestBody.Records r = read(" [ {\"a\": [1, {\"b\": \"]\"}]} ,\n\"text\", 3, null, {} ] ", IngestBody.Form.JSON);
        assertThat(texts(r)).containsExactly("{\"a\": [1, {\"b\": \"]\"}]}", "\"text\"", "3", "null", "{}");
        assertThat(r.lines()).isNull();
    }

    @Test
    void anythingButAnArrayIsOneRecordForTheParserToJudge() throws Exception {
        assertThat(texts(read("{\"a\":1}", IngestBody.Form.JSON))).containsExactly("{\"a\":1}");
        assertThat(texts(read("{\"a\":", IngestBody.Form.JSON))).containsExactly("{\"a\":");
    }

    @Test
    void ndjsonSkipsBlankLinesAndKeepsLineNumbers() throws Exception {
        IngestBody.Records r = read("{\"a\":1}\r\n\n  \n{\"a\":2}\nbad\n", IngestBody.Form.NDJSON);
        assertThat(texts(r)).containsExactly("{\"a\":1}", "{\"a\":2}", "bad");
        assertThat(r.lines()).containsExactly(1, 4, 5);
    }

    @Test
    void refusesABrokenArrayAnEmptyBodyAndDataAfterTheArray() {
        assertThatThrownBy(() -> read("[{\"a\":1}, {\"a\": ]", IngestBody.Form.JSON)).isInstanceOf(IngestBody.Malformed.class)
                .hasMessageStartingWith("the body is not a well-formed JSON array: ");
        assertThatThrownBy(() -> read("[{\"a\":1}", IngestBody.Form.JSON)).isInstanceOf(IngestBody.Malformed.class);
        assertThatThrownBy(() -> read("  ", IngestBody.Form.JSON)).isInstanceOf(IngestBody.Malformed.class)
                .hasMessageStartingWith("the body is empty");
        assertThatThrownBy(() -> read("[1] 2", IngestBody.Form.JSON)).isInstanceOf(IngestBody.Malformed.class)
                .hasMessage("unexpected data after the JSON array at byte 5");
    }

    @Test
    void boundsTheBodyAsSentAndAfterInflating() throws Exception {
        byte[] body = "x".repeat(1001).getBytes(StandardCharsets.UTF_8);
        assertThatThrownBy(() -> IngestBody.read(new ByteArrayInputStream(body), false, IngestBody.Form.NDJSON, 1000, 5000))
                .isInstanceOf(IngestBody.TooLarge.class).hasMessageStartingWith("the body is larger than ingest.max-body-size (1000 bytes)");
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (GZIPOutputStream gz = new GZIPOutputStream(out)) {
            gz.write(new byte[100_000]);
        }
        assertThat(out.size()).isLessThan(1000);
        assertThatThrownBy(() -> IngestBody.read(new ByteArrayInputStream(out.toByteArray()), true, IngestBody.Form.NDJSON, 1000, 5000))
                .isInstanceOf(IngestBody.TooLarge.class)
                .hasMessageStartingWith("the gzip body inflates to more than ingest.max-decompressed-size (5000 bytes)");
        assertThatThrownBy(() -> IngestBody.read(new ByteArrayInputStream(body, 0, 10), true, IngestBody.Form.NDJSON, 1000, 5000))
                .isInstanceOf(IngestBody.Malformed.class).hasMessageStartingWith("the body is not valid gzip");
    }

    @Test
    void knowsTheMediaTypes() {
        assertThat(IngestBody.Form.of("application/json; charset=utf-8")).isEqualTo(IngestBody.Form.JSON);
        assertThat(IngestBody.Form.of("Application/X-NDJSON")).isEqualTo(IngestBody.Form.NDJSON);
        assertThat(IngestBody.Form.of("text/plain")).isNull();
        assertThat(IngestBody.Form.of(null)).isNull();
    }
}
