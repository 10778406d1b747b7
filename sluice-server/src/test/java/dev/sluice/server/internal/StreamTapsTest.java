package dev.sluice.server.internal;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class StreamTapsTest {
    @Test
    void textIsCutToTheLimitInBytes() {
        assertThat(StreamTaps.text("abcdef".getBytes(StandardCharsets.UTF_8), 4)).isEqualTo("abcd");
        assertThat(StreamTaps.text("abc".getBytes(StandardCharsets.UTF_8), 4)).isEqualTo("abc");
        assertThat(StreamTaps.text(null, 4)).isNull();
    }

    @Test
    void aCutNeverSplitsAUtf8Character() {
        // "é" is two bytes; a limit of 2 after "a" would cut it in half.
        assertThat(StreamTaps.text("aéb".getBytes(StandardCharsets.UTF_8), 2)).isEqualTo("a");
        assertThat(StreamTaps.text("aéb".getBytes(StandardCharsets.UTF_8), 3)).isEqualTo("aé");
        // "€" is three bytes.
        assertThat(StreamTaps.text("€€".getBytes(StandardCharsets.UTF_8), 5)).isEqualTo("€");
    }
}
