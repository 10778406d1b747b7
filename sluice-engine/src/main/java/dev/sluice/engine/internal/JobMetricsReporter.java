package dev.sluice.engine.internal;

import dev.sluice.engine.JobMetrics;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.flink.metrics.Counter;
import org.apache.flink.metrics.Gauge;
import org.apache.flink.metrics.Metric;
import org.apache.flink.metrics.MetricConfig;
import org.apache.flink.metrics.MetricGroup;
import org.apache.flink.metrics.reporter.MetricReporter;
import org.apache.flink.metrics.reporter.MetricReporterFactory;

/**
 * Keeps, per Flink job, the metrics the pipeline pages and {@code /metrics} show: the Kafka source readers' offsets
 * per partition ({@code KafkaSourceReader.topic.<t>.partition.<p>.currentOffset} and {@code committedOffset}), each
 * operator's {@code numRecordsIn}/{@code numRecordsOut} counters and the job's {@code numRestarts}. Flink hands its
 * metrics to reporters as they are registered; this one holds on to them and reads them when asked, in this JVM.
 *
 * <p>Counters of a task that goes away (the job restarts) are added to a retired total, so every count only grows.
 * Installed into the embedded cluster with {@link #CONFIG_KEY}, next to {@link LateDropReporter}.
 */
public final class JobMetricsReporter implements MetricReporter {
    /** The Flink configuration key that installs this reporter, its value {@link Factory}'s class name. */
    public static final String CONFIG_KEY = "metrics.reporter.sluice-job-metrics.factory.class";
    private static final String JOB_ID = "<job_id>";
    private static final String OPERATOR = "<operator_name>";
    private static final String TASK = "<task_name>";
    private static final String TOPIC = "<topic>";
    private static final String PARTITION = "<partition>";
    private static final Map<String, JobState> BY_JOB = new ConcurrentHashMap<>();

    /** What the job with this id (hex) has reported so far; empty lists and zero counts for a job not seen. */
    public static JobMetrics snapshot(String jobId, JobMetrics.Checkpoints checkpoints) {
        JobState state = BY_JOB.get(jobId);
        if (state == null) {
            return new JobMetrics(List.of(), List.of(), checkpoints, 0, LateDropReporter.droppedLate(jobId));
        }
        return state.snapshot(checkpoints, LateDropReporter.droppedLate(jobId));
    }

    @Override
    public void open(MetricConfig config) {}

    @Override
    public void close() {}

    @Override
    public void notifyOfAddedMetric(Metric metric, String name, MetricGroup group) {
        Map<String, String> vars = group.getAllVariables();
        String jobId = vars.get(JOB_ID);
        if (jobId == null) {
            return;
        }
        JobState state = BY_JOB.computeIfAbsent(jobId, id -> new JobState());
        String topic = vars.get(TOPIC);
        String partition = vars.get(PARTITION);
        if (topic != null && partition != null && metric instanceof Gauge<?> gauge
                && (name.equals("currentOffset") || name.equals("committedOffset"))) {
            OffsetGauges offsets = state.offsets.computeIfAbsent(topic + "\u0000" + partition,
                    k -> new OffsetGauges(topic, Integer.parseInt(partition)));
            if (name.equals("currentOffset")) {
                offsets.current = gauge;
            } else {
                offsets.committed = gauge;
            }
        } else if (metric instanceof Counter counter && vars.containsKey(OPERATOR) && isRecordCount(name)) {
            state.operator(vars.get(OPERATOR)).live(name).put(counter, Boolean.TRUE);
        } else if (metric instanceof Gauge<?> gauge && name.equals("numRestarts") && !vars.containsKey(TASK)) {
            state.restarts = gauge;
        }
    }

    @Override
    public void notifyOfRemovedMetric(Metric metric, String name, MetricGroup group) {
        Map<String, String> vars = group.getAllVariables();
        JobState state = vars.get(JOB_ID) == null ? null : BY_JOB.get(vars.get(JOB_ID));
        if (state == null) {
            return;
        }
        if (metric instanceof Counter counter && vars.containsKey(OPERATOR) && isRecordCount(name)) {
            OperatorState operator = state.operator(vars.get(OPERATOR));
            if (operator.live(name).remove(counter) != null) {
                operator.retired(name).addAndGet(counter.getCount());
            }
        }
        // Offset gauges stay until a new reader registers its own: after a restart the last known position still holds.
    }

    static boolean isRecordCount(String name) {
        return name.equals("numRecordsIn") || name.equals("numRecordsOut");
    }

    /** Reads a gauge's value as a long, or {@code fallback} when it has none. */
    static long longValue(Gauge<?> gauge, long fallback) {
        if (gauge == null) {
            return fallback;
        }
        Object value = gauge.getValue();
        return value instanceof Number n ? n.longValue() : fallback;
    }

    private static final class JobState {
        final Map<String, OffsetGauges> offsets = new ConcurrentHashMap<>();
        final Map<String, OperatorState> operators = new ConcurrentHashMap<>();
        volatile Gauge<?> restarts;

        OperatorState operator(String name) {
            return operators.computeIfAbsent(name, n -> new OperatorState());
        }

        JobMetrics snapshot(JobMetrics.Checkpoints checkpoints, long lateRecordsDropped) {
            List<JobMetrics.SourcePartition> partitions = new ArrayList<>();
            for (OffsetGauges o : new TreeMap<>(offsets).values()) {
                long current = longValue(o.current, -1);
                long committed = longValue(o.committed, -1);
                // The reader's gauge holds the offset of the last record it read (-1 before any): the position is one more.
                partitions.add(new JobMetrics.SourcePartition(o.topic, o.partition, Math.max(0, current + 1), committed));
            }
            List<JobMetrics.OperatorCounts> counts = new ArrayList<>();
            new TreeMap<>(operators).forEach((name, op) -> counts.add(
                    new JobMetrics.OperatorCounts(name, op.sum("numRecordsIn"), op.sum("numRecordsOut"))));
            return new JobMetrics(partitions, counts, checkpoints, Math.max(0, longValue(restarts, 0)), lateRecordsDropped);
        }
    }

    private static final class OffsetGauges {
        final String topic;
        final int partition;
        volatile Gauge<?> current;
        volatile Gauge<?> committed;

        OffsetGauges(String topic, int partition) {
            this.topic = topic;
            this.partition = partition;
        }
    }

    private static final class OperatorState {
        final Map<String, Map<Counter, Boolean>> live = new ConcurrentHashMap<>();
        final Map<String, AtomicLong> retired = new ConcurrentHashMap<>();

        Map<Counter, Boolean> live(String name) {
            return live.computeIfAbsent(name, n -> new ConcurrentHashMap<>());
        }

        AtomicLong retired(String name) {
            return retired.computeIfAbsent(name, n -> new AtomicLong());
        }

        long sum(String name) {
            long sum = retired(name).get();
            for (Counter c : live(name).keySet()) {
                sum += c.getCount();
            }
            return sum;
        }
    }

    /** Loaded by Flink through {@code META-INF/services}. */
    public static final class Factory implements MetricReporterFactory {
        @Override
        public MetricReporter createMetricReporter(Properties properties) {
            return new JobMetricsReporter();
        }
    }
}
