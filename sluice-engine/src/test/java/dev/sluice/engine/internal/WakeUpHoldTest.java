package dev.sluice.engine.internal;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class WakeUpHoldTest {
    private static final long QUIET = 1_000;
    private static final long IDLE = 10_000;
    private static final long MAX = 30_000;

    @Test
    void aPartitionWhoseReaderIsSlowToDeliverKeepsTheWatermarkHeldPastTheQuietPeriod() {
        WakeUpHold hold = new WakeUpHold(4, QUIET, IDLE, MAX);
        hold.wake(0);
        // Partitions 0, 1 and 3 deliver at once; partition 2's reader gets the CPU only 4 s later (a loaded machine).
        hold.record(0, false, 10);
        hold.record(1, false, 20);
        hold.record(3, false, 30);
        assertThat(hold.release(2_000)).as("quiet for 2 s, but partition 2 has not delivered").isFalse();
        assertThat(hold.release(3_900)).isFalse();
        hold.record(2, true, 4_000);
        assertThat(hold.release(4_500)).as("partition 2's record was behind: quiet again only 1 s later").isFalse();
        assertThat(hold.release(5_000)).isTrue();
        assertThat(hold.holding()).isFalse();
    }

    @Test
    void everyPartitionDeliveredAndQuietReleasesAfterTheQuietPeriod() {
        WakeUpHold hold = new WakeUpHold(2, QUIET, IDLE, MAX);
        hold.wake(100);
        hold.record(1, true, 150);
        hold.record(0, false, 200);
        assertThat(hold.release(1_149)).isFalse();
        assertThat(hold.release(1_150)).isTrue();
    }

    @Test
    void aPartitionThatStaysSilentHoldsForTheIdleTimeout() {
        WakeUpHold hold = new WakeUpHold(3, QUIET, IDLE, MAX);
        hold.wake(0);
        hold.record(0, false, 5);
        hold.record(1, false, 5);
        assertThat(hold.release(9_999)).isFalse();
        assertThat(hold.release(10_000)).isTrue();
    }

    @Test
    void recordsBehindTheWatermarkThatKeepComingHoldAtMostTheMaximum() {
        WakeUpHold hold = new WakeUpHold(1, QUIET, IDLE, MAX);
        hold.wake(0);
        for (long t = 0; t < MAX; t += 500) {
            hold.record(0, true, t);
            assertThat(hold.release(t)).isFalse();
        }
        assertThat(hold.release(MAX)).isTrue();
    }

    @Test
    void aNewWakeUpWaitsForEveryPartitionAgain() {
        WakeUpHold hold = new WakeUpHold(2, QUIET, IDLE, MAX);
        hold.wake(0);
        hold.record(0, false, 0);
        hold.record(1, false, 0);
        assertThat(hold.release(QUIET)).isTrue();
        hold.wake(50_000);
        hold.record(0, false, 50_000);
        assertThat(hold.release(52_000)).isFalse();
        assertThat(hold.release(60_000)).isTrue();
    }
}
