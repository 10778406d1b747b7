package dev.sluice.server;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.LongSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The trigger time of a job's latest completed checkpoint, for the loader's {@code replayHorizon}: answered at once from
 * the last value read, and read again from the Flink cluster in the background when that value is older than a second,
 * so that the loader's thread never waits for the cluster (an RPC on the embedded one, an HTTP request on a remote one).
 */
final class CheckpointHorizon implements LongSupplier {
    private static final Logger LOG = LoggerFactory.getLogger(CheckpointHorizon.class);
    private static final long REFRESH_NANOS = 1_000_000_000L;

    /** Reads the trigger time from the cluster (may block); -1 before any completed checkpoint. */
    private final LongSupplier read;
    private final String job;
    private final AtomicBoolean refreshing = new AtomicBoolean();
    private volatile long triggeredAtMillis = -1;
    private volatile long readAtNanos = System.nanoTime() - REFRESH_NANOS;

    /** @param read reads the trigger time of the job's latest completed checkpoint from the cluster; it may block */
    CheckpointHorizon(String job, LongSupplier read) {
        this.job = job;
        this.read = read;
    }

    @Override
    public long getAsLong() {
        if (System.nanoTime() - readAtNanos >= REFRESH_NANOS && refreshing.compareAndSet(false, true)) {
            CompletableFuture.runAsync(this::refresh);
        }
        return triggeredAtMillis;
    }

    private void refresh() {
        try {
            long triggered = read.getAsLong();
            // A restarted job's statistics begin empty: never move back to a time the loader has already acted on.
            triggeredAtMillis = Math.max(triggeredAtMillis, triggered);
        } catch (RuntimeException e) {
            LOG.debug("Cannot read the checkpoints of job {}; the loader keeps its row ids a while longer.", job, e);
        } finally {
            readAtNanos = System.nanoTime();
            refreshing.set(false);
        }
    }
}
