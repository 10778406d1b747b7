package dev.sluice.cli.faults;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Scenario 1: the Flink task manager is killed five times while events stream in. Each time every task of the job
 * fails, a new task manager starts, and the job resumes from its last checkpoint; the stored tables must still equal
 * the oracle exactly.
 */
class TaskManagerKillIT {
    private static final Logger LOG = LoggerFactory.getLogger(TaskManagerKillIT.class);
    private static final int KILLS = 5;

    @TempDir
    Path dir;

    @Test
    void fiveTaskManagerKillsMidStreamLoseAndDuplicateNothing() throws Exception {
        FaultPipeline pipeline = FaultPipeline.standard();
        Workload workload = new Workload(2_000_000, 40, 0, 11, Instant.now());
        Oracle oracle = new Oracle(pipeline.window().toMillis());
        long started = System.nanoTime();
        try (InProcessSluice sluice = InProcessSluice.start(dir, pipeline, Optional.empty());
             EventFeed feed = new EventFeed(sluice.bootstrap(), pipeline, workload, oracle, 2_000).start()) {
            int midStream = 0;
            for (int kill = 1; kill <= KILLS; kill++) {
                long before = sluice.server().loader().rowsLoaded();
                // Between kills the job must have recovered and stored new results: a checkpoint completed after a restart.
                InProcessSluice.await("new results after kill " + (kill - 1), Duration.ofSeconds(90),
                        () -> sluice.jobRunning() && sluice.server().loader().rowsLoaded() > before);
                Thread.sleep(1_500);
                midStream += feed.streaming() ? 1 : 0;
                LOG.info("Fault {}: killing the Flink task manager with {} records acknowledged.", kill, feed.acknowledged());
                sluice.server().flink().restartTaskManager();
            }
            feed.finish(Duration.ofMinutes(2));
            ResultCheck.Report report = sluice.awaitExact(oracle, Duration.ofSeconds(120));
            LOG.info("TaskManagerKillIT: {} events, {} task manager kills ({} mid-stream), {} s.", oracle.events(), KILLS, midStream,
                    (System.nanoTime() - started) / 1_000_000_000);

            InProcessSluice.assertExact(report);
            assertThat(midStream).as("kills while the stream was still being sent").isEqualTo(KILLS);
            assertThat(sluice.restarts()).as("restarts of the job: the restart count sees the kills").isGreaterThanOrEqualTo(KILLS);
            assertThat(sluice.jobNeverFailed()).as("the job saw the task manager failures").isFalse();
        }
    }
}
