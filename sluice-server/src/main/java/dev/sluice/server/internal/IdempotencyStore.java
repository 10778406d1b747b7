package dev.sluice.server.internal;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.sluice.SluiceException;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The responses of ingest requests sent with an {@code Idempotency-Key}, so that a retry gets the original response
 * instead of writing the records again. The durable copy is the compacted topic {@code sluice.ingest.idempotency},
 * written in the same Kafka transaction as the request's records (so a response is stored if and only if its records
 * are); this class keeps them in memory, read from the topic ({@code read_committed}) when the server starts, and
 * forgets them after the retention.
 *
 * <p>Keys of requests whose outcome is in doubt (the server answered 503 while the commit may still have gone
 * through) are looked up in the topic again before a retry is let through.
 */
public final class IdempotencyStore {
    private static final Logger LOG = LoggerFactory.getLogger(IdempotencyStore.class);
    private static final ObjectMapper JSON = new ObjectMapper();

    /** A stored response: its status code, JSON body, the hash of the request's records and when it is forgotten. */
    public record Response(int status, String body, String requestHash, long expiresAtMillis) {}

    private final String bootstrapServers;
    private final Properties clientProperties;
    private final String topic;
    private final Duration retention;
    private final Clock clock;
    private final Map<String, Response> responses = new ConcurrentHashMap<>();
    private final Set<String> inFlight = ConcurrentHashMap.newKeySet();
    private final Set<String> inDoubt = ConcurrentHashMap.newKeySet();
    private volatile long lastPruneMillis;

    public IdempotencyStore(String bootstrapServers, Properties clientProperties, String topic, Duration retention, Clock clock) {
        this.bootstrapServers = bootstrapServers;
        this.clientProperties = clientProperties;
        this.topic = topic;
        this.retention = retention;
        this.clock = clock;
    }

    /** Reads every stored response from the topic, within {@code timeout}. */
    public void load(Duration timeout) {
        int before = responses.size();
        readTopic(timeout);
        LOG.info("Read {} idempotency key(s) from {}.", responses.size() - before, topic);
    }

    private synchronized void readTopic(Duration timeout) {
        Properties p = new Properties();
        p.putAll(clientProperties);
        p.setProperty("bootstrap.servers", bootstrapServers);
        p.setProperty("isolation.level", "read_committed");
        p.setProperty("enable.auto.commit", "false");
        p.setProperty("default.api.timeout.ms", String.valueOf(timeout.toMillis()));
        p.setProperty("request.timeout.ms", String.valueOf(Math.max(1000, timeout.toMillis())));
        long deadline = System.nanoTime() + timeout.toNanos();
        try (KafkaConsumer<byte[], byte[]> consumer = new KafkaConsumer<>(p, new ByteArrayDeserializer(), new ByteArrayDeserializer())) {
            List<TopicPartition> partitions = new ArrayList<>();
            for (PartitionInfo info : consumer.partitionsFor(topic, timeout)) {
                partitions.add(new TopicPartition(topic, info.partition()));
            }
            consumer.assign(partitions);
            consumer.seekToBeginning(partitions);
            Map<TopicPartition, Long> ends = highWatermarks(partitions, timeout);
            while (true) {
                boolean done = true;
                for (TopicPartition tp : partitions) {
                    if (consumer.position(tp, timeout) < ends.get(tp)) {
                        done = false;
                    }
                }
                if (done) {
                    return;
                }
                if (System.nanoTime() > deadline) {
                    throw new SluiceException("Cannot read the idempotency topic " + topic + " to its end within " + timeout.toMillis()
                            + " ms: a transaction that wrote to it is still open; it ends (commits or aborts) within"
                            + " transaction.timeout.ms");
                }
                for (ConsumerRecord<byte[], byte[]> r : consumer.poll(Duration.ofMillis(100))) {
                    apply(r);
                }
            }
        } catch (org.apache.kafka.common.KafkaException e) {
            throw new SluiceException("Cannot read the idempotency topic " + topic + ": " + e.getMessage(), e);
        }
    }

