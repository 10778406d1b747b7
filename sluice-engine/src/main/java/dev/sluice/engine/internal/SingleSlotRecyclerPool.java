package dev.sluice.engine.internal;

import com.fasterxml.jackson.core.util.BufferRecycler;
import com.fasterxml.jackson.core.util.RecyclerPool;
import java.util.concurrent.atomic.AtomicReference;

/**
 * A Jackson buffer pool of one: the buffers of the last parser closed are handed to the next one. A parser of one
 * source subtask reads one record at a time, so one set of buffers is all it ever needs; this spares each record the
 * thread-local look-up of Jackson's default pool. Safe from several threads (a second parser at the same time gets
 * fresh buffers), but meant for one.
 */
final class SingleSlotRecyclerPool implements RecyclerPool<BufferRecycler> {
    private static final long serialVersionUID = 1L;

    private final transient AtomicReference<BufferRecycler> slot = new AtomicReference<>();

    @Override
    public BufferRecycler acquirePooled() {
        BufferRecycler recycler = slot.getAndSet(null);
        return recycler != null ? recycler : new BufferRecycler();
    }

    @Override
    public void releasePooled(BufferRecycler recycler) {
        slot.set(recycler);
    }

    /** A deserialised copy (a pool is Serializable with its factory) starts empty: buffers stay with their JVM. */
    private Object readResolve() {
        return new SingleSlotRecyclerPool();
    }

    @Override
    public int pooledCount() {
        return slot.get() == null ? 0 : 1;
    }

    @Override
    public boolean clear() {
        slot.set(null);
        return true;
    }
}
