package dev.sluice.cli.faults;

import static org.assertj.core.api.Assertions.assertThat;

import dev.sluice.broker.EmbeddedKafka;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Scenario 3: the Kafka broker is stopped and started again (same port, same log directory) twice while events stream
 * in and Sluice keeps running. Sluice runs against it with {@code --kafka-bootstrap}, the product path on which a
 * broker restarts under a running Sluice: the embedded broker lives and dies with the Sluice process, which
 * {@link ProcessKillIT} covers. Flink's sources and transactional sinks, the loader and the producer outside must all
 * ride it out, and the stored tables must equal the oracle.
 */
class BrokerRestartIT {
    private static final Logger LOG = LoggerFactory.getLogger(BrokerRestartIT.class);
    private static final int RESTARTS = 2;
    private static final Duration DOWN = Duration.ofSeconds(5);

    @TempDir
    Path dir;

    @Test
    void brokerRestartsMidStreamLoseAndDuplicateNothing() throws Exception {
        FaultPipeline pipeline = FaultPipeline.standard();
        Workload workload = new Workload(2_000_000, 40, 0, 31, Instant.now());
        Oracle oracle = new Oracle(pipeline.window().toMillis());
        Path kafkaDir = dir.resolve("kafka");
        EmbeddedKafka broker = EmbeddedKafka.start(kafkaDir, 0);
        int port = broker.port();
        long started = System.nanoTime();
        try (InProcessSluice sluice = InProcessSluice.start(dir, pipeline, Optional.of(broker.bootstrapServers()));
             EventFeed feed = new EventFeed(broker.bootstrapServers(), pipeline, workload, oracle, 2_000).start()) {
            int midStream = 0;
            for (int restart = 1; restart <= RESTARTS; restart++) {
                long before = sluice.server().loader().rowsLoaded();
                InProcessSluice.await("new results before broker restart " + restart, Duration.ofSeconds(120),
                        () -> sluice.jobRunning() && sluice.server().loader().rowsLoaded() > before);
                Thread.sleep(1_500);
                midStream += feed.streaming() ? 1 : 0;
                LOG.info("Fault {}: stopping the Kafka broker on port {} with {} records acknowledged.", restart, port, feed.acknowledged());
                broker.close();
                Thread.sleep(DOWN.toMillis());
                broker = EmbeddedKafka.start(kafkaDir, port);
            }
            long before = sluice.server().loader().rowsLoaded();
            InProcessSluice.await("new results after the last broker restart", Duration.ofSeconds(120),
                    () -> sluice.server().loader().rowsLoaded() > before);
            feed.finish(Duration.ofMinutes(3));
            ResultCheck.Report report = sluice.awaitExact(oracle, Duration.ofSeconds(180));
            LOG.info("BrokerRestartIT: {} events, {} broker restarts ({} mid-stream, {} s down each), {} s.", oracle.events(), RESTARTS,
                    midStream, DOWN.toSeconds(), (System.nanoTime() - started) / 1_000_000_000);

            InProcessSluice.assertExact(report);
            assertThat(midStream).as("restarts while the stream was still being sent").isEqualTo(RESTARTS);
        } finally {
            broker.close();
        }
    }
}
