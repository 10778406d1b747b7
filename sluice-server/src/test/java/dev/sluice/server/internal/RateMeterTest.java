package dev.sluice.server.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class RateMeterTest {
    private static final long SECOND = 1_000_000_000L;

    @Test
    void firstSampleHasNoRate() {
        assertThat(new RateMeter(SECOND).record(1_000, 5 * SECOND)).isZero();
    }

    @Test
    void rateIsTheIncreaseOverTheElapsedTime() {
        RateMeter meter = new RateMeter(SECOND);
        meter.record(100, 0);
        assertThat(meter.record(1_100, 2 * SECOND)).isEqualTo(500.0);
        assertThat(meter.record(1_400, 3 * SECOND)).isEqualTo(300.0);
    }

    @Test
    void samplesWithinTheWindowKeepThePreviousRate() {
        RateMeter meter = new RateMeter(SECOND);
        meter.record(0, 0);
        assertThat(meter.record(250, SECOND)).isEqualTo(250.0);
        // Half a second later: too short an interval, the rate stays, and the interval keeps growing from 1 s.
        assertThat(meter.record(10_000, SECOND + SECOND / 2)).isEqualTo(250.0);
        assertThat(meter.record(10_250, 2 * SECOND)).isEqualTo(10_000.0);
    }

    @Test
    void counterThatWentDownNeverGivesANegativeRate() {
        RateMeter meter = new RateMeter(SECOND);
        meter.record(5_000, 0);
        assertThat(meter.record(5_500, SECOND)).isEqualTo(500.0);
        assertThat(meter.record(20, 2 * SECOND)).isZero();
        assertThat(meter.record(120, 3 * SECOND)).isEqualTo(100.0);
    }

    @Test
    void unchangedCounterHasRateZero() {
        RateMeter meter = new RateMeter(SECOND);
        meter.record(42, 0);
        assertThat(meter.record(42, 4 * SECOND)).isZero();
        assertThat(meter.rate()).isZero();
    }

    @Test
    void rejectsAnEmptyWindow() {
        assertThatThrownBy(() -> new RateMeter(0)).isInstanceOf(IllegalArgumentException.class)
                .hasMessage("the rate window must be positive, got 0 ns");
    }
}
