package dev.sluice.cli.faults;

import dev.sluice.storage.LoadBatch;
import dev.sluice.storage.WriteFaults;
import java.util.IdentityHashMap;
import java.util.Map;

/**
 * Storage write failures on a schedule: of every four writes the first fails before its commit (rolled back) and the
 * third after it (stored, yet reported as failed), until each kind has failed {@code budget} times; {@link #failNext}
 * adds a streak of consecutive failures before the commit. It remembers each batch (by identity) to tell how often the
 * loader tried one batch and whether it wrote a batch again after that batch was committed.
 */
final class ScheduledWriteFaults implements WriteFaults {
    private final int budget;
    private final Map<LoadBatch, Integer> attempts = new IdentityHashMap<>();
    private final Map<LoadBatch, Boolean> committed = new IdentityHashMap<>();
    private int writes;
    private int streak;
    private boolean failNextCommitted;
    private int beforeCommit;
    private int afterCommit;
    private int maxAttempts;
    private int rewrittenAfterCommit;

    ScheduledWriteFaults(int budget) {
        this.budget = budget;
    }

    /** The next write that commits reports a failure after its commit, whatever the schedule says. */
    synchronized void failNextAfterCommit() {
        failNextCommitted = true;
    }

    /** The next {@code n} writes fail before their commit, whatever the schedule says. */
    synchronized void failNext(int n) {
        streak = n;
    }

    @Override
    public synchronized void beforeCommit(LoadBatch batch) {
        writes++;
        int tries = attempts.merge(batch, 1, Integer::sum);
        maxAttempts = Math.max(maxAttempts, tries);
        if (committed.containsKey(batch)) {
            rewrittenAfterCommit++;
        }
        if (streak > 0) {
            streak--;
            beforeCommit++;
            throw new IllegalStateException("injected storage fault before the commit (streak)");
        }
        if (writes % 4 == 1 && beforeCommit < budget) {
            beforeCommit++;
            throw new IllegalStateException("injected storage fault before the commit");
        }
    }

    @Override
    public synchronized void afterCommit(LoadBatch batch) {
        committed.put(batch, Boolean.TRUE);
        if (failNextCommitted) {
            failNextCommitted = false;
            afterCommit++;
            throw new IllegalStateException("injected storage fault after the commit (on demand)");
        }
        if (writes % 4 == 3 && afterCommit < budget) {
            afterCommit++;
            throw new IllegalStateException("injected storage fault after the commit");
        }
    }

    synchronized int beforeCommitFaults() {
        return beforeCommit;
    }

    synchronized int afterCommitFaults() {
        return afterCommit;
    }

    synchronized int streakLeft() {
        return streak;
    }

    /** The most times the loader handed one batch to the store. */
    synchronized int maxAttemptsPerBatch() {
        return maxAttempts;
    }

    /** Writes of a batch that had already been committed: each would duplicate appended rows. */
    synchronized int rewrittenAfterCommit() {
        return rewrittenAfterCommit;
    }
}
