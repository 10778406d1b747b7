package dev.sluice.ingest.internal;

import dev.sluice.ingest.Imperfections;
import java.util.SplittableRandom;

/**
 * How far in the past an event's time lies: mostly 0, for a share of events a little (out of order, up to
 * {@link Imperfections#MAX_OUT_OF_ORDER_MILLIS}), for a smaller share a lot (late, beyond a typical watermark).
 * Shared by all generators. Not thread-safe; the counters may be read from any thread.
 */
public final class EventTimeLag {

    private final double outOfOrder;
    private final double late;
    private volatile long outOfOrderCount;
    private volatile long lateCount;

    public EventTimeLag(Imperfections imperfections) {
        this.outOfOrder = imperfections.outOfOrder();
        this.late = imperfections.late();
    }

    /** Milliseconds to subtract from the clock's time for the next event. */
    public long lagMillis(SplittableRandom random) {
        if (late == 0.0 && outOfOrder == 0.0) {
            return 0;
        }
        double u = random.nextDouble();
        if (u < late) {
            lateCount = lateCount + 1;
            return Imperfections.MIN_LATE_MILLIS
                    + random.nextLong(Imperfections.MAX_LATE_MILLIS - Imperfections.MIN_LATE_MILLIS + 1);
        }
        if (u < late + outOfOrder) {
            outOfOrderCount = outOfOrderCount + 1;
            return 1 + random.nextLong(Imperfections.MAX_OUT_OF_ORDER_MILLIS);
        }
        return 0;
    }

    public long outOfOrder() {
        return outOfOrderCount;
    }

    public long late() {
        return lateCount;
    }
}
