package dev.sluice.server.internal;

import java.time.Clock;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * A token bucket per API key: {@code rate} records per second, of which one second's worth may come at once. A request
 * is let through when the bucket holds a token for each of its records (or one second's worth, for a request larger
 * than that), and takes them all; the bucket may go below zero, so a large request passes and the next ones wait
 * longer. A refused request learns how many whole seconds to wait.
 */
public final class RateLimiter {
    private final Clock clock;
    private final Map<String, Bucket> buckets = new ConcurrentHashMap<>();

    private static final class Bucket {
        double tokens;
        long lastNanos;
    }

    public RateLimiter(Clock clock) {
        this.clock = clock;
    }

    /**
     * Takes {@code records} from the bucket of {@code key} at {@code rate} records per second.
     *
     * @return 0 when the request may go ahead, otherwise the seconds to wait before trying again (at least 1)
     */
    public long acquire(String key, double rate, int records) {
        if (rate <= 0) {
            return 0;
        }
        Bucket bucket = buckets.computeIfAbsent(key, k -> {
            Bucket b = new Bucket();
            b.tokens = rate;
            b.lastNanos = nanos();
            return b;
        });
        synchronized (bucket) {
            long now = nanos();
            bucket.tokens = Math.min(rate, bucket.tokens + (now - bucket.lastNanos) / 1e9 * rate);
            bucket.lastNanos = now;
            double needed = Math.min(records, rate);
            if (bucket.tokens < needed) {
                return Math.max(1, (long) Math.ceil((needed - bucket.tokens) / rate));
            }
            bucket.tokens -= records;
            return 0;
        }
    }

    private long nanos() {
        java.time.Instant now = clock.instant();
        return now.getEpochSecond() * 1_000_000_000L + now.getNano();
    }
}
