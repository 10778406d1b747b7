package dev.sluice.cli.faults;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The fault pipeline with {@code delivery: low-latency}: its results are written at-least-once and loaded as they arrive,
 * so every task manager kill makes the job replay what it wrote since its last checkpoint. The tables must still equal
 * the oracle exactly: the upsert tables take the replayed rows again by key, and the append table {@code all_events}
 * drops them by their row ids. That replays really reached the store is checked too: the loader handed it more
 * {@code all_events} rows than the table holds.
 */
class LowLatencyKillIT {
    private static final Logger LOG = LoggerFactory.getLogger(LowLatencyKillIT.class);
    private static final int KILLS = 2;

    @TempDir
    Path dir;

    @Test
    void taskManagerKillsMidStreamLeaveExactTablesWithoutTransactions() throws Exception {
        FaultPipeline pipeline = FaultPipeline.standard().lowLatency();
        Workload workload = new Workload(2_000_000, 40, 0.01, 23, Instant.now());
        Oracle oracle = new Oracle(pipeline.window().toMillis());
        long started = System.nanoTime();
        try (InProcessSluice sluice = InProcessSluice.start(dir, pipeline, Optional.empty());
             EventFeed feed = new EventFeed(sluice.bootstrap(), pipeline, workload, oracle, 3_000).start()) {
            int midStream = 0;
            for (int kill = 1; kill <= KILLS; kill++) {
                long before = sluice.server().loader().rowsLoaded();
                InProcessSluice.await("new results after kill " + (kill - 1), Duration.ofSeconds(90),
                        () -> sluice.jobRunning() && sluice.server().loader().rowsLoaded() > before);
                // Past a checkpoint (every second) and well into the next interval, whose rows the restart replays.
                Thread.sleep(1_700);
                midStream += feed.streaming() ? 1 : 0;
                LOG.info("Fault {}: killing the Flink task manager with {} records acknowledged.", kill, feed.acknowledged());
                sluice.server().flink().restartTaskManager();
            }
            feed.finish(Duration.ofMinutes(2));
            ResultCheck.Report report = sluice.awaitExact(oracle, Duration.ofSeconds(120));
            long handed = sluice.server().loader().rowsLoadedByTable().get("all_events");
            List<List<Object>> stored = sluice.sql().rows("SELECT count(*), count(DISTINCT _sluice_row_id) FROM "
                    + pipeline.table("all_events"));
            LOG.info("LowLatencyKillIT: {} events, {} kills ({} mid-stream), all_events rows handed to the store {}, stored {}, {} s.",
                    oracle.events(), KILLS, midStream, handed, stored, (System.nanoTime() - started) / 1_000_000_000);

            InProcessSluice.assertExact(report);
            assertThat(midStream).as("kills while the stream was still being sent").isEqualTo(KILLS);
            assertThat(sluice.restarts()).as("restarts of the job").isGreaterThanOrEqualTo(KILLS);
            long rows = ((Number) stored.get(0).get(0)).longValue();
            assertThat(stored.get(0).get(1)).as("one row per row id").isEqualTo(rows);
            assertThat(handed).as("rows replayed after the kills reached the store and were dropped there").isGreaterThan(rows);
            // The store keeps only the ids a replay can still reach: completed checkpoints let it forget the older ones.
            dev.sluice.storage.DuckDbStore store = (dev.sluice.storage.DuckDbStore) sluice.server().store();
            InProcessSluice.await("row ids forgotten after the checkpoints", Duration.ofSeconds(30),
                    () -> store.replayWindowSizes().get(pipeline.table("all_events")) < rows);
        }
    }
}
