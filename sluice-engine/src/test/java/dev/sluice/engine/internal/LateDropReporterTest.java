package dev.sluice.engine.internal;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Map;
import org.apache.flink.metrics.Counter;
import org.apache.flink.metrics.SimpleCounter;
import org.apache.flink.metrics.groups.UnregisteredMetricsGroup;
import org.junit.jupiter.api.Test;

class LateDropReporterTest {
    private static final class JobGroup extends UnregisteredMetricsGroup {
        private final String jobId;

        JobGroup(String jobId) {
            this.jobId = jobId;
        }

        @Override
        public Map<String, String> getAllVariables() {
            return Map.of("<job_id>", jobId);
        }
    }

    @Test
    void sumsTheDroppedLateCountersOfOneJobAndKeepsThoseOfEndedTasks() {
        LateDropReporter reporter = new LateDropReporter();
        JobGroup job = new JobGroup("job-a");
        Counter window = counter(3);
        Counter joinLeft = counter(2);
        Counter other = counter(100);
        reporter.notifyOfAddedMetric(window, "numLateRecordsDropped", job);
        reporter.notifyOfAddedMetric(joinLeft, "leftNumLateRecordsDropped", job);
        reporter.notifyOfAddedMetric(other, "numRecordsIn", job);
        reporter.notifyOfAddedMetric(counter(7), "numLateRecordsDropped", new JobGroup("job-b"));

        assertThat(LateDropReporter.droppedLate("job-a")).isEqualTo(5);
        assertThat(LateDropReporter.watchedCounters("job-a")).isEqualTo(2);

        reporter.notifyOfRemovedMetric(window, "numLateRecordsDropped", job);
        window.inc(10); // after the task ended: no longer counted
        assertThat(LateDropReporter.droppedLate("job-a")).isEqualTo(5);
        assertThat(LateDropReporter.droppedLate("job-b")).isEqualTo(7);
        assertThat(LateDropReporter.droppedLate("no-such-job")).isZero();
    }

    private static Counter counter(long count) {
        Counter c = new SimpleCounter();
        c.inc(count);
        return c;
    }
}
