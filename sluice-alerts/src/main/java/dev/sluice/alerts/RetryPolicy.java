package dev.sluice.alerts;

import java.time.Duration;

/**
 * How often and how long a notification is retried: exponential backoff from {@code initialBackoff}, doubling up to
 * {@code maxBackoff}, at most {@code maxAttempts} attempts and never starting an attempt after {@code budget} has
 * passed since the first. Then the delivery is given up (and recorded as such).
 */
public record RetryPolicy(int maxAttempts, Duration initialBackoff, Duration maxBackoff, Duration budget) {

    public RetryPolicy {
        if (maxAttempts < 1) {
            throw new IllegalArgumentException("maxAttempts is " + maxAttempts + "; expected at least 1");
        }
    }

    /** 6 attempts, backoff 0.5 s, 1 s, 2 s, 4 s, 8 s, within 60 s. */
    public static RetryPolicy defaults() {
        return new RetryPolicy(6, Duration.ofMillis(500), Duration.ofSeconds(8), Duration.ofSeconds(60));
    }

    /** The wait before attempt {@code attempt + 1}, after {@code attempt} failed attempts (1-based). */
    public Duration backoff(int attempt) {
        long millis = initialBackoff.toMillis() << Math.min(attempt - 1, 30);
        return Duration.ofMillis(Math.min(millis, maxBackoff.toMillis()));
    }
}
