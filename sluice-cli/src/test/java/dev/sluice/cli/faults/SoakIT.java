package dev.sluice.cli.faults;

import static org.assertj.core.api.Assertions.assertThat;

import dev.sluice.broker.EmbeddedKafka;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledIfSystemProperty;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The soak: many events and a mix of faults (task manager kills, broker restarts, storage write failures before and
 * after the commit) injected one after the other while the events are sent and processed; the tables must equal the
 * oracle at the end. Not in the default run; run it with
 * {@code mvn -B -pl sluice-cli -am -Dsluice.soak=true -Dit.test=SoakIT -Dtest=none -Dsurefire.failIfNoSpecifiedTests=false verify}
 * and size it with {@code -Dsluice.soak.events} (10,000,000), {@code -Dsluice.soak.rate} (events/s, 30,000) and
 * {@code -Dsluice.soak.faults} (12).
 */
@EnabledIfSystemProperty(named = "sluice.soak", matches = "true")
class SoakIT {
    private static final Logger LOG = LoggerFactory.getLogger(SoakIT.class);

    @TempDir
    Path dir;

    @Test
    void millionsOfEventsThroughMixedFaultsLoseAndDuplicateNothing() throws Exception {
        long events = Long.getLong("sluice.soak.events", 10_000_000);
        double rate = Long.getLong("sluice.soak.rate", 30_000);
        int faults = Integer.getInteger("sluice.soak.faults", 12);
        FaultPipeline pipeline = FaultPipeline.standard().withWindow(Duration.ofMinutes(1));
        Workload workload = new Workload(events, 40, 0.001, 61, Instant.now());
        Oracle oracle = new Oracle(pipeline.window().toMillis());
        ScheduledWriteFaults storage = new ScheduledWriteFaults(0);
        Random random = new Random(61);
        Path kafkaDir = dir.resolve("kafka");
        EmbeddedKafka broker = EmbeddedKafka.start(kafkaDir, 0);
        int port = broker.port();
        int[] byKind = new int[3];
        long started = System.nanoTime();
        try (InProcessSluice sluice = InProcessSluice.start(dir, pipeline, Optional.of(broker.bootstrapServers()));
             EventFeed feed = new EventFeed(broker.bootstrapServers(), pipeline, workload, oracle, rate).start()) {
            sluice.server().store().injectFaults(storage);
            int midStream = 0;
            for (int fault = 1; fault <= faults; fault++) {
                long before = sluice.server().loader().rowsLoaded();
                InProcessSluice.await("new results before fault " + fault, Duration.ofMinutes(5),
                        () -> sluice.jobRunning() && sluice.server().loader().rowsLoaded() > before);
                Thread.sleep(2_000 + random.nextInt(8_000));
                midStream += feed.streaming() ? 1 : 0;
                int kind = fault % 3;
                byKind[kind]++;
                LOG.info("Soak fault {} of {} ({}) with {} records acknowledged.", fault, faults,
                        kind == 0 ? "task manager kill" : kind == 1 ? "broker restart" : "storage write failures", feed.acknowledged());
                switch (kind) {
                    case 0 -> sluice.server().flink().restartTaskManager();
                    case 1 -> {
                        broker.close();
                        Thread.sleep(3_000 + random.nextInt(5_000));
                        broker = EmbeddedKafka.start(kafkaDir, port);
                    }
                    default -> {
                        storage.failNextAfterCommit();
                        storage.failNext(3);
                    }
                }
            }
            InProcessSluice.await("the whole workload to be sent", Duration.ofHours(2), () -> !feed.streaming());
            feed.finish(Duration.ofMinutes(5));
            ResultCheck.Report report = sluice.awaitExact(oracle, Duration.ofMinutes(20));
            long seconds = (System.nanoTime() - started) / 1_000_000_000;
            LOG.info("SoakIT: {} events and {} malformed records, {} faults ({} while the stream was sent): {} task manager kills, {} broker"
                    + " restarts, {} storage faults ({} before the commit, {} after); {} s; lost {}, duplicated {}, wrong {}.",
                    oracle.events(), oracle.malformed(), faults, midStream, byKind[0], byKind[1],
                    storage.beforeCommitFaults() + storage.afterCommitFaults(), storage.beforeCommitFaults(), storage.afterCommitFaults(),
                    seconds, report.lost(), report.duplicated(), report.wrong());

            InProcessSluice.assertExact(report);
            assertThat(storage.rewrittenAfterCommit()).isZero();
        } finally {
            broker.close();
        }
    }
}
