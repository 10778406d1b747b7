package dev.sluice.engine.internal;

import static org.assertj.core.api.Assertions.assertThat;

import dev.sluice.engine.JobMetrics;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.flink.metrics.Gauge;
import org.apache.flink.metrics.SimpleCounter;
import org.apache.flink.metrics.groups.UnregisteredMetricsGroup;
import org.junit.jupiter.api.Test;

class JobMetricsReporterTest {
    private static final JobMetrics.Checkpoints CHECKPOINTS = new JobMetrics.Checkpoints(3, 1, 40, 1_000, 2_048, 960);

    /** A metric group with the scope variables Flink would give it. */
    private static final class Group extends UnregisteredMetricsGroup {
        private final Map<String, String> variables;

        Group(String... keyValues) {
            variables = new HashMap<>();
            for (int i = 0; i < keyValues.length; i += 2) {
                variables.put("<" + keyValues[i] + ">", keyValues[i + 1]);
            }
        }

        @Override
        public Map<String, String> getAllVariables() {
            return variables;
        }
    }

    @Test
    void sourcePositionIsTheLastReadOffsetPlusOne() {
        JobMetricsReporter reporter = new JobMetricsReporter();
        Group p0 = new Group("job_id", "job-a", "operator_name", "Source: source: clicks", "topic", "clicks", "partition", "0");
        Group p1 = new Group("job_id", "job-a", "operator_name", "Source: source: clicks", "topic", "clicks", "partition", "1");
        reporter.notifyOfAddedMetric((Gauge<Long>) () -> 1502L, "currentOffset", p0);
        reporter.notifyOfAddedMetric((Gauge<Long>) () -> 1400L, "committedOffset", p0);
        reporter.notifyOfAddedMetric((Gauge<Long>) () -> -1L, "currentOffset", p1);
        reporter.notifyOfAddedMetric((Gauge<Long>) () -> -1L, "committedOffset", p1);

        JobMetrics metrics = JobMetricsReporter.snapshot("job-a", CHECKPOINTS);

        assertThat(metrics.sourcePartitions()).containsExactly(
                new JobMetrics.SourcePartition("clicks", 0, 1503, 1400),
                new JobMetrics.SourcePartition("clicks", 1, 0, -1));
        assertThat(metrics.checkpoints()).isEqualTo(CHECKPOINTS);
    }

    @Test
    void operatorCountsAddUpSubtasksAndKeepWhatEndedTasksCounted() {
        JobMetricsReporter reporter = new JobMetricsReporter();
        Group subtask0 = new Group("job_id", "job-b", "operator_name", "Calc[2]", "subtask_index", "0");
        Group subtask1 = new Group("job_id", "job-b", "operator_name", "Calc[2]", "subtask_index", "1");
        SimpleCounter in0 = new SimpleCounter();
        SimpleCounter in1 = new SimpleCounter();
        SimpleCounter out0 = new SimpleCounter();
        reporter.notifyOfAddedMetric(in0, "numRecordsIn", subtask0);
        reporter.notifyOfAddedMetric(in1, "numRecordsIn", subtask1);
        reporter.notifyOfAddedMetric(out0, "numRecordsOut", subtask0);
        reporter.notifyOfAddedMetric(new SimpleCounter(), "numBytesIn", subtask0);
        in0.inc(70);
        in1.inc(30);
        out0.inc(12);
        assertThat(JobMetricsReporter.snapshot("job-b", CHECKPOINTS).operators())
                .containsExactly(new JobMetrics.OperatorCounts("Calc[2]", 100, 12));

        // The task restarts: its counters go away and new ones start from zero; the totals only grow.
        reporter.notifyOfRemovedMetric(in0, "numRecordsIn", subtask0);
        reporter.notifyOfRemovedMetric(out0, "numRecordsOut", subtask0);
        SimpleCounter again = new SimpleCounter();
        reporter.notifyOfAddedMetric(again, "numRecordsIn", subtask0);
        again.inc(5);
        assertThat(JobMetricsReporter.snapshot("job-b", CHECKPOINTS).operators())
                .containsExactly(new JobMetrics.OperatorCounts("Calc[2]", 105, 12));
    }

    @Test
    void restartsComeFromTheJobLevelGauge() {
        JobMetricsReporter reporter = new JobMetricsReporter();
        reporter.notifyOfAddedMetric((Gauge<Long>) () -> 4L, "numRestarts", new Group("job_id", "job-c"));
        assertThat(JobMetricsReporter.snapshot("job-c", CHECKPOINTS).restarts()).isEqualTo(4);
    }

    @Test
    void aJobNotSeenReportsNothing() {
        JobMetrics metrics = JobMetricsReporter.snapshot("no-such-job", JobMetrics.Checkpoints.NONE);
        assertThat(metrics.sourcePartitions()).isEqualTo(List.of());
        assertThat(metrics.operators()).isEqualTo(List.of());
        assertThat(metrics.restarts()).isZero();
        assertThat(metrics.checkpoints()).isEqualTo(JobMetrics.Checkpoints.NONE);
    }
}
