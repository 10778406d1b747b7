package dev.sluice.engine.internal;

import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.flink.metrics.Counter;
import org.apache.flink.metrics.Metric;
import org.apache.flink.metrics.MetricConfig;
import org.apache.flink.metrics.MetricGroup;
import org.apache.flink.metrics.reporter.MetricReporter;
import org.apache.flink.metrics.reporter.MetricReporterFactory;

/**
 * Adds up, per Flink job, the records that operators dropped because they arrived behind the watermark: the
 * {@code numLateRecordsDropped} counters of window aggregations, window joins and Top-N, OVER aggregations and
 * row-time deduplication (window joins name them {@code left…}/{@code right…}). Sluice routes late events to
 * {@code late_events} before any operator sees them, so this sum staying at zero is the proof that no event was
 * dropped silently. Counts survive task restarts: a counter that goes away with its task is kept in the total.
 *
 * <p>Installed into the embedded cluster with {@link #CONFIG_KEY}; the totals are read in the same JVM.
 */
public final class LateDropReporter implements MetricReporter {
    /** The Flink configuration key that installs this reporter, its value {@link Factory}'s class name. */
    public static final String CONFIG_KEY = "metrics.reporter.sluice-late-drops.factory.class";
    private static final String JOB_ID = "<job_id>";
    private static final Map<String, Totals> BY_JOB = new ConcurrentHashMap<>();

    /** Records dropped as late by the operators of the job with this id (hex), so far. */
    public static long droppedLate(String jobId) {
        Totals totals = BY_JOB.get(jobId);
        return totals == null ? 0 : totals.sum();
    }

    /** How many dropped-late counters of the job's operators are being watched now. */
    public static int watchedCounters(String jobId) {
        Totals totals = BY_JOB.get(jobId);
        return totals == null ? 0 : totals.live.size();
    }

    @Override
    public void open(MetricConfig config) {}

    @Override
    public void close() {}

    @Override
    public void notifyOfAddedMetric(Metric metric, String name, MetricGroup group) {
        String jobId = group.getAllVariables().get(JOB_ID);
        if (jobId != null && metric instanceof Counter counter && countsLateDrops(name)) {
            BY_JOB.computeIfAbsent(jobId, id -> new Totals()).live.add(counter);
        }
    }

    @Override
    public void notifyOfRemovedMetric(Metric metric, String name, MetricGroup group) {
        String jobId = group.getAllVariables().get(JOB_ID);
        Totals totals = jobId == null ? null : BY_JOB.get(jobId);
        if (totals != null && metric instanceof Counter counter && totals.live.remove(counter)) {
            totals.retired.addAndGet(counter.getCount());
        }
    }

    static boolean countsLateDrops(String name) {
        return name.equalsIgnoreCase("numLateRecordsDropped") || name.endsWith("NumLateRecordsDropped");
    }

    private static final class Totals {
        final Set<Counter> live = ConcurrentHashMap.newKeySet();
        final AtomicLong retired = new AtomicLong();

        long sum() {
            long sum = retired.get();
            for (Counter c : live) {
                sum += c.getCount();
            }
            return sum;
        }
    }

    /** Loaded by Flink through {@code META-INF/services}. */
    public static final class Factory implements MetricReporterFactory {
        @Override
        public MetricReporter createMetricReporter(Properties properties) {
            return new LateDropReporter();
        }
    }
}
