package dev.sluice.ingest;

import dev.sluice.SluiceException;
import dev.sluice.ingest.internal.RatePacer;
import java.time.Duration;
import java.util.Objects;
import java.util.Optional;
import java.util.Properties;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.BooleanSupplier;
import org.apache.kafka.clients.producer.Callback;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.errors.InterruptException;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Sends an {@link EventGenerator}'s events to a Kafka topic at a steady rate, from one thread it owns
 * ({@code sluice-generator-<name>}), until closed or until a configured number of events has gone out.
 *
 * <p>Why a component of its own: the demo and benchmarks need a producer that holds a rate for hours without
 * drifting, survives a slow broker without bursting afterwards, reports what it did, and shuts down cleanly. The
 * pace is kept against the start time by {@link RatePacer}, sending a small batch per tick (about every
 * millisecond) rather than sleeping per event; after a stall it catches up at most one second worth of events.
 *
 * <p>The producer is durable and ordered by default: {@code acks=all}, idempotence on, lz4 compression,
 * {@code linger.ms=5}, {@code batch.size=64KB}. Extra producer properties (security settings such as
 * {@code security.protocol} and SASL/TLS options, or tuning) are applied on top; the bootstrap servers argument
 * and the byte-array serializers always win. Records are keyed by the generator's key (the card id for
 * payments), so one key's events stay in order on one partition; an empty key is sent as no key.
 *
 * <pre>{@code
 * try (GeneratorRunner runner = GeneratorRunner.start(
 *         "localhost:9092", new Properties(), "payments", 1_000, new PaymentsGenerator(42, Clock.systemUTC()))) {
 *     // ... runs in the background; runner.sent() and runner.errors() report progress
 * }
 * }</pre>
 */