    /**
     * The end of each partition including records of transactions still open (the high watermark). A
     * {@code read_committed} consumer's own {@code endOffsets} is the last stable offset, which stops before the first
     * open transaction: reading only that far would miss the response of a request whose commit is still under way (a
     * request that timed out with a 503 while its commit reached the broker), and its retry would write the records a
     * second time. Reading to the high watermark with {@code read_committed} waits until every transaction that had
     * written to the topic before the look-up has committed or aborted.
     */
    private Map<TopicPartition, Long> highWatermarks(List<TopicPartition> partitions, Duration timeout) {
        Properties p = new Properties();
        p.putAll(clientProperties);
        p.setProperty("bootstrap.servers", bootstrapServers);
        p.setProperty("isolation.level", "read_uncommitted");
        p.setProperty("enable.auto.commit", "false");
        p.setProperty("default.api.timeout.ms", String.valueOf(timeout.toMillis()));
        p.setProperty("request.timeout.ms", String.valueOf(Math.max(1000, timeout.toMillis())));
        try (KafkaConsumer<byte[], byte[]> consumer = new KafkaConsumer<>(p, new ByteArrayDeserializer(), new ByteArrayDeserializer())) {
            return consumer.endOffsets(partitions, timeout);
        }
    }

    private void apply(ConsumerRecord<byte[], byte[]> r) {
        String key = new String(r.key(), StandardCharsets.UTF_8);
        if (r.value() == null) {
            responses.remove(key);
            return;
        }
        try {
            JsonNode v = JSON.readTree(r.value());
            Response response = new Response(v.get("status").asInt(), v.get("body").asText(), v.get("request_hash").asText(),
                    v.get("expires_at").asLong());
            if (response.expiresAtMillis() > clock.millis()) {
                responses.put(key, response);
            }
        } catch (IOException | RuntimeException e) {
            LOG.warn("Skipping an unreadable record at {}/{}@{} of the idempotency topic: {}", r.topic(), r.partition(), r.offset(),
                    e.toString());
        }
    }

    /**
     * The stored response of {@code key}, if any. For a key in doubt the topic is read again first (within
     * {@code timeout}), so that a commit that went through after a 503 is found.
     */
    public Optional<Response> find(String key, Duration timeout) {
        if (inDoubt.contains(key)) {
            readTopic(timeout);
            inDoubt.remove(key);
        }
        Response r = responses.get(key);
        if (r != null && r.expiresAtMillis() <= clock.millis()) {
            responses.remove(key, r);
            return Optional.empty();
        }
        return Optional.ofNullable(r);
    }

    /** Claims {@code key} for one request; false when another request with the same key is in progress. */
    public boolean begin(String key) {
        return inFlight.add(key);
    }

    /** Ends the claim of {@code begin}. */
    public void end(String key) {
        inFlight.remove(key);
    }

    /** The response to remember, as the record to write in the request's transaction. */
    public Response response(int status, String body, String requestHash) {
        return new Response(status, body, requestHash, clock.millis() + retention.toMillis());
    }

    public ProducerRecord<byte[], byte[]> record(String key, Response response) {
        ObjectNode v = JSON.createObjectNode();
        v.put("status", response.status());
        v.put("body", response.body());
        v.put("request_hash", response.requestHash());
        v.put("expires_at", response.expiresAtMillis());
        return new ProducerRecord<>(topic, key.getBytes(StandardCharsets.UTF_8), v.toString().getBytes(StandardCharsets.UTF_8));
    }

    /** Remembers a response whose transaction has committed. */
    public void committed(String key, Response response) {
        responses.put(key, response);
        pruneNowAndThen();
    }

    /** The request with {@code key} failed in a way that may still have committed. */
    public void doubt(String key) {
        inDoubt.add(key);
    }

    public int size() {
        return responses.size();
    }

    private void pruneNowAndThen() {
        long now = clock.millis();
        if (now - lastPruneMillis > 60_000) {
            lastPruneMillis = now;
            responses.entrySet().removeIf(e -> e.getValue().expiresAtMillis() <= now);
        }
    }
}
