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
 * Scenario 4: storage writes fail before the DuckDB commit (the transaction rolls back) and after it (the batch is
 * stored, yet the loader is told it failed), and once seven times in a row. The loader must store every row once, try
 * one batch from memory at most five times, and never write a committed batch again.
 */
class StorageFaultIT {
    private static final Logger LOG = LoggerFactory.getLogger(StorageFaultIT.class);
    private static final int BUDGET = 8;
    private static final int STREAK = 7;

    @TempDir
    Path dir;

    @Test
    void writeFailuresBeforeAndAfterTheCommitLoseAndDuplicateNothing() throws Exception {
        FaultPipeline pipeline = FaultPipeline.standard();
        Workload workload = new Workload(2_000_000, 40, 0, 41, Instant.now());
        Oracle oracle = new Oracle(pipeline.window().toMillis());
        ScheduledWriteFaults faults = new ScheduledWriteFaults(BUDGET);
        long started = System.nanoTime();
        try (InProcessSluice sluice = InProcessSluice.start(dir, pipeline, Optional.empty());
             EventFeed feed = new EventFeed(sluice.bootstrap(), pipeline, workload, oracle, 2_000).start()) {
            sluice.server().store().injectFaults(faults);
            InProcessSluice.await("the scheduled faults", Duration.ofSeconds(120),
                    () -> faults.beforeCommitFaults() >= BUDGET && faults.afterCommitFaults() >= BUDGET);
            faults.failNext(STREAK);
            InProcessSluice.await("the streak of failures", Duration.ofSeconds(120), () -> faults.streakLeft() == 0);
            long before = sluice.server().loader().rowsLoaded();
            InProcessSluice.await("rows stored after the streak", Duration.ofSeconds(120), () -> sluice.server().loader().rowsLoaded() > before);
            assertThat(feed.streaming()).as("faults injected while the stream was sent").isTrue();
            feed.finish(Duration.ofMinutes(2));
            ResultCheck.Report report = sluice.awaitExact(oracle, Duration.ofSeconds(120));
            int injected = faults.beforeCommitFaults() + faults.afterCommitFaults();
            LOG.info("StorageFaultIT: {} events, {} storage faults ({} before the commit, {} after), at most {} attempts per batch, {} s.",
                    oracle.events(), injected, faults.beforeCommitFaults(), faults.afterCommitFaults(), faults.maxAttemptsPerBatch(),
                    (System.nanoTime() - started) / 1_000_000_000);

            InProcessSluice.assertExact(report);
            assertThat(faults.rewrittenAfterCommit()).as("batches written again after their commit").isZero();
            assertThat(faults.maxAttemptsPerBatch()).as("attempts to write one batch from memory").isEqualTo(5);
            assertThat(faults.beforeCommitFaults()).isEqualTo(BUDGET + STREAK);
            assertThat(faults.afterCommitFaults()).isEqualTo(BUDGET);
        }
    }
}