public final class GeneratorRunner implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(GeneratorRunner.class);

    /** How long {@link #close()} may take: stopping the thread, flushing and closing the producer. */
    public static final Duration DEFAULT_CLOSE_TIMEOUT = Duration.ofSeconds(10);
    /** Most events sent between two checks of the clock and of a stop request. */
    static final int MAX_BATCH = 1_000;
    /** Shortest wait between ticks, so high rates send batches instead of waking up for every event. */
    static final long MIN_TICK_NANOS = TimeUnit.MILLISECONDS.toNanos(1);
    private static final Duration PAUSE_CHECK = Duration.ofMillis(100);
    private static final long WARN_INTERVAL_NANOS = TimeUnit.SECONDS.toNanos(10);

    private final Producer<byte[], byte[]> producer;
    private final GeneratorSettings settings;
    private final EventGenerator generator;
    private final Thread thread;
    private final Callback callback = this::onCompletion;
    private final CountDownLatch stopRequested = new CountDownLatch(1);
    private final CountDownLatch finished = new CountDownLatch(1);
    private final AtomicBoolean closed = new AtomicBoolean();
    private final AtomicLong sent = new AtomicLong();
    private final AtomicLong errors = new AtomicLong();
    private final AtomicReference<Throwable> lastError = new AtomicReference<>();
    private volatile BooleanSupplier admitted = () -> true;
    private final AtomicLong lastWarnNanos = new AtomicLong(System.nanoTime() - WARN_INTERVAL_NANOS);

    private GeneratorRunner(Producer<byte[], byte[]> producer, GeneratorSettings settings, EventGenerator generator) {
        this.producer = producer;
        this.settings = settings;
        this.generator = generator;
        this.thread = new Thread(this::run, "sluice-generator-" + generator.name());
    }

    /**
     * Starts sending {@code generator}'s events to {@code topic} at {@code eventsPerSecond} ({@code 0} = as fast as
     * possible) until closed.
     *
     * @param bootstrapServers   Kafka bootstrap servers, {@code host:port[,host:port...]}
     * @param producerProperties extra producer settings applied over the defaults, e.g. security; may be empty
     */
    public static GeneratorRunner start(
            String bootstrapServers,
            Properties producerProperties,
            String topic,
            double eventsPerSecond,
            EventGenerator generator) {
        return start(bootstrapServers, producerProperties,
                GeneratorSettings.to(topic).withEventsPerSecond(eventsPerSecond), generator);
    }

    /** Starts sending as {@code settings} say, until closed or {@link GeneratorSettings#maxEvents()} are out. */
    public static GeneratorRunner start(
            String bootstrapServers,
            Properties producerProperties,
            GeneratorSettings settings,
            EventGenerator generator) {
        Objects.requireNonNull(settings, "settings");
        Objects.requireNonNull(generator, "generator");
        Properties config = producerConfig(bootstrapServers, producerProperties, "sluice-generator-" + generator.name());
        KafkaProducer<byte[], byte[]> producer;
        try {
            producer = new KafkaProducer<>(config);
        } catch (KafkaException e) {
            throw new SluiceException("Cannot create the Kafka producer of the " + generator.name()
                    + " generator for bootstrap servers " + bootstrapServers + ": " + e.getMessage()
                    + ". Check the producer properties passed to the generator.", e);
        }
        LOG.info("Starting the {} generator: topic {}, {} events/s, limit {}, bootstrap servers {}.",
                generator.name(), settings.topic(), rateText(settings.eventsPerSecond()), limitText(settings.maxEvents()),
                bootstrapServers);
        return start(producer, settings, generator);
    }

    /** Starts on a given producer, which the runner then owns and closes; for tests with a fake producer. */
    static GeneratorRunner start(Producer<byte[], byte[]> producer, GeneratorSettings settings, EventGenerator generator) {
        GeneratorRunner runner = new GeneratorRunner(producer, settings, generator);
        runner.thread.start();
        return runner;
    }

    /**
     * Sends only while {@code admitted} is true and pauses otherwise (checked every 100 ms), picking its rate up again
     * from the moment it resumes; the server passes whether its disk has room for new input.
     */
    public GeneratorRunner pauseUnless(BooleanSupplier admitted) {
        this.admitted = Objects.requireNonNull(admitted, "admitted");
        return this;
    }

    /** The producer configuration: Sluice's defaults, then {@code overrides}, then servers and serializers. */
    static Properties producerConfig(String bootstrapServers, Properties overrides, String clientId) {
        if (bootstrapServers == null || bootstrapServers.isBlank()) {
            throw new IllegalArgumentException("Generator bootstrap servers must be host:port[,host:port...], got '"
                    + bootstrapServers + "'");
        }
        Properties config = new Properties();
        config.put(ProducerConfig.CLIENT_ID_CONFIG, clientId);
        config.put(ProducerConfig.ACKS_CONFIG, "all");
        config.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, "true");
        config.put(ProducerConfig.COMPRESSION_TYPE_CONFIG, "lz4");
        config.put(ProducerConfig.LINGER_MS_CONFIG, "5");
        config.put(ProducerConfig.BATCH_SIZE_CONFIG, Integer.toString(64 * 1024));
        if (overrides != null) {
            for (String name : overrides.stringPropertyNames()) {
                config.put(name, overrides.getProperty(name));
            }
        }
        config.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
        config.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class.getName());
        config.put(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class.getName());
        return config;
    }

    /** Events the broker acknowledged. */
    public long sent() {
        return sent.get();
    }

    /** Events that failed to send, as reported by the producer. */
    public long errors() {
        return errors.get();
    }

    /**
     * The most recent send error, or the failure that stopped the runner early (for example an exception thrown by
     * the generator); empty if there was none.
     */
    public Optional<Throwable> lastError() {
        return Optional.ofNullable(lastError.get());
    }

    /** Whether the sending thread is still running. */
    public boolean running() {
        return finished.getCount() > 0;
    }

    /**
     * Waits until the sending thread has finished: the event limit was reached and every event acknowledged or
     * failed, or it was stopped. Returns whether it finished within {@code timeout}.
     */
    public boolean awaitCompletion(Duration timeout) throws InterruptedException {
        return finished.await(timeout.toNanos(), TimeUnit.NANOSECONDS);
    }

    /** Closes within {@link #DEFAULT_CLOSE_TIMEOUT}. */
    @Override
    public void close() {
        close(DEFAULT_CLOSE_TIMEOUT);
    }

    /**
     * Stops the sending thread, then flushes and closes the producer, all within about {@code timeout}. Events
     * not acknowledged by then are abandoned and counted as errors by the producer's callbacks. Idempotent.
     */
    public void close(Duration timeout) {
        if (!closed.compareAndSet(false, true)) {
            return;
        }
        long deadline = System.nanoTime() + timeout.toNanos();
        stopRequested.countDown();
        try {
            // The thread normally notices within a tick; it can only be slow if blocked inside the producer.
            if (!finished.await(timeout.toNanos() / 2, TimeUnit.NANOSECONDS)) {
                LOG.warn("The {} generator thread did not stop within {} ms; interrupting it.",
                        generator.name(), timeout.toMillis() / 2);
                thread.interrupt();
                finished.await(Math.max(0, deadline - System.nanoTime()) / 2, TimeUnit.NANOSECONDS);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            thread.interrupt();
        } finally {
            producer.close(Duration.ofNanos(Math.max(0, deadline - System.nanoTime())));
        }
        LOG.info("Stopped the {} generator: {} events sent to {}, {} errors.",
                generator.name(), sent.get(), settings.topic(), errors.get());
    }

    private void run() {
        RatePacer pacer = new RatePacer(settings.eventsPerSecond(), System.nanoTime());
        long remaining = settings.maxEvents();
        long skippedReported = 0;
        try {
            while (remaining > 0 && stopRequested.getCount() > 0) {
                if (!admitted.getAsBoolean()) {
                    if (stopRequested.await(PAUSE_CHECK.toMillis(), TimeUnit.MILLISECONDS)) {
                        break;
                    }
                    if (admitted.getAsBoolean()) {
                        LOG.info("The {} generator resumes after a pause of its input.", generator.name());
                        pacer = new RatePacer(settings.eventsPerSecond(), System.nanoTime());
                    }
                    continue;
                }
                long now = System.nanoTime();
                long due = pacer.due(now);
                if (due == 0) {
                    long wait = Math.max(MIN_TICK_NANOS, pacer.nanosUntilNextDue(now));
                    if (stopRequested.await(wait, TimeUnit.NANOSECONDS)) {
                        break;
                    }
                    continue;
                }
                int batch = (int) Math.min(Math.min(due, MAX_BATCH), remaining);
                for (int i = 0; i < batch; i++) {
                    send(generator.nextEvent());
                }
                pacer.record(batch);
                remaining -= batch;
                if (pacer.skipped() > skippedReported && warnDue()) {
                    LOG.warn("The {} generator fell behind its rate of {} events/s and skipped {} events so far to"
                            + " keep it; the machine or the broker cannot keep up.",
                            generator.name(), rateText(settings.eventsPerSecond()), pacer.skipped());
                    skippedReported = pacer.skipped();
                }
            }
            if (remaining == 0) {
                producer.flush();
                LOG.info("The {} generator reached its limit of {} events.", generator.name(), settings.maxEvents());
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (InterruptException e) {
            LOG.debug("The {} generator was interrupted inside the producer while stopping.", generator.name());
        } catch (RuntimeException e) {
            lastError.set(e);
            LOG.error("The {} generator stopped after {} events because of an unexpected error.",
                    generator.name(), sent.get(), e);
        } finally {
            finished.countDown();
        }
    }

    private void send(EncodedEvent event) {
        try {
            // An empty key means none, so that keyless records spread over the partitions.
            byte[] key = event.key().length == 0 ? null : event.key();
            producer.send(new ProducerRecord<>(settings.topic(), key, event.value()), callback);
        } catch (InterruptException e) {
            throw e;
        } catch (KafkaException e) {
            // The producer rejected the record before sending (too large, buffer full for too long, ...).
            onCompletion(null, e);
        }
    }

    private void onCompletion(RecordMetadata metadata, Exception exception) {
        if (exception == null) {
            sent.incrementAndGet();
            return;
        }
        long count = errors.incrementAndGet();
        lastError.set(exception);
        if (warnDue()) {
            LOG.warn("The {} generator could not send to topic {}: {} failed sends so far, the latest error follows.",
                    generator.name(), settings.topic(), count, exception);
        }
    }

    /** True at most once per {@link #WARN_INTERVAL_NANOS}, so a broken broker does not flood the log. */
    private boolean warnDue() {
        long now = System.nanoTime();
        long last = lastWarnNanos.get();
        return now - last >= WARN_INTERVAL_NANOS && lastWarnNanos.compareAndSet(last, now);
    }

    private static String rateText(double eventsPerSecond) {
        return eventsPerSecond == 0.0 ? "unlimited" : Double.toString(eventsPerSecond);
    }

    private static String limitText(long maxEvents) {
        return maxEvents == GeneratorSettings.UNLIMITED ? "none" : Long.toString(maxEvents);
    }
}
