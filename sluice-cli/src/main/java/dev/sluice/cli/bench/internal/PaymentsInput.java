package dev.sluice.cli.bench.internal;

import dev.sluice.SluiceException;
import dev.sluice.ingest.EncodedEvent;
import dev.sluice.ingest.EventGenerator;
import dev.sluice.ingest.GeneratorRunner;
import dev.sluice.ingest.GeneratorSettings;
import dev.sluice.ingest.Imperfections;
import dev.sluice.ingest.Payment;
import dev.sluice.ingest.PaymentsGenerator;
import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.Properties;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import java.util.function.LongConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.serialization.ByteArraySerializer;

/**
 * The benchmark's input: valid payments from the {@link PaymentsGenerator} (no out-of-order, late, duplicate or
 * malformed records, so that the expected results are exact), each shown to the {@link Scenario} as it is sent, and
 * after the last one an end marker per partition whose event time is two minutes later, so that every window of the
 * input closes. Markers have amount 0.00 and card {@value #MARKER_CARD}; no scenario stores a row for them.
 */
public final class PaymentsInput {
    /** Event time covered per event when the input is loaded first: 20,000 payments per second of event time. */
    static final long PRELOAD_EVENTS_PER_SECOND_OF_EVENT_TIME = 20_000;
    static final String MARKER_CARD = "c-bench-end";
    private static final Duration MARKER_AHEAD = Duration.ofMinutes(2);

    private final String bootstrapServers;
    private final String topic;
    private final int partitions;
    private final Scenario scenario;
    private final long seed;
    private long lastEventTime = Long.MIN_VALUE;

    public PaymentsInput(String bootstrapServers, String topic, int partitions, Scenario scenario, long seed) {
        this.bootstrapServers = bootstrapServers;
        this.topic = topic;
        this.partitions = partitions;
        this.scenario = scenario;
        this.seed = seed;
    }

    /**
     * Sends {@code events} payments as fast as the broker takes them, then the end markers, and waits for all to be
     * acknowledged. Event times are 1/20,000 s apart and end five minutes before now.
     *
     * @param progress hears of the events sent so far, now and then
     */
    public void load(long events, LongConsumer progress) {
        long stepMicros = 1_000_000 / PRELOAD_EVENTS_PER_SECOND_OF_EVENT_TIME;
        long span = events * stepMicros / 1000;
        long startMillis = Instant.now().minus(Duration.ofMinutes(5)).toEpochMilli() - span;
        SteppingClock clock = new SteppingClock(startMillis * 1000, stepMicros);
        PaymentsGenerator generator = new PaymentsGenerator(seed, clock, Imperfections.none(), 0);
        try (KafkaProducer<byte[], byte[]> producer = new KafkaProducer<>(producerConfig())) {
            awaitLeaders(producer, java.util.List.of(topic));
            Future<RecordMetadata> last = null;
            for (long i = 0; i < events; i++) {
                Payment p = generator.next();
                accept(p);
                last = producer.send(new ProducerRecord<>(topic, p.cardId().getBytes(StandardCharsets.UTF_8),
                        p.toJson().getBytes(StandardCharsets.UTF_8)));
                if ((i & 0xFFFF) == 0) {
                    progress.accept(i);
                }
            }
            sendMarkers(producer);
            producer.flush();
            if (last != null) {
                last.get();
            }
            progress.accept(events);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new SluiceException("Interrupted while loading the benchmark input into topic '" + topic + "'", e);
        } catch (ExecutionException e) {
            throw new SluiceException("Loading the benchmark input into topic '" + topic + "' at " + bootstrapServers
                    + " failed: " + e.getCause().getMessage(), e.getCause());
        }
    }

    /**
     * Starts sending {@code events} payments at {@code eventsPerSecond}, stamped with the wall clock when generated; the
     * end markers follow with {@link #sendMarkers()} once the runner has completed.
     */
    public GeneratorRunner start(long events, double eventsPerSecond) {
        PaymentsGenerator generator = new PaymentsGenerator(seed, Clock.systemUTC(), Imperfections.none(), 0);
        EventGenerator recording = new EventGenerator() {
            @Override
            public String name() {
                return "payments";
            }

            @Override
            public EncodedEvent nextEvent() {
                Payment p = generator.next();
                accept(p);
                return new EncodedEvent(p.cardId().getBytes(StandardCharsets.UTF_8), p.toJson().getBytes(StandardCharsets.UTF_8));
            }
        };
        return GeneratorRunner.start(bootstrapServers, new Properties(),
                GeneratorSettings.to(topic).withEventsPerSecond(eventsPerSecond).withMaxEvents(events), recording);
    }

