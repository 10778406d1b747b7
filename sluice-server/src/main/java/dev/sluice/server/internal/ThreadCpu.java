package dev.sluice.server.internal;

import java.lang.management.ManagementFactory;
import java.lang.management.ThreadInfo;
import java.lang.management.ThreadMXBean;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The CPU time this JVM's threads spent, attributed to pipelines by thread name. All pipelines share one JVM, so this
 * is how a pipeline's share of the machine is told apart: a thread belongs to a pipeline when its name is one of the
 * pipeline's Flink task threads ({@code <task> (1/2)#0}, also inside a source's fetcher thread name) or carries the
 * pipeline's client or thread name ({@code sluice-<pipeline>-...} of its Kafka readers and writers, {@code
 * sluice-loader-<pipeline>}, {@code sluice-notifier-<pipeline>}). Everything else is shared: the broker, Flink's
 * checkpointing and coordination threads, the HTTP server, the JIT compiler and the garbage collector. A thread whose
 * name fits two pipelines (two jobs with identical tasks) is counted as shared rather than guessed.
 *
 * <p>Sampled, not traced: each {@link #sample} adds the CPU time threads used since the previous one (the first, since
 * the meter was created). A thread that started and ended between two samples is not seen, and neither is the CPU a
 * thread used between the previous sample and its end.
 */
public final class ThreadCpu {
    /** The key of CPU time that belongs to no single pipeline. */
    public static final String SHARED = "";

    private final ThreadMXBean threads = ManagementFactory.getThreadMXBean();
    private final boolean supported;
    private final Map<Long, Long> lastCpuNanos = new HashMap<>();
    private final Map<String, Long> totals = new HashMap<>();

    public ThreadCpu() {
        boolean on = threads.isThreadCpuTimeSupported();
        if (on && !threads.isThreadCpuTimeEnabled()) {
            threads.setThreadCpuTimeEnabled(true);
        }
        this.supported = on && threads.isThreadCpuTimeEnabled();
        if (supported) {
            // What threads used before this meter started is nobody's: only CPU from now on is attributed, as the
            // process's CPU is counted from now on.
            for (long id : threads.getAllThreadIds()) {
                long cpu = threads.getThreadCpuTime(id);
                if (cpu > 0) {
                    lastCpuNanos.put(id, cpu);
                }
            }
        }
    }

    /** Whether the JVM measures CPU time per thread; without it every figure stays 0. */
    public boolean supported() {
        return supported;
    }

    /**
     * Adds the CPU time used since the previous sample to each pipeline's total and returns the totals.
     *
     * @param taskThreads the thread names of each running pipeline's Flink tasks
     * @param pipelines   the names of the pipelines to attribute to (also those without tasks right now)
     * @return CPU nanoseconds per pipeline since this meter started, and under {@link #SHARED} what belongs to none
     */
    public synchronized Map<String, Long> sample(Map<String, Set<String>> taskThreads, Collection<String> pipelines) {
        if (!supported) {
            return Map.copyOf(totals);
        }
        long[] ids = threads.getAllThreadIds();
        ThreadInfo[] infos = threads.getThreadInfo(ids);
        Map<Long, Long> seen = new HashMap<>();
        for (int i = 0; i < ids.length; i++) {
            long cpu = threads.getThreadCpuTime(ids[i]);
            if (infos[i] == null || cpu < 0) {
                continue;
            }
            seen.put(ids[i], cpu);
            long used = cpu - lastCpuNanos.getOrDefault(ids[i], 0L);
            if (used > 0) {
                totals.merge(owner(infos[i].getThreadName(), taskThreads, pipelines), used, Long::sum);
            }
        }
        lastCpuNanos.clear();
        lastCpuNanos.putAll(seen);
        return Map.copyOf(totals);
    }

    /** The pipeline a thread of this name works for, or {@link #SHARED}. */
    static String owner(String threadName, Map<String, Set<String>> taskThreads, Collection<String> pipelines) {
        String owner = null;
        for (Map.Entry<String, Set<String>> job : taskThreads.entrySet()) {
            for (String task : job.getValue()) {
                if (containsTask(threadName, task)) {
                    if (owner != null && !owner.equals(job.getKey())) {
                        return SHARED;
                    }
                    owner = job.getKey();
                    break;
                }
            }
        }
        if (owner != null) {
            return owner;
        }
        String best = SHARED;
        int longest = 0;
        for (String pipeline : pipelines) {
            Matcher m = clientName(pipeline).matcher(threadName);
            while (m.find()) {
                if (m.group().length() > longest) {
                    longest = m.group().length();
                    best = pipeline;
                }
            }
        }
        return best;
    }

    /** Whether the thread name holds the task's name, and not a longer attempt number ({@code #1} is not {@code #12}). */
    private static boolean containsTask(String threadName, String task) {
        for (int at = threadName.indexOf(task); at >= 0; at = threadName.indexOf(task, at + 1)) {
            int end = at + task.length();
            if (end == threadName.length() || !Character.isDigit(threadName.charAt(end))) {
                return true;
            }
        }
        return false;
    }

    /**
     * Names Sluice gives the pipeline's own threads and Kafka clients: {@code sluice-<pipeline>} (source readers and
     * result writers), {@code sluice-loader-<pipeline>}, {@code sluice-notifier-<pipeline>}, {@code
     * sluice-dlq-...-<pipeline>}, each ending where a pipeline name cannot go on.
     */
    private static Pattern clientName(String pipeline) {
        return Pattern.compile("(?<![a-z0-9_])sluice-(?:loader-|notifier-|dlq-ledger-|dlq-replay-)?"
                + Pattern.quote(pipeline) + "(?![a-z0-9_])");
    }
}
