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
 * Scenario 5: 5% of the records are malformed (not JSON, a text sequence number, no event time, an unreadable event
 * time). The valid events' results must be exact, every malformed record must be one dead letter, and the job must
 * never fail or restart because of data.
 */
class MalformedRecordsIT {
    private static final Logger LOG = LoggerFactory.getLogger(MalformedRecordsIT.class);

    @TempDir
    Path dir;

    @Test
    void fivePercentMalformedRecordsAreDeadLettersAndTheRestIsExact() throws Exception {
        FaultPipeline pipeline = FaultPipeline.standard();
        Workload workload = new Workload(2_000_000, 40, 0.05, 51, Instant.now());
        Oracle oracle = new Oracle(pipeline.window().toMillis());
        long started = System.nanoTime();
        try (InProcessSluice sluice = InProcessSluice.start(dir, pipeline, Optional.empty());
             EventFeed feed = new EventFeed(sluice.bootstrap(), pipeline, workload, oracle, 3_000).start()) {
            Thread.sleep(20_000);
            feed.finish(Duration.ofMinutes(2));
            ResultCheck.Report report = sluice.awaitExact(oracle, Duration.ofSeconds(120));
            LOG.info("MalformedRecordsIT: {} valid events, {} malformed ({}%), {} dead letters stored, {} s.", oracle.events(),
                    oracle.malformed(), Math.round(1000.0 * oracle.malformed() / (oracle.malformed() + oracle.events())) / 10.0,
                    report.deadLetters(), (System.nanoTime() - started) / 1_000_000_000);

            InProcessSluice.assertExact(report);
            assertThat(oracle.malformed()).as("malformed records sent").isGreaterThan(1_000);
            assertThat(report.deadLetters()).isEqualTo(oracle.malformed());
            assertThat(sluice.restarts()).as("restarts of the job").isZero();
            assertThat(sluice.jobNeverFailed()).as("the job never failed, so never restarted, because of data: %s",
                    sluice.server().flink().lastFailure(sluice.server().runner().flinkJobId())).isTrue();
        }
    }
}
