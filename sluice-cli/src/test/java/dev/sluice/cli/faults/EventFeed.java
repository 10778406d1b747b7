package dev.sluice.cli.faults;

import java.time.Duration;
import java.util.Properties;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.StringSerializer;

/**
 * Sends a {@link Workload} to the source topic at a steady rate from its own thread, as a producer outside Sluice
 * would, until {@link #finish} ends the stream: idempotent, {@code acks=all}, and patient enough (a 10-minute delivery timeout) to ride out a broker that is
 * restarted or a Sluice process that is killed, so that every record is acknowledged exactly once. Every record is
 * given to the {@link Oracle} when it is sent; {@link #finish} fails the test if any send failed.
 */
final class EventFeed implements AutoCloseable {
    private final KafkaProducer<String, String> producer;
    private final FaultPipeline pipeline;
    private final Workload workload;
    private final Oracle oracle;
    private final double eventsPerSecond;
    private final AtomicLong acknowledged = new AtomicLong();
    private final AtomicReference<Exception> failure = new AtomicReference<>();
    private final Thread thread;
    private volatile boolean stop;

    EventFeed(String bootstrap, FaultPipeline pipeline, Workload workload, Oracle oracle, double eventsPerSecond) {
        this(bootstrap, new Properties(), pipeline, workload, oracle, eventsPerSecond);
    }

    /** With client settings such as SASL and TLS ones. */
    EventFeed(String bootstrap, Properties client, FaultPipeline pipeline, Workload workload, Oracle oracle, double eventsPerSecond) {
        Properties p = new Properties();
        p.putAll(client);
        p.setProperty(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        p.setProperty(ProducerConfig.ACKS_CONFIG, "all");
        p.setProperty(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, "true");
        p.setProperty(ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG, Long.toString(Duration.ofMinutes(10).toMillis()));
        p.setProperty(ProducerConfig.REQUEST_TIMEOUT_MS_CONFIG, "10000");
        p.setProperty(ProducerConfig.MAX_BLOCK_MS_CONFIG, Long.toString(Duration.ofMinutes(5).toMillis()));
        p.setProperty(ProducerConfig.RECONNECT_BACKOFF_MAX_MS_CONFIG, "500");
        p.setProperty(ProducerConfig.LINGER_MS_CONFIG, "5");
        p.setProperty(ProducerConfig.COMPRESSION_TYPE_CONFIG, "lz4");
        this.producer = new KafkaProducer<>(p, new StringSerializer(), new StringSerializer());
        this.pipeline = pipeline;
        this.workload = workload;
        this.oracle = oracle;
        this.eventsPerSecond = eventsPerSecond;
        this.thread = new Thread(this::run, "fault-event-feed");
    }

    EventFeed start() {
        thread.start();
        return this;
    }

    private void run() {
        long started = System.nanoTime();
        long sent = 0;
        try {
            while (workload.hasNext() && !stop && failure.get() == null) {
                Workload.Record r = workload.next();
                if (r.event() == null) {
                    oracle.sentMalformed();
                } else {
                    oracle.sentInWindow(r.event());
                }
                producer.send(new ProducerRecord<>(pipeline.topic(), r.key(), r.json()), this::acked);
                sent++;
                if (eventsPerSecond > 0 && sent % 100 == 0) {
                    long due = started + (long) (sent / eventsPerSecond * 1e9);
                    long wait = due - System.nanoTime();
                    if (wait > 0) {
                        Thread.sleep(wait / 1_000_000, (int) (wait % 1_000_000));
                    }
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (RuntimeException e) {
            failure.compareAndSet(null, e);
        }
    }

    private void acked(org.apache.kafka.clients.producer.RecordMetadata m, Exception e) {
        if (e != null) {
            failure.compareAndSet(null, e);
        } else {
            acknowledged.incrementAndGet();
        }
    }

    /** Records acknowledged by the broker so far (valid and malformed). */
    long acknowledged() {
        return acknowledged.get();
    }

    /** True while the stream is still being sent: the workload has events left and {@link #finish} was not called. */
    boolean streaming() {
        return thread.isAlive();
    }

    /**
     * Ends the stream (the workload stops where it is, or earlier if it was sent completely), then sends one flush event
     * to each partition (explicitly) and waits until the broker acknowledged every record.
     */
    void finish(Duration timeout) throws InterruptedException {
        stop = true;
        thread.join(timeout.toMillis());
        if (thread.isAlive()) {
            throw new AssertionError("The event feed did not stop within " + timeout + "; sent " + workload.validProduced());
        }
        for (Workload.Event e : workload.flushEvents(pipeline.partitions(), pipeline.window().toMillis())) {
            oracle.sent(e);
            producer.send(new ProducerRecord<>(pipeline.topic(), Integer.parseInt(e.key().substring(1)) - 900, e.key(), Workload.json(e)), this::acked);
        }
        producer.flush();
        if (failure.get() != null) {
            throw new AssertionError("The event feed failed to send a record: " + failure.get(), failure.get());
        }
        long expected = workload.validProduced() + workload.malformedProduced() + pipeline.partitions();
        if (acknowledged.get() != expected) {
            throw new AssertionError("The broker acknowledged " + acknowledged.get() + " records, expected " + expected);
        }
    }

    @Override
    public void close() {
        stop = true;
        try {
            thread.join(10_000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        producer.close(Duration.ofSeconds(10));
    }
}
