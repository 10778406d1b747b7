package dev.sluice.cli.bench.internal;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import dev.sluice.SluiceException;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Properties;
import java.util.SplittableRandom;
import java.util.function.LongConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;

/**
 * A Nexmark-shaped auction stream as JSON in three topics ({@code person}, {@code auction}, {@code bid}), in event-time
 * order with Nexmark's proportions (of every 50 events, 1 person, 3 auctions, 46 bids), 1/20,000 s of event time apart.
 * Bids go to recent auctions (hot ones more often) by recent persons; auctions are sold by recent persons. After the last
 * event, each partition of each topic gets an end marker (ids -1) two minutes of event time later, so that every window
 * closes; the scenarios leave rows with id -1 out of the comparison.
 */
public final class NexmarkInput {
    public static final List<String> TOPICS = List.of("person", "auction", "bid");
    static final long FIRST_ID = 1000;
    static final long MARKER_ID = -1;
    private static final String[] STATES = {"AZ", "CA", "ID", "OR", "WA", "WY"};
    private static final String[] CITIES = {"Phoenix", "Los Angeles", "San Francisco", "Boise", "Portland", "Bend", "Redmond",
        "Seattle", "Kent", "Cheyenne"};
    private static final String[] FIRST = {"Peter", "Paul", "Luke", "John", "Saul", "Vicky", "Kate", "Julie", "Sarah", "Deiter"};
    private static final String[] LAST = {"Shultz", "Abrams", "Spencer", "White", "Bartels", "Walton", "Smith", "Jones", "Noris"};
    private static final String[] CHANNELS = {"Google", "Facebook", "Baidu", "Apple"};
    private static final long STEP_MICROS = 1_000_000 / PaymentsInput.PRELOAD_EVENTS_PER_SECOND_OF_EVENT_TIME;

    private final String bootstrapServers;
    private final int partitions;
    private final long seed;
    private final JsonFactory json = new JsonFactory();

    public NexmarkInput(String bootstrapServers, int partitions, long seed) {
        this.bootstrapServers = bootstrapServers;
        this.partitions = partitions;
        this.seed = seed;
    }

    /** Sends {@code events} events over the three topics, then the end markers, and waits for all to be acknowledged. */
    public void load(long events, LongConsumer progress) {
        SplittableRandom random = new SplittableRandom(seed);
        long startMicros = (Instant.now().minus(Duration.ofMinutes(5)).toEpochMilli() - events * STEP_MICROS / 1000) * 1000;
        long nextPerson = FIRST_ID;
        long nextAuction = FIRST_ID;
        long lastMillis = startMicros / 1000;
        try (KafkaProducer<byte[], byte[]> producer = new KafkaProducer<>(config())) {
            PaymentsInput.awaitLeaders(producer, TOPICS);
            for (long i = 0; i < events; i++) {
                long millis = (startMicros + i * STEP_MICROS) / 1000;
                lastMillis = millis;
                int slot = (int) (i % 50);
                if (slot == 0) {
                    long id = nextPerson++;
                    producer.send(new ProducerRecord<>("person", key(id), person(id, millis, random)));
                } else if (slot <= 3) {
                    long id = nextAuction++;
                    long seller = recent(random, FIRST_ID, nextPerson);
                    producer.send(new ProducerRecord<>("auction", key(id), auction(id, seller, millis, random)));
                } else {
                    long auction = random.nextInt(100) < 90 ? recent(random, FIRST_ID, nextAuction) : hot(nextAuction);
                    long bidder = recent(random, FIRST_ID, nextPerson);
                    producer.send(new ProducerRecord<>("bid", key(auction), bid(auction, bidder, millis, random)));
                }
                if ((i & 0xFFFF) == 0) {
                    progress.accept(i);
                }
            }
            long marker = lastMillis + Duration.ofMinutes(2).toMillis();
            for (int p = 0; p < partitions; p++) {
                producer.send(new ProducerRecord<>("person", p, key(MARKER_ID), person(MARKER_ID, marker, random)));
                producer.send(new ProducerRecord<>("auction", p, key(MARKER_ID), auction(MARKER_ID, MARKER_ID, marker, random)));
                producer.send(new ProducerRecord<>("bid", p, key(MARKER_ID), bid(MARKER_ID, MARKER_ID, marker, random)));
            }
            producer.flush();
            progress.accept(events);
        } catch (org.apache.kafka.common.KafkaException e) {
            throw new SluiceException("Loading the Nexmark input into " + TOPICS + " at " + bootstrapServers + " failed: "
                    + e.getMessage(), e);
        }
    }

