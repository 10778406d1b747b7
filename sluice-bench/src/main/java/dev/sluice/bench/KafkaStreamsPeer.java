package dev.sluice.bench;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.streams.KafkaStreams;
import org.apache.kafka.streams.KeyValue;
import org.apache.kafka.streams.StreamsBuilder;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.kstream.Consumed;
import org.apache.kafka.streams.kstream.Grouped;
import org.apache.kafka.streams.kstream.Materialized;
import org.apache.kafka.streams.kstream.TimeWindows;
import org.apache.kafka.streams.processor.TimestampExtractor;

/**
 * Kafka Streams: re-key by merchant (a repartition topic), a tumbling window with a grace period, count and sum. Windows
 * are updated in place; the last value of each is its result. A record later than the window's end plus the grace
 * period (by the stream time of its repartition partition) is dropped.
 */
final class KafkaStreamsPeer implements Peer {
    private static final Duration QUIET = Duration.ofSeconds(3);
    private final int threads;
    private final Duration grace;

    KafkaStreamsPeer(int threads, Duration grace) {
        this.threads = threads;
        this.grace = grace;
    }

    @Override
    public String name() {
        return "Kafka Streams (grace " + (grace.toHours() >= 1 ? grace.toHours() + " h" : grace.toSeconds() + " s") + ")";
    }

    @Override
    public PeerRun run(String bootstrapServers, String topic, long events) throws Exception {
        Map<List<Object>, long[]> windows = new ConcurrentHashMap<>();
        AtomicLong read = new AtomicLong();
        AtomicLong lastUpdate = new AtomicLong(System.nanoTime());
        StreamsBuilder builder = new StreamsBuilder();
        builder.stream(topic, Consumed.with(Serdes.ByteArray(), Serdes.ByteArray()).withTimestampExtractor(new EventTime()))
                .map((key, value) -> {
                    read.incrementAndGet();
                    PaymentFields f = FIELDS.get();
                    try {
                        if (!f.read(value)) {
                            return KeyValue.pair("", 0L);
                        }
                    } catch (java.io.IOException e) {
                        return KeyValue.pair("", 0L);
                    }
                    return KeyValue.pair(f.merchant, f.cents);
                })
                .groupByKey(Grouped.with(Serdes.String(), Serdes.Long()))
                .windowedBy(TimeWindows.ofSizeAndGrace(Duration.ofSeconds(10), grace))
                .aggregate(() -> new byte[16], (merchant, cents, acc) -> {
                    ByteBuffer b = ByteBuffer.wrap(acc);
                    return ByteBuffer.allocate(16).putLong(b.getLong(0) + 1).putLong(b.getLong(8) + cents).array();
                }, Materialized.with(Serdes.String(), Serdes.ByteArray()))
                .toStream()
                .foreach((window, acc) -> {
                    ByteBuffer b = ByteBuffer.wrap(acc);
                    windows.put(List.of(window.key(), window.window().start()), new long[] {b.getLong(0), b.getLong(8)});
                    lastUpdate.set(System.nanoTime());
                });
        Properties props = new Properties();
        props.put(StreamsConfig.APPLICATION_ID_CONFIG, "peer-kstreams-" + grace.toMillis());
        props.put(StreamsConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
        props.put(StreamsConfig.NUM_STREAM_THREADS_CONFIG, threads);
        props.put(StreamsConfig.STATESTORE_CACHE_MAX_BYTES_CONFIG, 10 * 1024 * 1024L);
        props.put(StreamsConfig.COMMIT_INTERVAL_MS_CONFIG, 1000);
        props.put(StreamsConfig.STATE_DIR_CONFIG, java.nio.file.Files.createTempDirectory("peer-kstreams").toString());
        props.put("auto.offset.reset", "earliest");
        long cpu = Cpu.nanos();
        long start = System.nanoTime();
        long end;
        try (KafkaStreams streams = new KafkaStreams(builder.build(), props)) {
            streams.start();
            // Done when every record was read and no window changed for a while (commits flush the caches every second).
            while (read.get() < events || System.nanoTime() - lastUpdate.get() < QUIET.toNanos()) {
                Thread.sleep(100);
                if (streams.state() == KafkaStreams.State.ERROR) {
                    throw new IllegalStateException("Kafka Streams failed");
                }
            }
            end = lastUpdate.get();
        }
        return new PeerRun(windows, (end - start) / 1e9, (Cpu.nanos() - cpu) / 1e9 * (end - start) / (System.nanoTime() - start),
                "CPU pro-rated to the time of the last result");
    }

    private static final ThreadLocal<PaymentFields> FIELDS = ThreadLocal.withInitial(PaymentFields::new);

    /** The payment's {@code ts} as the record's event time. */
    static final class EventTime implements TimestampExtractor {
        private static final byte[] TS = "\"ts\":\"".getBytes(StandardCharsets.UTF_8);

        @Override
        public long extract(ConsumerRecord<Object, Object> record, long partitionTime) {
            byte[] v = (byte[]) record.value();
            int at = indexOf(v, TS);
            if (at < 0) {
                return partitionTime;
            }
            int from = at + TS.length;
            int to = from;
            while (to < v.length && v[to] != '"') {
                to++;
            }
            return Instant.parse(new String(v, from, to - from, StandardCharsets.US_ASCII)).toEpochMilli();
        }

        private static int indexOf(byte[] data, byte[] pattern) {
            outer:
            for (int i = 0; i + pattern.length <= data.length; i++) {
                for (int j = 0; j < pattern.length; j++) {
                    if (data[i + j] != pattern[j]) {
                        continue outer;
                    }
                }
                return i;
            }
            return -1;
        }
    }
}
