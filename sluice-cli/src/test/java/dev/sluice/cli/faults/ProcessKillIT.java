package dev.sluice.cli.faults;

import static org.assertj.core.api.Assertions.assertThat;

import dev.sluice.storage.DuckDbStore;
import dev.sluice.storage.QueryService;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Scenario 2: the whole Sluice process ({@code sluice run} in a child JVM, with its embedded broker) is killed with
 * SIGKILL three times while events stream in, and started again on the same data directory each time. The producer
 * outside waits for the broker to come back. After a clean stop the DuckDB file must equal the oracle.
 *
 * <p>Each restart finds the job behind a backlog; on a loaded machine its reader is starved long enough to leave a
 * partition unfetched for more than the idle timeout. Such a partition used to be marked idle, and its on-time events
 * were routed to {@code late_events}; see {@code ConsumerLagReporterIT} for the deterministic version of that case.
 */
class ProcessKillIT {
    private static final Logger LOG = LoggerFactory.getLogger(ProcessKillIT.class);
    private static final int KILLS = 3;
    /**
     * How long a restarted process may take to store new results (and, twice that, to catch up at the end). Minutes
     * with the machine to itself; on the 2-core machine shared by several builds (load average 50 to 100) the restarted
     * job behind a backlog of several hundred thousand records needed more than the 3 minutes allowed before.
     */
    private static final Duration CATCH_UP = Duration.ofMinutes(5);

    @TempDir
    Path dir;

    @Test
    void threeSigkillsOfTheWholeProcessLoseAndDuplicateNothing() throws Exception {
        FaultPipeline pipeline = FaultPipeline.standard();
        Workload workload = new Workload(2_000_000, 40, 0, 21, Instant.now());
        Oracle oracle = new Oracle(pipeline.window().toMillis());
        long started = System.nanoTime();
        try (ChildSluice sluice = new ChildSluice(pipeline.write(dir), dir)) {
            sluice.start();
            try (EventFeed feed = new EventFeed(sluice.bootstrap(), pipeline, workload, oracle, 2_000).start()) {
                int midStream = 0;
                for (int kill = 1; kill <= KILLS; kill++) {
                    long before = storedEvents(sluice);
                    InProcessSluice.await("new results before kill " + kill, CATCH_UP, () -> storedEvents(sluice) > before);
                    Thread.sleep(1_500);
                    midStream += feed.streaming() ? 1 : 0;
                    LOG.info("Fault {}: SIGKILL of sluice run with {} records acknowledged.", kill, feed.acknowledged());
                    sluice.kill();
                    sluice.start();
                }
                long before = storedEvents(sluice);
                InProcessSluice.await("new results after the last restart", CATCH_UP, () -> storedEvents(sluice) > before);
                feed.finish(Duration.ofMinutes(3));
                ResultCheck.Report live = InProcessSluice.awaitExact(pipeline, sluice.sql(), oracle, CATCH_UP.multipliedBy(2));
                InProcessSluice.assertExact(live);
                assertThat(midStream).as("kills while the stream was still being sent").isEqualTo(KILLS);
            }
            // SIGTERM runs the shutdown hook (savepoint, last results stored); the JVM then exits with 128 + 15.
            assertThat(sluice.stop()).as("exit code of the clean stop").isEqualTo(143);
        }
        try (DuckDbStore store = DuckDbStore.open(dir.resolve("data").resolve("sluice.duckdb"))) {
            QueryService queries = new QueryService(store);
            ResultCheck.Report stored = ResultCheck.check(pipeline, q -> queries.query(q, 1_000_000).rows(), oracle);
            LOG.info("ProcessKillIT: {} events, {} SIGKILLs, {} s; after the clean stop: {}", oracle.events(), KILLS,
                    (System.nanoTime() - started) / 1_000_000_000, stored);
            InProcessSluice.assertExact(stored);
        }
    }

    @Test
    void aRestartBehindALargeBacklogLosesNothing() throws Exception {
        FaultPipeline pipeline = FaultPipeline.standard();
        Workload workload = new Workload(600_000, 40, 0, 23, Instant.now());
        Oracle oracle = new Oracle(pipeline.window().toMillis());
        long started = System.nanoTime();
        try (ChildSluice sluice = new ChildSluice(pipeline.write(dir), dir)) {
            sluice.start();
            try (EventFeed feed = new EventFeed(sluice.bootstrap(), pipeline, workload, oracle, 0).start()) {
                InProcessSluice.await("a first part of the events stored", Duration.ofSeconds(120), () -> storedEvents(sluice) > 20_000);
                LOG.info("SIGKILL of sluice run with {} records acknowledged and {} events stored.", feed.acknowledged(), storedEvents(sluice));
                sluice.kill();
                sluice.start();
                InProcessSluice.await("the whole workload to be sent", Duration.ofMinutes(5), () -> !feed.streaming());
                feed.finish(Duration.ofMinutes(3));
                ResultCheck.Report report = InProcessSluice.awaitExact(pipeline, sluice.sql(), oracle, Duration.ofSeconds(180));
                LOG.info("ProcessKillIT backlog: {} events, 1 SIGKILL, {} s: {}", oracle.events(), (System.nanoTime() - started) / 1_000_000_000,
                        report);
                InProcessSluice.assertExact(report);
            }
        }
    }

    private static long storedEvents(ChildSluice sluice) {
        return ResultCheck.asLong(sluice.sql().rows("SELECT count(*) FROM faults.all_events").get(0).get(0));
    }
}
