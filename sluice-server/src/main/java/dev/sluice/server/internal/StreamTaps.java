package dev.sluice.server.internal;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.sluice.SluiceException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.WakeupException;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Live taps on Kafka topics for the Streams page: each tap is one Kafka consumer on its own thread that starts at the
 * end of every partition of one topic and hands each new record to a {@link Listener} as JSON. It reads
 * {@code read_uncommitted}, so it shows records of transactions that are not committed yet (and may never be), and
 * says so in its first event. What reaches the browser is bounded: at most {@code maxRecordsPerSecond} records a
 * second (the rest are counted as skipped) and at most {@code maxValueBytes} of a key or value. At most
 * {@code maxTaps} taps run at once; each stops when its listener is gone or the taps are closed.
 */
public final class StreamTaps implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(StreamTaps.class);
    private static final Duration POLL = Duration.ofMillis(200);
    private static final long HEARTBEAT_NANOS = Duration.ofSeconds(5).toNanos();
    private static final long SECOND_NANOS = Duration.ofSeconds(1).toNanos();

    private final Properties consumerProperties;
    private final int maxTaps;
    private final int maxRecordsPerSecond;
    private final int maxValueBytes;
    private final ObjectMapper mapper = new ObjectMapper();
    private final Set<Tap> open = ConcurrentHashMap.newKeySet();
    private final AtomicInteger counter = new AtomicInteger();

    /** Where a tap sends its events; a send to a listener that has gone away returns false, and the tap stops. */
    public interface Listener {
        boolean send(String event, String json);

        boolean ping();
    }

    /** Refused because {@code maxTaps} taps are open. */
    public static final class TooManyTapsException extends SluiceException {
        private static final long serialVersionUID = 1L;

        TooManyTapsException(String message) {
            super(message);
        }
    }

    /**
     * @param consumerProperties bootstrap servers and security settings for the taps' consumers
     */
    public StreamTaps(Properties consumerProperties, int maxTaps, int maxRecordsPerSecond, int maxValueBytes) {
        this.consumerProperties = new Properties();
        this.consumerProperties.putAll(consumerProperties);
        this.maxTaps = maxTaps;
        this.maxRecordsPerSecond = maxRecordsPerSecond;
        this.maxValueBytes = maxValueBytes;
    }

    /** Taps open now. */
    public int openTaps() {
        return open.size();
    }

    /**
     * Starts a tap on {@code topic}.
     *
     * @throws TooManyTapsException when {@code maxTaps} taps are open already
     */
    public synchronized AutoCloseable open(String topic, Listener listener) {
        if (open.size() >= maxTaps) {
            throw new TooManyTapsException("there are " + open.size() + " stream taps open, the most this server allows ("
                    + maxTaps + "); close a Streams page and try again");
        }
        Tap tap = new Tap(topic, listener);
        open.add(tap);
        Thread thread = new Thread(tap::run, "sluice-tap-" + counter.incrementAndGet());
        thread.setDaemon(true);
        tap.thread = thread;
        thread.start();
        return tap::close;
    }

    @Override
    public void close() {
        for (Tap tap : new ArrayList<>(open)) {
            tap.close();
        }
    }

    /** A key or value as text for the browser: UTF-8, cut to {@code max} bytes. */
    static String text(byte[] bytes, int max) {
        if (bytes == null) {
            return null;
        }
        int n = Math.min(bytes.length, max);
        // Do not cut a UTF-8 sequence in half.
        while (n < bytes.length && n > 0 && (bytes[n] & 0xC0) == 0x80) {
            n--;
        }
        return new String(bytes, 0, n, StandardCharsets.UTF_8);
    }

    private final class Tap {
        final String topic;
        final Listener listener;
        volatile boolean closed;
        volatile KafkaConsumer<byte[], byte[]> consumer;
        Thread thread;

        Tap(String topic, Listener listener) {
            this.topic = topic;
            this.listener = listener;
        }

        void run() {
            Properties props = new Properties();
            props.putAll(consumerProperties);
            props.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class.getName());
            props.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class.getName());
            props.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_uncommitted");
            props.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
            props.put(ConsumerConfig.CLIENT_ID_CONFIG, Thread.currentThread().getName());
            props.remove(ConsumerConfig.GROUP_ID_CONFIG);
            try (KafkaConsumer<byte[], byte[]> c = new KafkaConsumer<>(props)) {
                consumer = c;
                if (closed) {
                    return;
                }
                List<TopicPartition> partitions = new ArrayList<>();
                for (PartitionInfo info : c.partitionsFor(topic, Duration.ofSeconds(10))) {
                    partitions.add(new TopicPartition(topic, info.partition()));
                }
                c.assign(partitions);
                c.seekToEnd(partitions);
                partitions.forEach(c::position);
                ObjectNode ready = mapper.createObjectNode();
                ready.put("topic", topic);
                ready.put("partitions", partitions.size());
                ready.put("isolation", "read_uncommitted");
                ready.put("maxRecordsPerSecond", maxRecordsPerSecond);
                ready.put("maxValueBytes", maxValueBytes);
                if (!listener.send("ready", mapper.writeValueAsString(ready))) {
                    return;
                }
                long windowStart = System.nanoTime();
                long lastSent = windowStart;
                int sentInWindow = 0;
                long skipped = 0;
                while (!closed) {
                    for (ConsumerRecord<byte[], byte[]> r : c.poll(POLL)) {
                        long now = System.nanoTime();
                        if (now - windowStart >= SECOND_NANOS) {
                            windowStart = now;
                            sentInWindow = 0;
                        }
                        if (sentInWindow >= maxRecordsPerSecond) {
                            skipped++;
                            continue;
                        }
                        sentInWindow++;
                        if (!listener.send("record", json(r))) {
                            return;
                        }
                        lastSent = now;
                    }
                    long now = System.nanoTime();
                    if (skipped > 0 && now - windowStart >= SECOND_NANOS) {
                        if (!listener.send("skipped", "{\"records\":" + skipped + "}")) {
                            return;
                        }
                        skipped = 0;
                        lastSent = now;
                    }
                    if (now - lastSent >= HEARTBEAT_NANOS) {
                        if (!listener.ping()) {
                            return;
                        }
                        lastSent = now;
                    }
                }
            } catch (WakeupException e) {
                // close() woke the consumer up.
            } catch (Exception e) {
                if (!closed) {
                    LOG.warn("The stream tap on topic '{}' failed: {}", topic, e.toString());
                    listener.send("failed", "{\"detail\":" + quote(e.getMessage()) + "}");
                }
            } finally {
                open.remove(this);
            }
        }

        String json(ConsumerRecord<byte[], byte[]> r) throws Exception {
            ObjectNode node = mapper.createObjectNode();
            node.put("partition", r.partition());
            node.put("offset", r.offset());
            node.put("timestamp", r.timestamp());
            node.put("key", text(r.key(), maxValueBytes));
            node.put("value", text(r.value(), maxValueBytes));
            node.put("truncated", (r.key() != null && r.key().length > maxValueBytes)
                    || (r.value() != null && r.value().length > maxValueBytes));
            return mapper.writeValueAsString(node);
        }

        String quote(String s) {
            try {
                return mapper.writeValueAsString(String.valueOf(s));
            } catch (Exception e) {
                return "\"\"";
            }
        }

        void close() {
            closed = true;
            KafkaConsumer<byte[], byte[]> c = consumer;
            if (c != null) {
                try {
                    c.wakeup();
                } catch (RuntimeException e) {
                    LOG.debug("Waking up the consumer of a closed tap on '{}' failed: {}", topic, e.toString());
                }
            }
            open.remove(this);
        }
    }
}