    /** Sends one end marker to every partition, two minutes of event time after the last payment, and waits for them. */
    public void sendMarkers() {
        try (KafkaProducer<byte[], byte[]> producer = new KafkaProducer<>(producerConfig())) {
            sendMarkers(producer);
            producer.flush();
        }
    }

    private void sendMarkers(KafkaProducer<byte[], byte[]> producer) {
        Instant at = Instant.ofEpochMilli(lastEventTime).plus(MARKER_AHEAD);
        for (int partition = 0; partition < partitions; partition++) {
            Payment marker = new Payment("p-bench-end-" + partition, MARKER_CARD, "m-bench-end", BigDecimal.ZERO, "EUR", "DE", at);
            producer.send(new ProducerRecord<>(topic, partition, MARKER_CARD.getBytes(StandardCharsets.UTF_8),
                    marker.toJson().getBytes(StandardCharsets.UTF_8)));
        }
    }

    /**
     * Waits until every partition of {@code topics} has a leader: an idempotent producer whose first batches meet a
     * partition without one can end up retrying forever with an out-of-order sequence number.
     */
    static void awaitLeaders(KafkaProducer<byte[], byte[]> producer, java.util.List<String> topics) {
        long deadline = System.nanoTime() + Duration.ofMinutes(1).toNanos();
        for (String t : topics) {
            while (producer.partitionsFor(t).stream().anyMatch(p -> p.leader() == null || p.leader().isEmpty())) {
                if (System.nanoTime() > deadline) {
                    throw new SluiceException("Topic '" + t + "' has partitions without a leader after a minute");
                }
                try {
                    Thread.sleep(100);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw new SluiceException("Interrupted while waiting for the leaders of topic '" + t + "'", e);
                }
            }
        }
    }

    private void accept(Payment p) {
        scenario.accept(p);
        lastEventTime = Math.max(lastEventTime, p.eventTime().toEpochMilli());
    }

    private Properties producerConfig() {
        Properties config = new Properties();
        config.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
        config.put(ProducerConfig.CLIENT_ID_CONFIG, "sluice-bench-loader");
        config.put(ProducerConfig.ACKS_CONFIG, "all");
        config.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, "true");
        config.put(ProducerConfig.COMPRESSION_TYPE_CONFIG, "lz4");
        config.put(ProducerConfig.LINGER_MS_CONFIG, "5");
        config.put(ProducerConfig.BATCH_SIZE_CONFIG, Integer.toString(256 * 1024));
        // A busy machine must slow loading down, not fail it.
        config.put(ProducerConfig.REQUEST_TIMEOUT_MS_CONFIG, "120000");
        config.put(ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG, "600000");
        // One request in flight per partition: a retried first batch can never land behind a later one.
        config.put(ProducerConfig.MAX_IN_FLIGHT_REQUESTS_PER_CONNECTION, "1");
        config.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class.getName());
        config.put(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class.getName());
        return config;
    }

    /** A clock that moves a fixed step forward at every reading: the generator reads it once per payment. */
    private static final class SteppingClock extends Clock {
        private final long stepMicros;
        private long micros;

        SteppingClock(long startMicros, long stepMicros) {
            this.micros = startMicros;
            this.stepMicros = stepMicros;
        }

        @Override
        public ZoneId getZone() {
            return ZoneOffset.UTC;
        }

        @Override
        public Clock withZone(ZoneId zone) {
            throw new UnsupportedOperationException("The benchmark's stepping clock is UTC only");
        }

        @Override
        public Instant instant() {
            long now = micros;
            micros += stepMicros;
            return Instant.ofEpochSecond(now / 1_000_000, (now % 1_000_000) * 1000);
        }
    }
}
