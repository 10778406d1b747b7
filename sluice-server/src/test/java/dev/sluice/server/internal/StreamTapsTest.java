package dev.sluice.server.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Properties;
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

    @Test
    void tapsBeyondTheCapAreRefusedUntilOneCloses() throws Exception {
        Properties props = new Properties();
        // Nothing listens there: the tap's consumer keeps trying to connect, which is all this test needs.
        props.setProperty("bootstrap.servers", "localhost:1");
        StreamTaps.Listener silent = new StreamTaps.Listener() {
            @Override
            public boolean send(String event, String json) {
                return true;
            }

            @Override
            public boolean ping() {
                return true;
            }
        };
        try (StreamTaps taps = new StreamTaps(props, 1, 50, 4096)) {
            AutoCloseable first = taps.open("clicks", silent);
            assertThat(taps.openTaps()).isEqualTo(1);
            assertThatThrownBy(() -> taps.open("clicks", silent)).isInstanceOf(StreamTaps.TooManyTapsException.class)
                    .hasMessage("there are 1 stream taps open, the most this server allows (1); close a Streams page and try again");
            first.close();
            assertThat(taps.openTaps()).isZero();
            AutoCloseable second = taps.open("results", silent);
            second.close();
            await().atMost(Duration.ofSeconds(15)).until(() -> Thread.getAllStackTraces().keySet().stream()
                    .noneMatch(t -> t.isAlive() && t.getName().startsWith("sluice-tap-")));
        }
    }
}
