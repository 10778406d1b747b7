package dev.sluice.cli.faults;

import static org.assertj.core.api.Assertions.assertThat;

import dev.sluice.broker.EmbeddedKafka;
import dev.sluice.storage.DuckDbStore;
import dev.sluice.storage.QueryService;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledIfSystemProperty;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The soak: many events and a mix of faults injected one after the other while the events are sent and processed:
 * task manager kills, broker restarts, storage write failures before and after the commit, and SIGKILLs of the whole
 * Sluice process, which is started again on the same data directory. Sluice runs in a child JVM ({@link SoakNode}, the
 * server {@code sluice run --kafka-bootstrap} starts, with the two fault seams) against a broker the test owns, so
 * that the broker outlives the SIGKILLs and can itself be restarted. The tables must equal the oracle at the end,
 * and again in the DuckDB file after a clean stop. Not in the default run; run it with
 * {@code mvn -B -pl sluice-cli -am -Dsluice.soak=true -Dit.test=SoakIT -Dtest=none -Dsurefire.failIfNoSpecifiedTests=false verify}
 * and size it with {@code -Dsluice.soak.events} (10,000,000), {@code -Dsluice.soak.rate} (events/s, 30,000) and
 * {@code -Dsluice.soak.faults} (12, a quarter of each kind).
 */
@EnabledIfSystemProperty(named = "sluice.soak", matches = "true")
class SoakIT {
    private static final Logger LOG = LoggerFactory.getLogger(SoakIT.class);
    private static final String[] KINDS = {"task manager kill", "broker restart", "storage write failures", "SIGKILL of the Sluice process"};
    /** How long the node may take to store new results; minutes after a SIGKILL on a loaded machine. */
    private static final Duration PROGRESS = Duration.ofMinutes(10);

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
        Random random = new Random(61);
        Path kafkaDir = dir.resolve("kafka");
        EmbeddedKafka broker = EmbeddedKafka.start(kafkaDir, 0);
        int port = broker.port();
        int[] byKind = new int[KINDS.length];
        int[] storage = new int[3];
        String loadAtStart = loadAverage();
        long started = System.nanoTime();
        try (SoakChild sluice = new SoakChild(pipeline.write(dir), dir, broker.bootstrapServers())) {
            sluice.start();
            ResultCheck.Report live;
            try (EventFeed feed = new EventFeed(broker.bootstrapServers(), pipeline, workload, oracle, rate).start()) {
                int midStream = 0;
                for (int fault = 1; fault <= faults; fault++) {
                    long before = storedEvents(sluice);
                    InProcessSluice.await("new results before fault " + fault, PROGRESS, () -> storedEvents(sluice) > before);
                    Thread.sleep(2_000 + random.nextInt(8_000));
                    midStream += feed.streaming() ? 1 : 0;
                    int kind = fault % KINDS.length;
                    byKind[kind]++;
                    LOG.info("Soak fault {} of {} ({}) with {} records acknowledged.", fault, faults, KINDS[kind], feed.acknowledged());
                    switch (kind) {
                        case 0 -> sluice.command("task-manager");
                        case 1 -> {
                            broker.close();
                            Thread.sleep(3_000 + random.nextInt(5_000));
                            broker = EmbeddedKafka.start(kafkaDir, port);
                        }
                        case 2 -> sluice.command("storage");
                        default -> {
                            add(storage, sluice.storageStats());
                            sluice.kill();
                            sluice.start();
                        }
                    }
                }
                InProcessSluice.await("the whole workload to be sent", Duration.ofHours(2), () -> !feed.streaming());
                feed.finish(Duration.ofMinutes(5));
                live = InProcessSluice.awaitExact(pipeline, sluice.sql(), oracle, Duration.ofMinutes(20));
                add(storage, sluice.storageStats());
                LOG.info("SoakIT: {} events and {} malformed records, {} faults ({} while the stream was sent): {} task manager kills, {} broker"
                        + " restarts, {} storage faults ({} before the commit, {} after), {} SIGKILLs; {} s; load average {} at the start,"
                        + " {} at the end; lost {}, duplicated {}, wrong {}.",
                        oracle.events(), oracle.malformed(), faults, midStream, byKind[0], byKind[1], storage[0] + storage[1], storage[0],
                        storage[1], byKind[3], (System.nanoTime() - started) / 1_000_000_000, loadAtStart, loadAverage(),
                        live.lost(), live.duplicated(), live.wrong());
            }
            InProcessSluice.assertExact(live);
            assertThat(storage[2]).as("batches written again after their commit").isZero();
        } finally {
            broker.close();
        }
        // The clean stop (standard input closed) ended the node; the file must still equal the oracle.
        try (DuckDbStore store = DuckDbStore.open(dir.resolve("data").resolve("sluice.duckdb"))) {
            QueryService queries = new QueryService(store);
            ResultCheck.Report stored = ResultCheck.check(pipeline, q -> queries.query(q, 1_000_000).rows(), oracle);
            LOG.info("SoakIT after the clean stop: {}", stored);
            InProcessSluice.assertExact(stored);
        }
    }

    private static long storedEvents(SoakChild sluice) {
        return ResultCheck.asLong(sluice.sql().rows("SELECT count(*) FROM faults.all_events").get(0).get(0));
    }

    private static void add(int[] total, int[] more) {
        for (int i = 0; i < total.length; i++) {
            total[i] += more[i];
        }
    }

    private static String loadAverage() {
        try {
            return Files.readString(Path.of("/proc/loadavg")).split(" ")[0];
        } catch (IOException e) {
            return "unknown";
        }
    }
}
