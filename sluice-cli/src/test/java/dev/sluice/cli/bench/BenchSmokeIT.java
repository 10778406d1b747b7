package dev.sluice.cli.bench;

import static org.assertj.core.api.Assertions.assertThat;

import dev.sluice.server.StartupReport;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Comparator;
import java.util.Map;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The harness on small input: the figures it reports are there and hang together, and the results it checked are
 * exact. Both modes: pre-loaded (throughput) and a fixed rate (delays).
 */
class BenchSmokeIT {
    private static final Path EXAMPLES = Path.of("..", "examples");

    @Test
    void preloadedTumblingReportsSaneFiguresAndExactResults(@TempDir Path dir) {
        BenchReport r = Bench.run(new BenchSettings("tumbling", 20_000, 0, 2, Duration.ofSeconds(1), dir, EXAMPLES, 7,
                Duration.ofSeconds(90)), p -> { });

        assertThat(r.problems()).isEmpty();
        assertThat(r.correct()).isTrue();
        // 20,000 payments at 20,000 per second of event time: one second, one or two 10 s windows per merchant (200 in
        // the catalog, and a few of the 0.5% unknown ones).
        assertThat(r.rowsStored().get("merchant_revenue")).isBetween(100L, 1_000L);
        assertThat(r.mode()).isEqualTo("preloaded");
        assertThat(r.loadEventsPerSecond()).isPositive();
        assertThat(r.eventsPerSecond()).isPositive();
        assertThat(r.overallEventsPerSecond()).isPositive();
        assertThat(r.cpuSecondsPerMillion()).isPositive();
        assertThat(r.runSeconds()).isPositive();
        assertThat(r.stackStartMillis()).isPositive();
        // The first row is stored no later than the last one: job start is timed in wall-clock milliseconds, the run by
        // the monotonic clock, so when all rows come in one batch the two can differ by a millisecond of rounding.
        assertThat(r.jobStartMillis()).isPositive().isLessThanOrEqualTo(Math.round(r.runSeconds() * 1000) + 2);
        assertThat(r.checkpoints().completed()).isPositive();
        assertThat(r.checkpoints().medianMillis()).isLessThanOrEqualTo(r.checkpoints().maxMillis());
        assertThat(r.memory().heapPeak()).isPositive();
        assertThat(r.memory().rssPeak()).isGreaterThanOrEqualTo(r.memory().heapPeak() / 2);
        assertThat(r.delays()).isEmpty();
        // The start-up phases of a server started without pipelines, whose pipeline was deployed after the input was loaded.
        Map<String, Long> phases = r.startup().stream().collect(Collectors.toMap(StartupReport.Phase::name, StartupReport.Phase::atMillis));
        assertThat(phases).containsKeys(StartupReport.SERVER, StartupReport.BROKER, StartupReport.FLINK, StartupReport.STORE,
                StartupReport.API, StartupReport.PLANNED, StartupReport.TOPICS, StartupReport.SUBMITTED, StartupReport.RUNNING,
                StartupReport.CHECKPOINT, StartupReport.FIRST_ROW);
        assertThat(r.startup()).isSortedAccordingTo(Comparator.comparingLong(StartupReport.Phase::atMillis));
        assertThat(phases.get(StartupReport.SERVER)).isLessThanOrEqualTo(phases.get(StartupReport.BROKER));
        assertThat(phases.get(StartupReport.PLANNED)).isLessThanOrEqualTo(phases.get(StartupReport.TOPICS));
        assertThat(phases.get(StartupReport.TOPICS)).isLessThanOrEqualTo(phases.get(StartupReport.SUBMITTED));
        assertThat(phases.get(StartupReport.SUBMITTED)).isLessThanOrEqualTo(phases.get(StartupReport.RUNNING));
        // Exactly-once: the first row is visible only once a checkpoint completed after the tasks ran.
        assertThat(phases.get(StartupReport.RUNNING)).isLessThan(phases.get(StartupReport.CHECKPOINT));
        assertThat(phases.get(StartupReport.CHECKPOINT)).isLessThanOrEqualTo(phases.get(StartupReport.FIRST_ROW));
        assertThat(r.startup().get(r.startup().size() - 1).name()).isEqualTo(StartupReport.FIRST_ROW);
    }

    @Test
    void fixedRatePassThroughMeasuresOrderedDelaysOfEveryRow(@TempDir Path dir) {
        BenchReport r = Bench.run(new BenchSettings("passthrough", 20_000, 4_000, 2, Duration.ofMillis(500), dir, EXAMPLES, 7,
                Duration.ofSeconds(90)), p -> { });

        assertThat(r.problems()).isEmpty();
        assertThat(r.correct()).isTrue();
        assertThat(r.mode()).isEqualTo("rate");
        BenchReport.Delays d = r.delays().get("valid_payments");
        assertThat(d).isNotNull();
        assertThat(d.rows()).isEqualTo(r.rowsStored().get("valid_payments"));
        assertThat(d.p50()).isPositive();
        assertThat(d.p50()).isLessThanOrEqualTo(d.p95());
        assertThat(d.p95()).isLessThanOrEqualTo(d.p99());
        assertThat(d.p99()).isLessThanOrEqualTo(d.max());
        // Exactly-once results are visible at a checkpoint: nothing can be older than the run itself.
        assertThat(d.max()).isLessThan((long) (r.runSeconds() * 1000));
        // The job cannot read faster than the generator sends (on a busy machine it may read slower).
        assertThat(r.eventsPerSecond()).isPositive().isLessThan(4_000 * 1.5);
        assertThat(r.cpuSecondsPerMillion()).isPositive();
    }
}
