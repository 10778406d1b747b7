package dev.sluice.storage.internal;

import java.util.ArrayDeque;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.UUID;

/**
 * The row ids of one deduplicated append table that a replay can still bring again: those stored since the pipeline's
 * latest completed checkpoint began (see {@code ResultLoader#replayHorizon}). A pipeline delivering at-least-once
 * writes again, after a restore, only the rows it wrote after the barrier of the checkpoint it restores; so a row stored
 * before that checkpoint was triggered can never come twice, and its id need not be kept.
 *
 * <p>Ids are kept per stored batch, oldest first, so that forgetting is by whole batches. Not thread-safe: the store
 * uses it under its own lock.
 */
public final class ReplayWindow {
    private record Batch(long storedAtMillis, UUID[] ids) {}

    private final Set<UUID> ids = new HashSet<>();
    private final ArrayDeque<Batch> batches = new ArrayDeque<>();

    /** Whether a row with this id is stored and a replay could bring it again. */
    public boolean contains(UUID id) {
        return ids.contains(id);
    }

    /** Remembers the ids of a committed batch, stored at {@code storedAtMillis} (epoch millis, not before earlier batches). */
    public void add(long storedAtMillis, List<UUID> stored) {
        if (stored.isEmpty()) {
            return;
        }
        UUID[] array = stored.toArray(UUID[]::new);
        Batch last = batches.peekLast();
        long at = last == null ? storedAtMillis : Math.max(storedAtMillis, last.storedAtMillis());
        batches.addLast(new Batch(at, array));
        for (UUID id : array) {
            ids.add(id);
        }
    }

    /** Forgets the ids of batches stored before {@code beforeMillis}; returns how many ids it forgot. */
    public int forgetBefore(long beforeMillis) {
        int forgotten = 0;
        while (!batches.isEmpty() && batches.peekFirst().storedAtMillis() < beforeMillis) {
            for (UUID id : batches.pollFirst().ids()) {
                if (ids.remove(id)) {
                    forgotten++;
                }
            }
        }
        return forgotten;
    }

    /** Ids kept. */
    public int size() {
        return ids.size();
    }

    public void clear() {
        ids.clear();
        batches.clear();
    }
}
