package dev.sluice.server.internal;

import java.lang.management.ManagementFactory;
import java.lang.management.MemoryUsage;
import java.nio.file.Files;
import java.nio.file.Path;
import java.io.IOException;
import java.util.HashMap;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Samples the server's CPU and memory every few seconds and tells each pipeline's share of the CPU ({@link ThreadCpu}):
 * CPU seconds since the server started and cores over the latest interval, per pipeline, for what no single pipeline
 * uses, and for the whole process.
 */
public final class ResourceMeter implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(ResourceMeter.class);

    /** CPU of one pipeline (or of what is shared): seconds since the server started, and cores over the latest interval. */
    public record Cpu(double seconds, double cores) {
        public static final Cpu NONE = new Cpu(0, 0);
    }

    /**
     * The whole process.
     *
     * @param cpu           CPU of the process (every thread, also the garbage collector's and the JIT compiler's)
     * @param sharedCpu     the part of it that belongs to no single pipeline
     * @param heapUsedBytes heap in use now (live objects and garbage not yet collected)
     * @param heapMaxBytes  the heap's limit ({@code -Xmx})
     * @param residentBytes the process's resident set (heap, metaspace, thread stacks, DuckDB's native memory), or -1
     *                      where {@code /proc} does not tell
     */
    public record Process(Cpu cpu, Cpu sharedCpu, long heapUsedBytes, long heapMaxBytes, long residentBytes) {}

    private final ThreadCpu threads = new ThreadCpu();
    private final Supplier<Map<String, Set<String>>> taskThreads;
    private final ScheduledExecutorService timer;
    private final com.sun.management.OperatingSystemMXBean os =
            (com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean();
    private final long startCpuNanos = os.getProcessCpuTime();
    private Map<String, Long> previous = Map.of();
    private Map<String, Cpu> cpu = Map.of();
    private Cpu processCpu = Cpu.NONE;
    private long previousAt = System.nanoTime();
    private long previousProcessNanos = startCpuNanos;

    /**
     * @param taskThreads the thread names of each running pipeline's Flink tasks, by pipeline name; its keys are the
     *                    pipelines that run now
     * @param interval    how often to sample
     */
    public ResourceMeter(Supplier<Map<String, Set<String>>> taskThreads, java.time.Duration interval) {
        this.taskThreads = taskThreads;
        this.timer = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "sluice-resources");
            t.setDaemon(true);
            return t;
        });
        timer.scheduleWithFixedDelay(this::sampleQuietly, interval.toMillis(), interval.toMillis(), TimeUnit.MILLISECONDS);
    }

    private void sampleQuietly() {
        try {
            sample();
        } catch (RuntimeException e) {
            LOG.debug("Sampling CPU per pipeline failed: {}", e.toString(), e);
        }
    }

    /** Takes a sample now (also called by the timer). */
    public synchronized void sample() {
        Map<String, Set<String>> tasks = taskThreads.get();
        Map<String, Long> totals = threads.sample(tasks, tasks.keySet());
        long now = System.nanoTime();
        long processNanos = os.getProcessCpuTime();
        double elapsed = Math.max(1, now - previousAt);
        Map<String, Cpu> next = new HashMap<>();
        for (Map.Entry<String, Long> e : totals.entrySet()) {
            long used = e.getValue() - previous.getOrDefault(e.getKey(), 0L);
            next.put(e.getKey(), new Cpu(e.getValue() / 1e9, Math.max(0, used) / elapsed));
        }
        processCpu = new Cpu((processNanos - startCpuNanos) / 1e9, Math.max(0, processNanos - previousProcessNanos) / elapsed);
        previous = totals;
        previousAt = now;
        previousProcessNanos = processNanos;
        cpu = next;
    }

    /** The pipeline's CPU; {@link Cpu#NONE} before the first sample that saw it. */
    public synchronized Cpu cpu(String pipeline) {
        return cpu.getOrDefault(pipeline, Cpu.NONE);
    }

    public synchronized Process process() {
        MemoryUsage heap = ManagementFactory.getMemoryMXBean().getHeapMemoryUsage();
        return new Process(processCpu, cpu.getOrDefault(ThreadCpu.SHARED, Cpu.NONE), heap.getUsed(), heap.getMax(), residentBytes());
    }

    /** VmRSS of {@code /proc/self/status}, or -1. */
    private static long residentBytes() {
        try {
            for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
                if (line.startsWith("VmRSS:")) {
                    return Long.parseLong(line.replaceAll("[^0-9]", "")) * 1024;
                }
            }
        } catch (IOException | NumberFormatException e) {
            LOG.debug("Cannot read the resident set size: {}", e.toString());
        }
        return -1;
    }

    @Override
    public void close() {
        timer.shutdownNow();
    }
}
