package dev.sluice.engine.internal;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import org.junit.jupiter.api.Test;

class Utf8Test {
    @Test
    void findsAnInvalidByteAtEveryPositionOfAnAsciiRun() {
        for (int length = 1; length <= 40; length++) {
            for (int at = 0; at < length; at++) {
                byte[] bytes = new byte[length];
                Arrays.fill(bytes, (byte) 'a');
                bytes[at] = (byte) 0xff;
                assertThat(Utf8.firstInvalid(bytes)).as("0xFF at %d of %d", at, length).isEqualTo(at);
            }
        }
    }

    @Test
    void acceptsEveryWellFormedCharacterAndRefusesWhatRfc3629Excludes() {
        String text = "ascii \u00e9 \u0800 \uffff \u20ac \uD800\uDC00 \uDBFF\uDFFF and more ascii after";
        assertThat(Utf8.firstInvalid(text.getBytes(StandardCharsets.UTF_8))).isEqualTo(-1);
        assertThat(Utf8.firstInvalid(new byte[0])).isEqualTo(-1);
        int[][] invalid = {
                {0x80}, {0xbf}, {0xc0, 0x80}, {0xc1, 0xbf}, {0xc2}, {0xc2, 0x41}, {0xe0, 0x9f, 0x80}, {0xe2, 0x82},
                {0xed, 0xa0, 0x80}, {0xed, 0xbf, 0xbf}, {0xf0, 0x8f, 0x80, 0x80}, {0xf4, 0x90, 0x80, 0x80},
                {0xf5, 0x80, 0x80, 0x80}, {0xf8}, {0xff}, {0xe2, 0x82, 0x41}, {0xf0, 0x90, 0x80}};
        for (int[] sequence : invalid) {
            byte[] bytes = new byte[9 + sequence.length];
            Arrays.fill(bytes, (byte) 'x');
            for (int k = 0; k < sequence.length; k++) {
                bytes[9 + k] = (byte) sequence[k];
            }
            assertThat(Utf8.firstInvalid(bytes)).as(Arrays.toString(sequence)).isEqualTo(9);
        }
    }
}
