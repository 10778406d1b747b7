package dev.sluice.ingest.internal;

import dev.sluice.ingest.EncodedEvent;
import dev.sluice.ingest.Imperfections;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

/**
 * Records to send a second time, like a producer retry after a lost acknowledgement: the same key and value bytes
 * again, 1..{@link Imperfections#MAX_DUPLICATE_DELAY} records later. Shared by all generators. Not thread-safe;
 * the counter may be read from any thread.
 */
public final class DuplicateQueue {

    /** Share of new events to repeat so that duplicates are {@code Imperfections.duplicate()} of all records. */
    private final double repeatProbability;
    private final List<EncodedEvent> pending = new ArrayList<>();
    private final List<Integer> delays = new ArrayList<>();
    private volatile long duplicates;

    public DuplicateQueue(Imperfections imperfections) {
        // d repeats per new event make d / (1 + d) of all records duplicates.
        this.repeatProbability = imperfections.duplicate() / (1.0 - imperfections.duplicate());
    }

    /** A duplicate due now, to send instead of a new event, or {@code null}. Call once per record. */
    public EncodedEvent due() {
        if (pending.isEmpty()) {
            return null;
        }
        int dueAt = -1;
        for (int i = 0; i < pending.size(); i++) {
            int delay = delays.get(i) - 1;
            delays.set(i, delay);
            if (delay <= 0 && dueAt < 0) {
                dueAt = i;
            }
        }
        if (dueAt < 0) {
            return null;
        }
        delays.remove(dueAt);
        duplicates = duplicates + 1;
        return pending.remove(dueAt);
    }

    /** Decides whether {@code event}, a new valid record, will be sent again later. */
    public void offer(EncodedEvent event, SplittableRandom random) {
        if (repeatProbability > 0.0 && random.nextDouble() < repeatProbability) {
            pending.add(event);
            delays.add(1 + random.nextInt(Imperfections.MAX_DUPLICATE_DELAY));
        }
    }

    public long duplicates() {
        return duplicates;
    }
}
