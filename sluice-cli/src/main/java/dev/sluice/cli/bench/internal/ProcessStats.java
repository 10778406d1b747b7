package dev.sluice.cli.bench.internal;

import java.io.IOException;
import java.lang.management.BufferPoolMXBean;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryPoolMXBean;
import java.lang.management.MemoryType;
import java.nio.file.Files;
import java.nio.file.Path;

/** The process's CPU time and memory, as the JVM and Linux report them. */
public final class ProcessStats {
    private static final Path STATUS = Path.of("/proc/self/status");

    private final com.sun.management.OperatingSystemMXBean os;
    private final BufferPoolMXBean direct;
    private long directPeak;

    public ProcessStats() {
        java.lang.management.OperatingSystemMXBean bean = ManagementFactory.getOperatingSystemMXBean();
        if (!(bean instanceof com.sun.management.OperatingSystemMXBean sun)) {
            throw new IllegalStateException("This JVM does not report process CPU time (no com.sun.management.OperatingSystemMXBean)");
        }
        this.os = sun;
        this.direct = ManagementFactory.getPlatformMXBeans(BufferPoolMXBean.class).stream()
                .filter(b -> b.getName().equals("direct")).findFirst().orElse(null);
    }

    /** CPU time of the whole process (all threads), in nanoseconds. */
    public long cpuNanos() {
        return os.getProcessCpuTime();
    }

    /** Samples the direct buffer memory in use; call regularly, {@link #directPeak()} is the largest sample. */
    public void sample() {
        if (direct != null) {
            directPeak = Math.max(directPeak, direct.getMemoryUsed());
        }
    }

    public long directPeak() {
        return directPeak;
    }

    /** The sum of the heap pools' peak usage since the JVM started. */
    public static long heapPeak() {
        long sum = 0;
        for (MemoryPoolMXBean pool : ManagementFactory.getMemoryPoolMXBeans()) {
            if (pool.getType() == MemoryType.HEAP && pool.getPeakUsage() != null) {
                sum += pool.getPeakUsage().getUsed();
            }
        }
        return sum;
    }

    /** The peak resident set size ({@code VmHWM}) in bytes, or -1 where /proc is not there. */
    public static long rssPeak() {
        try {
            for (String line : Files.readAllLines(STATUS)) {
                if (line.startsWith("VmHWM:")) {
                    String[] parts = line.substring(6).trim().split("\\s+");
                    return Long.parseLong(parts[0]) * 1024;
                }
            }
            return -1;
        } catch (IOException | RuntimeException e) {
            return -1;
        }
    }

    /** Milliseconds since the JVM started. */
    public static long uptimeMillis() {
        return ManagementFactory.getRuntimeMXBean().getUptime();
    }
}
