package dev.sluice.server.internal;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import org.junit.jupiter.api.Test;

class RateLimiterTest {
    /** A clock the test moves by hand. */
    private static final class ManualClock extends Clock {
        Instant now = Instant.parse("2026-01-01T00:00:00Z");

        @Override
        public ZoneId getZone() {
            return ZoneOffset.UTC;
        }

        @Override
        public Clock withZone(ZoneId zone) {
            return this;
        }

        @Override
        public Instant instant() {
            return now;
        }
    }

    @Test
    void letsOneSecondsWorthThroughThenAsksToWaitUntilTheBucketRefills() {
        ManualClock clock = new ManualClock();
        RateLimiter limiter = new RateLimiter(clock);

        assertThat(limiter.acquire("k", 100, 60)).isZero();
        assertThat(limiter.acquire("k", 100, 40)).isZero();
        assertThat(limiter.acquire("k", 100, 1)).isEqualTo(1);
        clock.now = clock.now.plus(Duration.ofMillis(500));
        assertThat(limiter.acquire("k", 100, 50)).isZero();
        assertThat(limiter.acquire("k", 100, 50)).isEqualTo(1);
        assertThat(limiter.acquire("other", 100, 100)).as("each key has its own bucket").isZero();
    }

    @Test
    void aRequestLargerThanOneSecondsWorthPassesOnAFullBucketAndTheNextWaitsLonger() {
        ManualClock clock = new ManualClock();
        RateLimiter limiter = new RateLimiter(clock);

        assertThat(limiter.acquire("k", 10, 35)).isZero();
        assertThat(limiter.acquire("k", 10, 1)).isEqualTo(3);
        clock.now = clock.now.plus(Duration.ofSeconds(2));
        assertThat(limiter.acquire("k", 10, 1)).isEqualTo(1);
        clock.now = clock.now.plus(Duration.ofSeconds(1));
        assertThat(limiter.acquire("k", 10, 1)).isZero();
        assertThat(limiter.acquire("k", 0, 1_000_000)).as("rate 0: no limit").isZero();
    }
}
