package dev.sluice.storage;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import org.junit.jupiter.api.Test;

class DelayHistogramTest {
    @Test
    void percentilesAreWithinTenPercentOfTheTrueValue() {
        DelayHistogram h = new DelayHistogram();
        for (int ms = 1; ms <= 1000; ms++) {
            h.record(ms);
        }
        assertThat(h.count()).isEqualTo(1000);
        assertThat(h.percentile(50).toMillis()).isBetween(500L, 550L);
        assertThat(h.percentile(99).toMillis()).isBetween(990L, 1089L);
        assertThat(h.percentile(100).toMillis()).isBetween(1000L, 1100L);
        assertThat(h.percentile(0).toMillis()).isEqualTo(1L);
    }

    @Test
    void smallDelaysAreExactAndNegativeOnesCountAsZero() {
        DelayHistogram h = new DelayHistogram();
        h.record(-5);
        h.record(3);
        h.record(3);
        h.record(7);
        assertThat(h.percentile(25)).isEqualTo(Duration.ZERO.plusMillis(1));
        assertThat(h.percentile(50)).isEqualTo(Duration.ofMillis(3));
        assertThat(h.percentile(100)).isEqualTo(Duration.ofMillis(7));
    }

    @Test
    void emptyHistogramReportsZero() {
        assertThat(new DelayHistogram().percentile(99)).isEqualTo(Duration.ZERO);
    }

    @Test
    void sinceACopyCountsOnlyTheDelaysRecordedAfterIt() {
        DelayHistogram h = new DelayHistogram();
        h.record(5);
        h.record(900);
        DelayHistogram before = h.copy();
        h.record(2);
        h.record(3);
        h.record(4);

        DelayHistogram after = h.since(before);

        assertThat(after.count()).isEqualTo(3);
        assertThat(after.percentile(100)).isEqualTo(Duration.ofMillis(4));
        assertThat(after.percentile(0)).isEqualTo(Duration.ofMillis(2));
        assertThat(before.count()).isEqualTo(2);
        assertThat(h.count()).isEqualTo(5);
    }
}
