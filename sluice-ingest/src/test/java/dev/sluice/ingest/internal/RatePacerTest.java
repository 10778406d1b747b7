package dev.sluice.ingest.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class RatePacerTest {

    private static final long START = 7_000_000_000L; // an arbitrary nanoTime origin
    private static final long MS = 1_000_000L;
    private static final long SECOND = 1_000_000_000L;

    @Test
    void rateZeroMeansAnUnboundedBatchAtAnyTime() {
        RatePacer pacer = new RatePacer(0, START);

        assertThat(pacer.unbounded()).isTrue();
        assertThat(pacer.due(START)).isEqualTo(Long.MAX_VALUE);
        pacer.record(1_000_000);
        assertThat(pacer.due(START)).isEqualTo(Long.MAX_VALUE);
        assertThat(pacer.nanosUntilNextDue(START)).isZero();
    }

    @Test
    void firstEventIsDueAtTheStartAndOneMoreEveryInterval() {
        RatePacer pacer = new RatePacer(1_000, START);

        assertThat(pacer.due(START - 1)).isZero();
        assertThat(pacer.due(START)).isEqualTo(1);
        pacer.record(1);
        assertThat(pacer.due(START + MS - 1)).isZero();
        assertThat(pacer.due(START + MS)).isEqualTo(1);
        assertThat(pacer.due(START + 10 * MS)).isEqualTo(10);
        pacer.record(10);
        assertThat(pacer.due(START + 10 * MS)).isZero();
    }

    @Test
    void scheduleIsAPureFunctionOfStartRateAndNow() {
        assertThat(RatePacer.scheduledBy(START, 4, START - 1)).isZero();
        assertThat(RatePacer.scheduledBy(START, 4, START)).isEqualTo(1);
        assertThat(RatePacer.scheduledBy(START, 4, START + 250 * MS - 1)).isEqualTo(1);
        assertThat(RatePacer.scheduledBy(START, 4, START + 250 * MS)).isEqualTo(2);
        assertThat(RatePacer.scheduledBy(START, 4, START + SECOND)).isEqualTo(5);
        assertThat(RatePacer.scheduledBy(START, 0.5, START + 3 * SECOND)).isEqualTo(2);
    }

    @Test
    void irregularTicksDoNotDriftFromTheSchedule() {
        RatePacer pacer = new RatePacer(1_234.5, START);
        long now = START;
        long sent = 0;
        long[] steps = {3 * MS, 17 * MS, 1, 999_999, 41 * MS, 5 * MS + 3};
        int step = 0;
        while (now < START + 10 * SECOND) {
            long due = pacer.due(now);
            pacer.record(due);
            sent += due;
            now += steps[step++ % steps.length];
        }
        long end = START + 10 * SECOND;
        long due = pacer.due(end);
        pacer.record(due);
        sent += due;

        // floor(10 s * 1234.5/s) + the one due at the start
        assertThat(sent).isEqualTo(12_346);
        assertThat(pacer.skipped()).isZero();
    }

    @Test
    void catchUpAfterAStallIsCappedAtOneSecondWorthOfEvents() {
        RatePacer pacer = new RatePacer(1_000, START);
        pacer.record(pacer.due(START));

        long afterStall = START + 5 * SECOND;
        long due = pacer.due(afterStall);

        assertThat(due).isEqualTo(1_000).isEqualTo(pacer.maxBacklog());
        assertThat(pacer.skipped()).isEqualTo(4_000);
        pacer.record(due);
        assertThat(pacer.due(afterStall)).isZero();
        // The schedule stays anchored at the start: the next event is due one interval later, not one second.
        assertThat(pacer.due(afterStall + MS)).isEqualTo(1);
    }

    @Test
    void slowRatesMayAlwaysCatchUpAtLeastOneEvent() {
        RatePacer pacer = new RatePacer(0.1, START);
        pacer.record(pacer.due(START));

        assertThat(pacer.due(START + 100 * SECOND)).isEqualTo(1);
        assertThat(pacer.skipped()).isEqualTo(9);
    }

    @Test
    void reportsTheWaitUntilTheNextEventIsDue() {
        RatePacer pacer = new RatePacer(4, START);

        assertThat(pacer.nanosUntilNextDue(START)).isZero();
        pacer.record(pacer.due(START));
        assertThat(pacer.nanosUntilNextDue(START)).isEqualTo(250 * MS);
        assertThat(pacer.nanosUntilNextDue(START + 100 * MS)).isEqualTo(150 * MS);
        assertThat(pacer.nanosUntilNextDue(START + 250 * MS)).isZero();
    }

    @Test
    void rejectsNegativeOrNonFiniteRates() {
        assertThatThrownBy(() -> new RatePacer(-1, START))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("-1.0");
        assertThatThrownBy(() -> new RatePacer(Double.NaN, START))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("NaN");
        assertThatThrownBy(() -> new RatePacer(Double.POSITIVE_INFINITY, START))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("Infinity");
    }
}
