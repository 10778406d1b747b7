package dev.sluice.engine.internal;

import java.util.BitSet;

/**
 * When a source whose partitions were all idle gets records again, how long its watermark stays where it was (the rule
 * {@link RecordRouter} applies): until every partition has delivered a record again and, for a quiet period, no record
 * has arrived behind the newly reported watermark. A partition that stays silent holds it for the idle timeout (after
 * which the readers' own rule would call it idle again), and nothing holds it longer than a maximum. Times are the
 * caller's clock in milliseconds.
 */
final class WakeUpHold {
    private final int partitions;
    private final long quietMillis;
    private final long idleTimeoutMillis;
    private final long maxMillis;
    private final BitSet silent;
    private boolean holding;
    private long startedMillis;
    private long lastBehindMillis;

    WakeUpHold(int partitions, long quietMillis, long idleTimeoutMillis, long maxMillis) {
        this.partitions = partitions;
        this.quietMillis = quietMillis;
        this.idleTimeoutMillis = idleTimeoutMillis;
        this.maxMillis = maxMillis;
        this.silent = new BitSet(partitions);
    }

    /** The source woke up: hold from now, with every partition still to deliver. */
    void wake(long now) {
        holding = true;
        startedMillis = now;
        lastBehindMillis = now;
        silent.clear();
        silent.set(0, partitions);
    }

    boolean holding() {
        return holding;
    }

    /**
     * A record (row or dead letter) of {@code partition} arrived while holding; {@code behind} when its event time is at
     * or before the newest watermark the source reported.
     */
    void record(int partition, boolean behind, long now) {
        if (partition >= 0) {
            silent.clear(partition);
        }
        if (behind) {
            lastBehindMillis = now;
        }
    }

    /** Ends the hold when it has lasted long enough at {@code now}; true when it is over (or was not holding). */
    boolean release(long now) {
        if (!holding) {
            return true;
        }
        long held = now - startedMillis;
        boolean quiet = now - lastBehindMillis >= quietMillis;
        if (quiet && (silent.isEmpty() || held >= idleTimeoutMillis) || held >= maxMillis) {
            holding = false;
        }
        return !holding;
    }
}
