package dev.sluice.storage.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.node.TextNode;
import java.time.LocalDateTime;
import java.time.format.DateTimeFormatter;
import java.time.temporal.ChronoUnit;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** The loader's fast path for timestamps must give exactly the text the formatter path gives, and refuse the same values. */
class ColumnTypeTimestampTest {
    private static final ColumnType TIMESTAMP = ColumnType.parse("TIMESTAMP(3)").orElseThrow();

    @Test
    void theFastPathGivesTheFormattersTextForEveryLayoutFlinkWrites() throws Exception {
        Random random = new Random(7);
        for (int i = 0; i < 20_000; i++) {
            LocalDateTime t = LocalDateTime.of(1 + random.nextInt(9999), 1 + random.nextInt(12), 1, random.nextInt(24),
                    random.nextInt(60), random.nextInt(60)).plusDays(random.nextInt(31)).withNano(nanos(random));
            int digits = random.nextInt(10);
            String text = t.toLocalDate() + (random.nextBoolean() ? " " : "T") + String.format("%02d:%02d:%02d", t.getHour(),
                    t.getMinute(), t.getSecond()) + (digits == 0 ? "" : "." + String.format("%09d", t.getNano()).substring(0, digits));
            String expected = DateTimeFormatter.ISO_LOCAL_DATE_TIME.format(LocalDateTime.parse(text.replace(' ', 'T'))
                    .truncatedTo(ChronoUnit.MICROS));

            assertThat(ColumnType.canonicalTimestamp(text)).as(text).isEqualTo(expected);
            assertThat(TIMESTAMP.toText(TextNode.valueOf(text))).as(text).isEqualTo(expected);
        }
    }

    @Test
    void whatTheFastPathDoesNotTakeGoesToTheFormatterWithItsErrors() throws Exception {
        assertThat(ColumnType.canonicalTimestamp("2026-11-24T15:00")).isNull();
        assertThat(TIMESTAMP.toText(TextNode.valueOf("2026-11-24T15:00"))).isEqualTo("2026-11-24T15:00:00");
        assertThat(ColumnType.canonicalTimestamp("2026-11-24 15:00:00.")).isNull();
        assertThat(TIMESTAMP.toText(TextNode.valueOf("2026-11-24 15:00:00."))).isEqualTo("2026-11-24T15:00:00");
        for (String wrong : new String[] {"2026-02-29 10:00:00", "2026-13-01 10:00:00", "2026-11-24 24:00:00", "2026-11-24 10:60:00",
                "2026-11-24 10:00:60", "0000-11-24 10:00:00", "2026-11-24 10:00:00.1234567890",
                "2026-11-24 1a:00:00", "2026-11-24 10:00:00.12x", "2026/11/24 10:00:00", "+2026-11-24 10:00:00"}) {
            assertThat(ColumnType.canonicalTimestamp(wrong)).as(wrong).isNull();
            assertThatThrownBy(() -> TIMESTAMP.toText(TextNode.valueOf(wrong))).as(wrong)
                    .isInstanceOf(ColumnType.InvalidValueException.class);
        }
        assertThat(ColumnType.canonicalTimestamp("2024-02-29 23:59:59.999999999")).isEqualTo("2024-02-29T23:59:59.999999");
        assertThat(ColumnType.canonicalTimestamp("2026-11-24 10:00:00.000")).isEqualTo("2026-11-24T10:00:00");
    }

    private static int nanos(Random random) {
        return switch (random.nextInt(4)) {
            case 0 -> 0;
            case 1 -> random.nextInt(1000) * 1_000_000;
            case 2 -> random.nextInt(1_000_000) * 1_000;
            default -> random.nextInt(1_000_000_000);
        };
    }
}
