package dev.sluice.ingest.internal;

/**
 * Decides how many events are due at a given moment so that a sender keeps a steady rate without drift.
 *
 * <p>The schedule is anchored at the start time: event {@code k} (counting from 0) is due at
 * {@code start + k / rate}. Asking "how many are due now" against that fixed schedule, rather than sleeping a
 * fixed interval per event, means rounding errors and late wake-ups never accumulate: after ten seconds at
 * 1,234.5 events/s exactly 12,346 events have been due, however irregular the ticks were.
 *
 * <p>After a stall (a GC pause, a slow broker) a sender is behind. It may catch up with at most one second
 * worth of events; anything older is forgiven (counted in {@link #skipped()}) so that a long stall is not
 * followed by an unbounded burst. Forgiving moves the count, not the anchor, so the rate stays exact.
 *
 * <p>A rate of 0 means "as fast as possible": {@link #due(long)} is then always {@link Long#MAX_VALUE} and the
 * caller chooses its own batch size. Plain arithmetic on explicit nanosecond times, not thread-safe; one pacer
 * per sending thread.
 */
public final class RatePacer {

    private static final double NANOS_PER_SECOND = 1_000_000_000.0;

    private final double eventsPerSecond;
    private final long startNanos;
    private final long maxBacklog;
    /** Events sent plus events forgiven: the schedule position the sender has reached. */
    private long accounted;
    private long skipped;

    /**
     * @param eventsPerSecond target rate, {@code 0} for unbounded
     * @param startNanos      the schedule's anchor, in the same time base as later {@code nowNanos} arguments
     */
    public RatePacer(double eventsPerSecond, long startNanos) {
        if (!(eventsPerSecond >= 0.0) || Double.isInfinite(eventsPerSecond)) {
            throw new IllegalArgumentException("Events per second must be a finite number >= 0 (0 = as fast as"
                    + " possible), got " + eventsPerSecond);
        }
        this.eventsPerSecond = eventsPerSecond;
        this.startNanos = startNanos;
        this.maxBacklog = Math.max(1L, (long) Math.ceil(eventsPerSecond));
    }

    /**
     * How many events the schedule has made due by {@code nowNanos} since {@code startNanos}: one at the start,
     * then one more every {@code 1/rate} seconds. Pure function, the heart of the pacer.
     */
    public static long scheduledBy(long startNanos, double eventsPerSecond, long nowNanos) {
        long elapsed = nowNanos - startNanos;
        if (elapsed < 0) {
            return 0;
        }
        return (long) Math.floor(elapsed * eventsPerSecond / NANOS_PER_SECOND) + 1;
    }

    /** Whether this pacer has no rate limit. */
    public boolean unbounded() {
        return eventsPerSecond == 0.0;
    }

    /**
     * Events to send now: those scheduled by {@code nowNanos} and not yet {@link #record(long) recorded}, capped
     * at one second worth (the excess is forgiven). {@link Long#MAX_VALUE} when unbounded.
     */
    public long due(long nowNanos) {
        if (unbounded()) {
            return Long.MAX_VALUE;
        }
        long backlog = scheduledBy(startNanos, eventsPerSecond, nowNanos) - accounted;
        if (backlog > maxBacklog) {
            long forgiven = backlog - maxBacklog;
            skipped += forgiven;
            accounted += forgiven;
            backlog = maxBacklog;
        }
        return Math.max(0, backlog);
    }

    /** Records that {@code sent} events went out. */
    public void record(long sent) {
        if (sent < 0) {
            throw new IllegalArgumentException("Sent events must be >= 0, got " + sent);
        }
        accounted += sent;
    }

    /**
     * Nanoseconds from {@code nowNanos} until the next event falls due; {@code 0} if one is due already (or the
     * pacer is unbounded).
     */
    public long nanosUntilNextDue(long nowNanos) {
        if (unbounded() || scheduledBy(startNanos, eventsPerSecond, nowNanos) > accounted) {
            return 0;
        }
        // Event number `accounted` (0-based) is due once elapsed * rate >= accounted.
        long dueAt = startNanos + (long) Math.ceil(accounted * NANOS_PER_SECOND / eventsPerSecond);
        return Math.max(1, dueAt - nowNanos);
    }

    /** Events forgiven after stalls, in total. */
    public long skipped() {
        return skipped;
    }

    /** The largest number of events {@link #due(long)} returns when bounded: one second worth, at least 1. */
    public long maxBacklog() {
        return maxBacklog;
    }
}
