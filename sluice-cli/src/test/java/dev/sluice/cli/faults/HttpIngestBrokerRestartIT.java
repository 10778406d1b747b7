package dev.sluice.cli.faults;

import static org.assertj.core.api.Assertions.assertThat;

import dev.sluice.broker.EmbeddedKafka;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Scenario 3 with HTTP ingest: a client sends the events through Sluice's HTTP ingest API ({@link HttpFeed}: batches
 * with an {@code Idempotency-Key}, retried after 503, 409, lost connections and timeouts) while the Kafka broker is
 * stopped and started again twice, as in {@link BrokerRestartIT}. Every event that got a 2xx must be stored exactly
 * once (the oracle holds exactly those), and while the broker is down the API must answer, within its timeout, 503
 * with {@code Retry-After}, never a 2xx.
 */
class HttpIngestBrokerRestartIT {
    private static final Logger LOG = LoggerFactory.getLogger(HttpIngestBrokerRestartIT.class);
    private static final int RESTARTS = 2;
    private static final Duration DOWN = Duration.ofSeconds(5);
    private static final long EVENTS_BETWEEN_RESTARTS = 5_000;

    @TempDir
    Path dir;

    /** When the broker was fully stopped and when its restart began ({@link System#nanoTime}). */
    private record Outage(long downNanos, long upNanos) {}

    @Test
    void everyEventThatGotA2xxIsStoredOnceAcrossBrokerRestarts() throws Exception {
        // After an outage the client's retries keep the topic quiet for longer than the 10 s idle timeout, so the source
        // wakes up with a burst on all partitions: no event of it may be late (docs/reliability.md, "What the suite found").
        FaultPipeline pipeline = FaultPipeline.standard();
        Workload workload = new Workload(2_000_000, 40, 0, 37, Instant.now());
        Oracle oracle = new Oracle(pipeline.window().toMillis());
        Path kafkaDir = dir.resolve("kafka");
        EmbeddedKafka broker = EmbeddedKafka.start(kafkaDir, 0);
        int port = broker.port();
        List<Outage> outages = new ArrayList<>();
        long started = System.nanoTime();
        try (InProcessSluice sluice = InProcessSluice.start(dir, pipeline, Optional.of(broker.bootstrapServers()));
             HttpFeed feed = new HttpFeed(sluice.server().httpPort(), pipeline, workload, oracle, 2_000, 500).start()) {
            int midStream = 0;
            for (int restart = 1; restart <= RESTARTS; restart++) {
                long before = sluice.server().loader().rowsLoaded();
                long acknowledged = feed.acknowledged();
                // The ingest producers start on first use and again after a restart: let the feed reach its pace first.
                InProcessSluice.await("new results and " + EVENTS_BETWEEN_RESTARTS + " events acknowledged over HTTP before broker restart "
                        + restart, Duration.ofSeconds(120), () -> sluice.jobRunning() && sluice.server().loader().rowsLoaded() > before
                        && feed.acknowledged() >= acknowledged + EVENTS_BETWEEN_RESTARTS);
                Thread.sleep(1_500);
                midStream += feed.streaming() ? 1 : 0;
                LOG.info("Fault {}: stopping the Kafka broker on port {} with {} events acknowledged over HTTP.", restart, port,
                        feed.acknowledged());
                broker.close();
                long down = System.nanoTime();
                Thread.sleep(DOWN.toMillis());
                outages.add(new Outage(down, System.nanoTime()));
                broker = EmbeddedKafka.start(kafkaDir, port);
            }
            long before = sluice.server().loader().rowsLoaded();
            long acknowledged = feed.acknowledged();
            InProcessSluice.await("new results and " + EVENTS_BETWEEN_RESTARTS + " events acknowledged over HTTP after the last broker"
                    + " restart", Duration.ofSeconds(120), () -> sluice.server().loader().rowsLoaded() > before
                    && feed.acknowledged() >= acknowledged + EVENTS_BETWEEN_RESTARTS);
            feed.finish(broker.bootstrapServers(), Duration.ofMinutes(4));
            ResultCheck.Report report = sluice.awaitExact(oracle, Duration.ofSeconds(180));
            LOG.info("HttpIngestBrokerRestartIT: {} events, {} broker restarts ({} mid-stream, {} s down each), {} s; HTTP: {}",
                    oracle.events(), RESTARTS, midStream, DOWN.toSeconds(), (System.nanoTime() - started) / 1_000_000_000, feed.summary());

            InProcessSluice.assertExact(report);
            assertThat(midStream).as("restarts while the stream was still being sent").isEqualTo(RESTARTS);
            List<HttpFeed.Attempt> attempts = feed.attempts();
            for (HttpFeed.Attempt a : attempts) {
                if (a.status() == 503) {
                    assertThat(a.retryAfter()).as("Retry-After of a 503").isEqualTo("1");
                }
                for (Outage o : outages) {
                    boolean whileDown = a.startNanos() >= o.downNanos() && a.endNanos() <= o.upNanos();
                    assertThat(whileDown && a.status() == 200).as("a 2xx for a request made and answered while the broker was down")
                            .isFalse();
                }
            }
            assertThat(attempts).as("no request went unanswered for %s", HttpFeed.REQUEST_TIMEOUT)
                    .noneMatch(a -> a.status() == 0);
            assertThat(attempts).as("the API answered 503 while the broker was down").anyMatch(a -> a.status() == 503);
        } finally {
            broker.close();
        }
    }
}
