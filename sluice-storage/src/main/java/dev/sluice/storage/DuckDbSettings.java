package dev.sluice.storage;

import java.lang.management.ManagementFactory;

/**
 * How much of the machine DuckDB may use. DuckDB's own defaults (80% of RAM, one thread per core) would leave
 * nothing for the Flink job, the Kafka broker and the JVM heap that share the machine with it; a hostile or
 * careless query hits this limit and fails instead of starving them.
 *
 * @param memoryLimitBytes DuckDB's {@code memory_limit}: its buffers, for the loader and every query together
 * @param threads          DuckDB's {@code threads}: worker threads for the loader and every query together
 */
public record DuckDbSettings(long memoryLimitBytes, int threads) {
    private static final long MIB = 1024L * 1024;
    /** Below this DuckDB cannot hold the loader's staging tables of one batch. */
    public static final long MIN_MEMORY_LIMIT_BYTES = 64 * MIB;

    public DuckDbSettings {
        if (memoryLimitBytes < MIN_MEMORY_LIMIT_BYTES) {
            throw new IllegalArgumentException("the DuckDB memory limit must be at least 64 MiB, got " + memoryLimitBytes + " bytes");
        }
        if (threads < 1) {
            throw new IllegalArgumentException("DuckDB needs at least one thread, got " + threads);
        }
    }

    /**
     * A quarter of the machine's memory (at least 256 MiB), as much as the JVM's default heap takes, and half the
     * cores, one or two: the Flink job and the broker keep the rest.
     */
    public static DuckDbSettings defaults() {
        long physical = physicalMemoryBytes();
        long memory = Math.max(256 * MIB, physical / 4);
        int threads = Math.max(1, Math.min(2, Runtime.getRuntime().availableProcessors() / 2));
        return new DuckDbSettings(memory, threads);
    }

    /** The memory limit as DuckDB takes it, in whole MiB. */
    String memoryLimitSetting() {
        return (memoryLimitBytes / MIB) + "MiB";
    }

    private static long physicalMemoryBytes() {
        if (ManagementFactory.getOperatingSystemMXBean() instanceof com.sun.management.OperatingSystemMXBean os) {
            return os.getTotalMemorySize();
        }
        // Without the JDK's bean: the heap limit, which the JVM sets to a quarter of the memory by default.
        return Runtime.getRuntime().maxMemory() * 4;
    }
}
