package dev.sluice.engine.internal;

import dev.sluice.spec.SourceSpec;
import java.io.Serializable;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;

/**
 * The event times a source accepts: from {@code earliest} to {@code maxFuture} ahead of the wall clock. An event
 * stamped far in the future would move the source's watermark so far ahead that every later event counts as late,
 * for good; one stamped before {@code earliest} (a zero or a unit mistake, say) is a mistake too. Either is a dead
 * letter that names this rule. A {@link Clock} is injected so tests control time.
 *
 * <p>The clock is read again only when an event seems too far ahead of the last reading: a reading can only be
 * behind the real time (for a clock that does not go back), which makes the check stricter, never looser, and
 * spares the per-record path a clock read. Not thread-safe; one per source subtask.
 */
public final class EventTimeRange implements Serializable {
    private static final long serialVersionUID = 1L;

    private final long earliestMillis;
    private final long maxFutureMillis;
    private final Clock clock;
    /** The last reading of the clock; 0 until the first event that seems too far ahead reads it. */
    private transient long now;

    public EventTimeRange(Instant earliest, Duration maxFuture, Clock clock) {
        if (maxFuture.isNegative()) {
            throw new IllegalArgumentException("max-future must not be negative, got " + maxFuture);
        }
        this.earliestMillis = earliest.toEpochMilli();
        this.maxFutureMillis = maxFuture.toMillis();
        this.clock = clock;
    }

    /** The range a source's {@code event-time} settings describe. */
    public static EventTimeRange of(SourceSpec.EventTime eventTime, Clock clock) {
        return new EventTimeRange(eventTime.earliest(), eventTime.maxFuture(), clock);
    }

    /** From 1970-01-01T00:00:00Z to one hour ahead of {@code clock}: the defaults of the pipeline spec. */
    public static EventTimeRange defaults(Clock clock) {
        return new EventTimeRange(SourceSpec.EventTime.DEFAULT_EARLIEST, SourceSpec.EventTime.DEFAULT_MAX_FUTURE, clock);
    }

    /**
     * Null when {@code eventMillis} is in the range, otherwise the reason it is not. {@code eventMillis} lies in the
     * years 0000 to 9999 (see {@link ValueParser}), so none of this arithmetic can overflow.
     */
    String violation(String field, long eventMillis) {
        if (eventMillis < earliestMillis) {
            return "field '" + field + "': event time " + Instant.ofEpochMilli(eventMillis)
                    + " is before the earliest accepted event time " + Instant.ofEpochMilli(earliestMillis)
                    + " (event-time.earliest)";
        }
        if (eventMillis - now > maxFutureMillis) {
            now = clock.millis();
        }
        if (eventMillis - now > maxFutureMillis) {
            return "field '" + field + "': event time " + Instant.ofEpochMilli(eventMillis) + " is more than "
                    + human(maxFutureMillis) + " ahead of the wall clock (" + Instant.ofEpochMilli(now)
                    + "); it would move the watermark past every later event (event-time.max-future)";
        }
        return null;
    }

    /** A duration the way the pipeline spec writes it: 1d, 12h, 30m, 5s, 500ms. */
    static String human(long millis) {
        long[] units = {86_400_000L, 3_600_000L, 60_000L, 1000L};
        String[] names = {"d", "h", "m", "s"};
        for (int i = 0; i < units.length; i++) {
            if (millis != 0 && millis % units[i] == 0) {
                return millis / units[i] + names[i];
            }
        }
        return millis == 0 ? "0s" : millis + "ms";
    }
}