    /** One of the last 20 ids below {@code next}, or the first when there are none yet. */
    private static long recent(SplittableRandom random, long first, long next) {
        if (next == first) {
            return first;
        }
        return Math.max(first, next - 1 - random.nextInt(20));
    }

    /** A "hot" auction: a multiple of 100 below the newest. */
    private static long hot(long next) {
        return Math.max(FIRST_ID, (next - 1) / 100 * 100);
    }

    private static byte[] key(long id) {
        return Long.toString(id).getBytes(java.nio.charset.StandardCharsets.UTF_8);
    }

    private byte[] person(long id, long millis, SplittableRandom r) {
        return write(g -> {
            g.writeNumberField("id", id);
            g.writeStringField("name", FIRST[r.nextInt(FIRST.length)] + " " + LAST[r.nextInt(LAST.length)]);
            g.writeStringField("email_address", "p" + id + "@example.com");
            g.writeStringField("credit_card", String.format("%04d %04d %04d %04d", r.nextInt(10_000), r.nextInt(10_000),
                    r.nextInt(10_000), r.nextInt(10_000)));
            g.writeStringField("city", CITIES[r.nextInt(CITIES.length)]);
            g.writeStringField("state", id == MARKER_ID ? "XX" : STATES[r.nextInt(STATES.length)]);
            g.writeStringField("date_time", Instant.ofEpochMilli(millis).toString());
            g.writeStringField("extra", "");
        });
    }

    private byte[] auction(long id, long seller, long millis, SplittableRandom r) {
        return write(g -> {
            long initial = 100 + r.nextInt(10_000);
            g.writeNumberField("id", id);
            g.writeStringField("item_name", "item-" + id);
            g.writeStringField("description", "an item for sale");
            g.writeNumberField("initial_bid", initial);
            g.writeNumberField("reserve", initial + r.nextInt(5_000));
            g.writeStringField("date_time", Instant.ofEpochMilli(millis).toString());
            g.writeStringField("expires", Instant.ofEpochMilli(millis + 10_000 + r.nextInt(20_000)).toString());
            g.writeNumberField("seller", seller);
            g.writeNumberField("category", id == MARKER_ID ? MARKER_ID : 10 + r.nextInt(5));
            g.writeStringField("extra", "");
        });
    }

    private byte[] bid(long auction, long bidder, long millis, SplittableRandom r) {
        return write(g -> {
            g.writeNumberField("auction", auction);
            g.writeNumberField("bidder", bidder);
            g.writeNumberField("price", 100 + r.nextInt(100_000));
            g.writeStringField("channel", CHANNELS[r.nextInt(CHANNELS.length)]);
            g.writeStringField("url", "https://www.nexmark.com/item.htm?query=1&channel_id=" + r.nextInt(1000));
            g.writeStringField("date_time", Instant.ofEpochMilli(millis).toString());
            g.writeStringField("extra", "");
        });
    }

    private interface Fields {
        void write(JsonGenerator g) throws IOException;
    }

    private byte[] write(Fields fields) {
        ByteArrayOutputStream out = new ByteArrayOutputStream(200);
        try (JsonGenerator g = json.createGenerator(out)) {
            g.writeStartObject();
            fields.write(g);
            g.writeEndObject();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out.toByteArray();
    }

    private Properties config() {
        Properties config = new Properties();
        config.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
        config.put(ProducerConfig.CLIENT_ID_CONFIG, "sluice-bench-nexmark");
        config.put(ProducerConfig.ACKS_CONFIG, "all");
        config.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, "true");
        config.put(ProducerConfig.COMPRESSION_TYPE_CONFIG, "lz4");
        config.put(ProducerConfig.LINGER_MS_CONFIG, "5");
        config.put(ProducerConfig.BATCH_SIZE_CONFIG, Integer.toString(256 * 1024));
        config.put(ProducerConfig.REQUEST_TIMEOUT_MS_CONFIG, "120000");
        config.put(ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG, "600000");
        // One request in flight per partition: a retried first batch can never land behind a later one.
        config.put(ProducerConfig.MAX_IN_FLIGHT_REQUESTS_PER_CONNECTION, "1");
        config.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class.getName());
        config.put(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class.getName());
        return config;
    }
}
