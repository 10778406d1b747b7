package dev.sluice.server.internal;

/**
 * Events per second from a growing counter sampled now and then: the increase over the last interval of at least
 * {@code window}, divided by its length. Never negative: a counter that went down (its source restarted from zero)
 * starts a new interval, and the rate is 0 until that interval is long enough. Thread-safe.
 *
 * <pre>{@code
 * RateMeter meter = new RateMeter(1_000_000_000L);
 * meter.record(0, t0);                 // 0.0
 * meter.record(500, t0 + 1_000_000_000L); // 500.0 events/s
 * }</pre>
 */
public final class RateMeter {
    private final long windowNanos;
    private boolean started;
    private long anchorCount;
    private long anchorNanos;
    private double rate;

    /** @param windowNanos the shortest interval a rate is computed over; shorter calls return the previous rate */
    public RateMeter(long windowNanos) {
        if (windowNanos <= 0) {
            throw new IllegalArgumentException("the rate window must be positive, got " + windowNanos + " ns");
        }
        this.windowNanos = windowNanos;
    }

    /** Records the counter's value at {@code nanos} (a monotonic clock) and returns the current rate per second. */
    public synchronized double record(long count, long nanos) {
        if (!started || count < anchorCount || nanos < anchorNanos) {
            started = true;
            anchorCount = count;
            anchorNanos = nanos;
            rate = 0;
            return rate;
        }
        long elapsed = nanos - anchorNanos;
        if (elapsed >= windowNanos) {
            rate = (count - anchorCount) * 1e9 / elapsed;
            anchorCount = count;
            anchorNanos = nanos;
        }
        return rate;
    }

    /** The rate computed by the latest {@link #record} call. */
    public synchronized double rate() {
        return rate;
    }
}
