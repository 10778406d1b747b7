package dev.sluice.storage;

import java.time.Duration;
import java.util.concurrent.atomic.AtomicLongArray;

/**
 * Counts delays in buckets that grow by about 10% (1 ms resolution up to 10 ms), from 0 to about 24 hours, so
 * percentiles are within 10% at any scale with a fixed 200-odd counters. Written by one thread, read by any:
 * the loader records, per stored row, the time from the row's event time to the commit that made it visible.
 */
public final class DelayHistogram {
    private static final int LINEAR = 10;
    private static final double GROWTH = 1.1;
    private static final int BUCKETS;
    private static final long[] UPPER;

    static {
        java.util.List<Long> bounds = new java.util.ArrayList<>();
        for (long b = 1; b <= LINEAR; b++) {
            bounds.add(b);
        }
        double b = LINEAR;
        while (b < Duration.ofHours(24).toMillis()) {
            b = Math.ceil(b * GROWTH);
            bounds.add((long) b);
        }
        BUCKETS = bounds.size() + 1;
        UPPER = bounds.stream().mapToLong(Long::longValue).toArray();
    }

    private final AtomicLongArray counts = new AtomicLongArray(BUCKETS);

    /** Records one delay; negative delays (clock skew, event times in the future) count as zero. */
    public void record(long delayMillis) {
        counts.incrementAndGet(bucket(Math.max(0, delayMillis)));
    }

    public long count() {
        long n = 0;
        for (int i = 0; i < BUCKETS; i++) {
            n += counts.get(i);
        }
        return n;
    }

    /**
     * The delay below which {@code percentile} percent of recorded delays fall, as the upper bound of its
     * bucket; {@code Duration.ZERO} when nothing was recorded.
     */
    public Duration percentile(double percentile) {
        if (percentile < 0 || percentile > 100) {
            throw new IllegalArgumentException("percentile must be 0..100, got " + percentile);
        }
        long total = count();
        if (total == 0) {
            return Duration.ZERO;
        }
        long rank = (long) Math.ceil(percentile / 100.0 * total);
        long seen = 0;
        for (int i = 0; i < BUCKETS; i++) {
            seen += counts.get(i);
            if (seen >= Math.max(1, rank)) {
                return Duration.ofMillis(i < UPPER.length ? UPPER[i] : UPPER[UPPER.length - 1]);
            }
        }
        return Duration.ofMillis(UPPER[UPPER.length - 1]);
    }

    /** A copy of the counts so far, e.g. to take {@link #since} a later state. */
    public DelayHistogram copy() {
        DelayHistogram copy = new DelayHistogram();
        for (int i = 0; i < BUCKETS; i++) {
            copy.counts.set(i, counts.get(i));
        }
        return copy;
    }

    /** The delays recorded after {@code earlier}, a {@link #copy()} of this histogram taken before. */
    public DelayHistogram since(DelayHistogram earlier) {
        DelayHistogram difference = new DelayHistogram();
        for (int i = 0; i < BUCKETS; i++) {
            difference.counts.set(i, Math.max(0, counts.get(i) - earlier.counts.get(i)));
        }
        return difference;
    }

    private static int bucket(long millis) {
        int lo = 0;
        int hi = UPPER.length;
        while (lo < hi) {
            int mid = (lo + hi) >>> 1;
            if (UPPER[mid] < millis) {
                lo = mid + 1;
            } else {
                hi = mid;
            }
        }
        return lo;
    }
}
