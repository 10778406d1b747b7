package dev.sluice.ingest.internal;

import java.util.PriorityQueue;

/**
 * The entities of a stateful stream (shopping sessions, rides) that have something more to say, ordered by when
 * they next do. A model continues the entity that is due, or starts a new one when none is; when the queue is full
 * the earliest entity is continued even though it is not due yet, which compresses time at high rates but keeps
 * memory bounded. Ties break by a sequence number, so the order is deterministic.
 */
final class SessionQueue<T> {

    private record Entry<T>(long dueMillis, long sequence, T item) {}

    private final PriorityQueue<Entry<T>> queue = new PriorityQueue<>(
            (a, b) -> a.dueMillis != b.dueMillis ? Long.compare(a.dueMillis, b.dueMillis)
                    : Long.compare(a.sequence, b.sequence));
    private final int capacity;
    private long sequence;

    SessionQueue(int capacity) {
        this.capacity = capacity;
    }

    /** The entity to continue at {@code nowMillis}, removed from the queue, or {@code null} to start a new one. */
    T pollDue(long nowMillis) {
        Entry<T> head = queue.peek();
        if (head != null && (head.dueMillis <= nowMillis || queue.size() >= capacity)) {
            return queue.poll().item;
        }
        return null;
    }

    void add(T item, long dueMillis) {
        queue.add(new Entry<>(dueMillis, sequence++, item));
    }

    int size() {
        return queue.size();
    }
}
