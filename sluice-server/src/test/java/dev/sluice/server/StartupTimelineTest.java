package dev.sluice.server;

import static org.assertj.core.api.Assertions.assertThat;

import java.lang.management.ManagementFactory;
import java.util.List;
import org.junit.jupiter.api.Test;

class StartupTimelineTest {
    /** A whole minute after the JVM's start and after now, so that the server's own mark (now) comes first. */
    private static final long JVM_START = ManagementFactory.getRuntimeMXBean().getStartTime()
            + 60_000 * (1 + (System.currentTimeMillis() - ManagementFactory.getRuntimeMXBean().getStartTime()) / 60_000);
    private static final long OFFSET = JVM_START - ManagementFactory.getRuntimeMXBean().getStartTime();

    @Test
    void reportsPhasesInOrderOfTimeSinceTheJvmStarted() {
        StartupTimeline timeline = new StartupTimeline();
        timeline.mark(StartupReport.BROKER, JVM_START + 4_000);
        timeline.mark(StartupReport.FLINK, JVM_START + 3_000);
        timeline.mark(StartupReport.PLANNED, JVM_START + 7_000);
        timeline.mark(StartupReport.SUBMITTED, JVM_START + 8_000);

        StartupReport report = timeline.firstRow("payments.dead_letters", JVM_START + 12_500, 21_000, JVM_START + 9_000,
                JVM_START + 11_000).orElseThrow();

        assertThat(report.phases()).map(StartupReport.Phase::name).containsSubsequence(StartupReport.FLINK, StartupReport.BROKER,
                StartupReport.PLANNED, StartupReport.SUBMITTED, StartupReport.RUNNING, StartupReport.CHECKPOINT,
                StartupReport.FIRST_ROW);
        assertThat(report.at(StartupReport.FLINK)).hasValue(OFFSET + 3_000);
        assertThat(report.at(StartupReport.RUNNING)).hasValue(OFFSET + 9_000);
        assertThat(report.at(StartupReport.CHECKPOINT)).hasValue(OFFSET + 11_000);
        assertThat(report.totalMillis()).isEqualTo(OFFSET + 12_500);
        long s = OFFSET / 1000;
        assertThat(report.summary()).startsWith((s + 12) + ".5 s from the JVM's start to the first row stored (payments.dead_letters), 21.0 CPU-s: server ")
                .endsWith(String.format("flink %d.0 s, broker %d.0 s, planned %d.0 s, submitted %d.0 s, running %d.0 s, checkpoint %d.0 s,"
                        + " first-row %d.5 s", s + 3, s + 4, s + 7, s + 8, s + 9, s + 11, s + 12));
        assertThat(timeline.report()).isCompletedWithValue(report);
    }

    @Test
    void phasesThatDidNotHappenAreLeftOutAndTheFirstRowCompletesOnce() {
        StartupTimeline timeline = new StartupTimeline();
        timeline.mark(StartupReport.BROKER, -1);

        assertThat(timeline.claimFirstRow()).isTrue();
        assertThat(timeline.claimFirstRow()).isFalse();
        StartupReport report = timeline.firstRow("t", JVM_START + 5_000, 1, -1, -1).orElseThrow();

        assertThat(report.at(StartupReport.BROKER)).isEmpty();
        assertThat(report.at(StartupReport.RUNNING)).isEmpty();
        assertThat(report.phases()).map(StartupReport.Phase::name).containsExactly(StartupReport.SERVER, StartupReport.FIRST_ROW);
        assertThat(report.totalMillis()).isEqualTo(OFFSET + 5_000);
        assertThat(timeline.firstRow("t", JVM_START + 6_000, 1, -1, -1)).isEmpty();
        timeline.mark(StartupReport.API, JVM_START + 7_000);
        assertThat(timeline.report().join().phases()).isEqualTo(List.copyOf(report.phases()));
    }
}
