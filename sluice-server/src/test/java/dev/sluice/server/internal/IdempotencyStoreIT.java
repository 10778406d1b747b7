package dev.sluice.server.internal;

import static org.assertj.core.api.Assertions.assertThat;

import dev.sluice.broker.BrokerAdmin;
import dev.sluice.broker.EmbeddedKafka;
import dev.sluice.broker.TopicSpec;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.Properties;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The look-up of an {@code Idempotency-Key} whose request is in doubt (answered 503 while its commit may still go
 * through) must wait for that request's transaction to end: a look-up that stops at the last stable offset does not
 * see a transaction that is still open, finds nothing, and lets the retry write the records a second time once the
 * first transaction commits after all.
 */
class IdempotencyStoreIT {
    private static final String TOPIC = "sluice.ingest.idempotency";
    /** How long the open transaction is held before it ends; a look-up that returns earlier did not wait for it. */
    private static final long HELD_MILLIS = 3_000;

    @TempDir
    static Path dir;
    private static EmbeddedKafka kafka;

    @BeforeAll
    static void startBroker() {
        kafka = EmbeddedKafka.start(dir.resolve("kafka"), 0);
        try (BrokerAdmin admin = new BrokerAdmin(kafka.bootstrapServers(), new Properties())) {
            admin.ensureTopics(List.of(TopicSpec.of(TOPIC, 4)));
        }
    }

    @AfterAll
    static void stopBroker() {
        kafka.close();
    }

    @Test
    void aKeyInDoubtIsFoundWhenItsOpenTransactionCommitsDuringTheLookUp() throws Exception {
        assertThat(lookUpWhileOpen("committed-late", true)).map(IdempotencyStore.Response::status).hasValue(200);
    }

    @Test
    void aKeyInDoubtIsAbsentWhenItsOpenTransactionAborts() throws Exception {
        assertThat(lookUpWhileOpen("aborted-late", false)).isEmpty();
    }

    /** Writes the key's response in a transaction left open, looks the key up, and ends the transaction later. */
    private static Optional<IdempotencyStore.Response> lookUpWhileOpen(String key, boolean commit) throws Exception {
        IdempotencyStore store = new IdempotencyStore(kafka.bootstrapServers(), new Properties(), TOPIC, Duration.ofHours(1),
                Clock.systemUTC());
        store.load(Duration.ofSeconds(30));
        Properties p = new Properties();
        p.setProperty("bootstrap.servers", kafka.bootstrapServers());
        p.setProperty("transactional.id", "idempotency-store-it-" + key);
        try (KafkaProducer<byte[], byte[]> producer = new KafkaProducer<>(p, new ByteArraySerializer(), new ByteArraySerializer())) {
            producer.initTransactions();
            producer.beginTransaction();
            producer.send(store.record(key, store.response(200, "{\"accepted\":1}", "hash"))).get(30, TimeUnit.SECONDS);
            store.doubt(key);
            long started = System.nanoTime();
            AtomicLong answered = new AtomicLong();
            CompletableFuture<Optional<IdempotencyStore.Response>> found = CompletableFuture.supplyAsync(() -> {
                Optional<IdempotencyStore.Response> r = store.find(key, Duration.ofSeconds(60));
                answered.set(System.nanoTime());
                return r;
            });
            Thread.sleep(HELD_MILLIS);
            if (commit) {
                producer.commitTransaction();
            } else {
                producer.abortTransaction();
            }
            Optional<IdempotencyStore.Response> result = found.get(60, TimeUnit.SECONDS);
            assertThat((answered.get() - started) / 1_000_000).as("the look-up waited for the open transaction to end")
                    .isGreaterThanOrEqualTo(HELD_MILLIS);
            return result;
        }
    }
}
