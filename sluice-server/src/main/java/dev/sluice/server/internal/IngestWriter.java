package dev.sluice.server.internal;

import dev.sluice.server.IngestSettings;
import java.time.Duration;
import java.util.List;
import java.util.Properties;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Writes the accepted records of a request to their topic in one Kafka transaction, together with the request's
 * idempotency record when it has one, with {@code acks=all} and the idempotent producer: when {@link #write} returns,
 * every record is durable in the broker and visible to {@code read_committed} readers (the Flink job); when it throws,
 * none is visible (the transaction is aborted, or fenced by the next one) unless the commit reached the broker just as
 * the deadline passed, which is why a failed request with an {@code Idempotency-Key} is "in doubt" until the
 * idempotency topic says otherwise.
 *
 * <p>A fixed pool of transactional producers, each on a thread of its own, serves concurrent requests; a request
 * waits for a free one at most until its deadline. A producer that failed or timed out is closed and replaced on its
 * next use; the replacement's {@code initTransactions} ends whatever transaction the old one left open.
 */
public final class IngestWriter implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(IngestWriter.class);

    /** The broker did not acknowledge in time, or cannot be reached. */
    public static final class Unavailable extends Exception {
        private static final long serialVersionUID = 1L;

        Unavailable(String message, Throwable cause) {
            super(message, cause);
        }
    }

    private final class Slot {
        final int index;
        final ExecutorService thread;
        KafkaProducer<byte[], byte[]> producer;

        Slot(int index) {
            this.index = index;
            this.thread = Executors.newSingleThreadExecutor(r -> {
                Thread t = new Thread(r, "sluice-ingest-producer-" + index);
                t.setDaemon(true);
                return t;
            });
        }

        void reset() {
            if (producer != null) {
                try {
                    producer.close(Duration.ZERO);
                } catch (RuntimeException e) {
                    LOG.debug("Closing ingest producer {} failed: {}", index, e.toString());
                }
                producer = null;
            }
        }
    }

    private final Properties config;
    private final String transactionalIdPrefix;
    private final IngestSettings settings;
    private final BlockingQueue<Slot> free;
    private final List<Slot> slots;

    public IngestWriter(String bootstrapServers, Properties clientProperties, String transactionalIdPrefix, IngestSettings settings) {
        this.transactionalIdPrefix = transactionalIdPrefix;
        this.settings = settings;
        long timeoutMs = settings.timeout().toMillis();
        config = new Properties();
        config.putAll(clientProperties);
        config.setProperty("bootstrap.servers", bootstrapServers);
        config.setProperty("acks", "all");
        config.setProperty("enable.idempotence", "true");
        config.setProperty("compression.type", "lz4");
        config.setProperty("linger.ms", "0");
        config.setProperty("batch.size", String.valueOf(256 * 1024));
        config.setProperty("max.block.ms", String.valueOf(timeoutMs));
        config.setProperty("request.timeout.ms", String.valueOf(timeoutMs));
        config.setProperty("delivery.timeout.ms", String.valueOf(2 * timeoutMs));
        // An open transaction holds back read_committed readers; one the server could not finish must end soon.
        config.setProperty("transaction.timeout.ms", String.valueOf(transactionTimeout(settings).toMillis()));
        config.setProperty("reconnect.backoff.max.ms", "1000");
        free = new ArrayBlockingQueue<>(settings.producers());
        List<Slot> all = new java.util.ArrayList<>();
        for (int i = 0; i < settings.producers(); i++) {
            Slot slot = new Slot(i);
            all.add(slot);
            free.add(slot);
        }
        slots = List.copyOf(all);
    }

    /**
     * How long a transaction of these producers may stay open before the broker aborts it: three times
     * {@code ingest.timeout}, at least 10 s. A transaction left open by a producer that timed out, or by a server that
     * crashed, ends within this (plus the broker's check interval for timed-out transactions, 10 s by default).
     */
    public static Duration transactionTimeout(IngestSettings settings) {
        return Duration.ofMillis(Math.max(10_000, 3 * settings.timeout().toMillis()));
    }

    /**
     * Writes {@code records} to {@code topic} (with the Kafka keys {@code keys}, one per record, when not null) and
     * {@code extra} (if not null) in one transaction, within the ingest timeout.
     *
     * @throws Unavailable when that did not succeed within the timeout; nothing is visible then, barring the race above
     */
    public void write(String topic, List<byte[]> records, List<byte[]> keys, ProducerRecord<byte[], byte[]> extra) throws Unavailable {
        long deadline = System.nanoTime() + settings.timeout().toNanos();
        Slot slot;
        try {
            slot = free.poll(settings.timeout().toNanos(), TimeUnit.NANOSECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new Unavailable("interrupted while waiting for an ingest producer", e);
        }
        if (slot == null) {
            throw new Unavailable("all " + settings.producers() + " ingest producers stayed busy for ingest.timeout ("
                    + settings.timeout().toMillis() + " ms)", null);
        }
        Future<?> done;
        java.util.concurrent.atomic.AtomicBoolean claimed = new java.util.concurrent.atomic.AtomicBoolean();
        try {
            done = slot.thread.submit(() -> {
                if (!claimed.compareAndSet(false, true)) {
                    return; // the request gave up before this started; it has put the slot back
                }
                try {
                    send(slot, topic, records, keys, extra);
                } catch (RuntimeException e) {
                    slot.reset();
                    throw e;
                } finally {
                    free.add(slot);
                }
            });
        } catch (java.util.concurrent.RejectedExecutionException e) {
            free.add(slot);
            throw new Unavailable("the ingest producers are shut down", e);
        }
        try {
            done.get(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
        } catch (TimeoutException e) {
            if (claimed.compareAndSet(false, true)) {
                free.add(slot);
            } else {
                // Interrupting the producer's call makes it give up; the slot then replaces its producer.
                done.cancel(true);
            }
            throw new Unavailable("the Kafka broker did not acknowledge the records within ingest.timeout ("
                    + settings.timeout().toMillis() + " ms)", e);
        } catch (ExecutionException e) {
            throw new Unavailable("the Kafka broker did not take the records: " + e.getCause(), e.getCause());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            if (claimed.compareAndSet(false, true)) {
                free.add(slot);
            } else {
                done.cancel(true);
            }
            throw new Unavailable("interrupted while writing to Kafka", e);
        }
    }

    private void send(Slot slot, String topic, List<byte[]> records, List<byte[]> keys, ProducerRecord<byte[], byte[]> extra) {
        if (slot.producer == null) {
            Properties p = new Properties();
            p.putAll(config);
            p.setProperty("transactional.id", transactionalIdPrefix + "-" + slot.index);
            p.setProperty("client.id", transactionalIdPrefix + "-" + slot.index);
            KafkaProducer<byte[], byte[]> producer = new KafkaProducer<>(p, new ByteArraySerializer(), new ByteArraySerializer());
            slot.producer = producer;
            producer.initTransactions();
        }
        KafkaProducer<byte[], byte[]> producer = slot.producer;
        producer.beginTransaction();
        for (int i = 0; i < records.size(); i++) {
            producer.send(new ProducerRecord<>(topic, keys == null ? null : keys.get(i), records.get(i)));
        }
        if (extra != null) {
            producer.send(extra);
        }
        producer.commitTransaction();
    }

    @Override
    public void close() {
        for (Slot slot : slots) {
            slot.thread.shutdownNow();
        }
        for (Slot slot : slots) {
            try {
                if (!slot.thread.awaitTermination(settings.timeout().toMillis() + 1000, TimeUnit.MILLISECONDS)) {
                    LOG.warn("Ingest producer {} did not stop in time.", slot.index);
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            slot.reset();
        }
    }
}
