package dev.sluice.server.internal;

import java.lang.management.ManagementFactory;
import java.lang.management.MemoryPoolMXBean;
import java.lang.management.MemoryType;
import java.lang.management.MemoryUsage;
import java.util.Optional;

/**
 * Whether the heap has room for one more pipeline. What the pipelines' state and the broker hold survives garbage
 * collection, so the measure is the heap still in use after the latest collection of the old generation: when that
 * is above {@link #MAX_LIVE_SHARE} of the heap's limit, another job's state, buffers and loader would push the server
 * into back-to-back collections or out of memory, and a deploy is refused instead.
 */
public final class HeapHeadroom {
    /** The share of the heap that may stay in use after a collection before deploys are refused. */
    public static final double MAX_LIVE_SHARE = 0.85;

    private HeapHeadroom() {}

    /** What is short, as a sentence, when the heap has no room; empty when it has, or before any old-generation collection. */
    public static Optional<String> shortfall() {
        long live = 0;
        long max = 0;
        boolean collected = false;
        for (MemoryPoolMXBean pool : ManagementFactory.getMemoryPoolMXBeans()) {
            MemoryUsage afterGc = pool.getCollectionUsage();
            if (pool.getType() == MemoryType.HEAP && afterGc != null) {
                live += afterGc.getUsed();
                collected |= afterGc.getUsed() > 0;
            }
        }
        max = Runtime.getRuntime().maxMemory();
        return collected ? shortfall(live, max) : Optional.empty();
    }

    /** What is short when {@code liveBytes} of a {@code maxBytes} heap stay in use after a collection. */
    static Optional<String> shortfall(long liveBytes, long maxBytes) {
        if (maxBytes <= 0 || liveBytes <= MAX_LIVE_SHARE * maxBytes) {
            return Optional.empty();
        }
        return Optional.of(String.format("the heap is short: %,d MB of its %,d MB stayed in use after the latest garbage "
                + "collection (more than %.0f%%). Remove a pipeline, or start the server with a larger heap "
                + "(SLUICE_JAVA_OPTS=-Xmx...)", liveBytes >> 20, maxBytes >> 20, MAX_LIVE_SHARE * 100));
    }
}
