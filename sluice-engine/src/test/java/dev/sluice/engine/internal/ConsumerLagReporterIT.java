package dev.sluice.engine.internal;

import static org.assertj.core.api.Assertions.assertThat;

import dev.sluice.broker.BrokerAdmin;
import dev.sluice.broker.EmbeddedKafka;
import dev.sluice.broker.TopicSpec;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.Future;
import org.apache.flink.api.common.eventtime.Watermark;
import org.apache.flink.api.common.eventtime.WatermarkGenerator;
import org.apache.flink.api.common.eventtime.WatermarkGeneratorSupplier;
import org.apache.flink.api.common.eventtime.WatermarkOutput;
import org.apache.flink.metrics.MetricGroup;
import org.apache.flink.metrics.groups.UnregisteredMetricsGroup;
import org.apache.flink.table.data.GenericRowData;
import org.apache.flink.table.data.RowData;
import org.apache.flink.util.clock.ManualClock;
import org.apache.flink.util.clock.RelativeClock;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.Metric;
import org.apache.kafka.common.MetricName;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * What a real Kafka consumer reports about a partition it has not fetched yet and about an empty one, and the watermark
 * generators of one source reader that owns three partitions of a topic: one empty, two with a backlog, one of which
 * the reader has not reached yet. The clock of the generators is a manual one and the consumer is polled by the test,
 * so the "starved reader" that used to mark the unreached partition idle (and route its on-time events to late events,
 * see {@code ProcessKillIT}) is reproduced exactly, without depending on the machine's load.
 */
class ConsumerLagReporterIT {
    private static final String TOPIC = "fault.events";
    private static final String CLIENT_ID = "sluice-lagtest-events-0";
    private static final int BACKLOG = 2_000;
    private static final Duration IDLE = Duration.ofSeconds(10);
    /** Event times an hour in the past, within what the broker accepts as record timestamps. */
    private final long t0 = System.currentTimeMillis() - Duration.ofHours(1).toMillis();

    @TempDir
    Path dir;

    private EmbeddedKafka kafka;
    private final ManualClock clock = new ManualClock();

    @BeforeEach
    void broker() throws Exception {
        kafka = EmbeddedKafka.start(dir.resolve("kafka"), 0);
        try (BrokerAdmin admin = new BrokerAdmin(kafka.bootstrapServers(), new Properties())) {
            admin.ensureTopics(List.of(TopicSpec.of(TOPIC, 3)));
        }
        Properties p = new Properties();
        p.setProperty("bootstrap.servers", kafka.bootstrapServers());
        p.setProperty("acks", "all");
        p.setProperty("linger.ms", "5");
        try (KafkaProducer<String, String> producer = new KafkaProducer<>(p, new StringSerializer(), new StringSerializer())) {
            // Partition 0 stays empty; partitions 1 and 2 get a backlog of about 200 KB each, larger than one fetch.
            List<Future<RecordMetadata>> sent = new ArrayList<>();
            for (int i = 0; i < BACKLOG; i++) {
                for (int partition = 1; partition <= 2; partition++) {
                    sent.add(producer.send(new ProducerRecord<>(TOPIC, partition, t0 + i, null, "{\"seq\":" + i
                            + ",\"pad\":\"" + "x".repeat(80) + "\"}")));
                }
            }
            for (Future<RecordMetadata> f : sent) {
                f.get();
            }
        }
    }

    @AfterEach
    void stop() {
        kafka.close();
    }

    @Test
    void anUnfetchedPartitionWithABacklogNeverGoesIdleWhileAnEmptyOneDoes() {
        try (KafkaConsumer<byte[], byte[]> consumer = consumer()) {
            List<TopicPartition> partitions = List.of(tp(0), tp(1), tp(2));
            consumer.assign(partitions);
            consumer.seekToBeginning(partitions);
            ConsumerLagReporter reporter = ConsumerLagReporter.forClient(CLIENT_ID);
            assertThat(reporter).isNotNull();

            // Assigned, nothing fetched: the coordinator counts three partitions, no partition has a lag metric.
            assertThat(metric(consumer, "consumer-coordinator-metrics", "assigned-partitions", null)).isEqualTo(3.0);
            assertThat(lagMetrics(consumer)).isEmpty();
            assertThat(reporter.unclaimedPartitionMayHaveUnreadRecords()).isTrue();

            // One generator per partition, as Flink creates them when the splits are assigned, before any record.
            Map<Integer, WatermarkGenerator<RowData>> generators = new HashMap<>();
            Map<Integer, Output> outputs = new HashMap<>();
            for (int partition = 0; partition < 3; partition++) {
                generators.put(partition, generator());
                outputs.put(partition, new Output());
            }

            // The first record: one poll hands out one record, of the first backlogged partition in the fetch.
            ConsumerRecord<byte[], byte[]> first = pollOne(consumer);
            int reading = first.partition();
            int waiting = reading == 1 ? 2 : 1;
            assertThat(reading).isIn(1, 2);
            Map<Integer, Double> lags = lagMetrics(consumer);
            // Kafka's view now: the empty partition's (empty) fetch was handed out, lag 0; the partition being read has
            // its lag; the other backlogged partition was fetched by the broker but not handed out: no lag metric yet,
            // though the fetcher lists it among its assigned partitions.
            assertThat(lags).containsEntry(0, 0.0).containsKey(reading).doesNotContainKey(waiting);
            assertThat(lags.get(reading)).isPositive();
            assertThat(metric(consumer, "consumer-fetch-manager-metrics", "preferred-read-replica", waiting)).isNotNull();
            emit(generators.get(reading), outputs.get(reading), first);

            // A starved reader: a minute passes without the waiting partition's first record being handed out.
            for (int s = 0; s < 60; s++) {
                clock.advanceTime(Duration.ofSeconds(1));
                for (int partition = 0; partition < 3; partition++) {
                    generators.get(partition).onPeriodicEmit(outputs.get(partition));
                }
            }
            assertThat(outputs.get(waiting).idleCount).as("the partition with a backlog not yet fetched").isZero();
            assertThat(outputs.get(reading).idleCount).as("the partition being read").isZero();
            // The empty partition's generator cannot tell itself from the waiting one's: it waits too, which only holds
            // the watermark back.
            assertThat(outputs.get(0).idleCount).isZero();

            // Read everything; the waiting partition's generator stays active until its records arrive.
            long read = 1;
            while (read < 2L * BACKLOG) {
                ConsumerRecords<byte[], byte[]> records = consumer.poll(Duration.ofMillis(200));
                for (ConsumerRecord<byte[], byte[]> r : records) {
                    emit(generators.get(r.partition()), outputs.get(r.partition()), r);
                    read++;
                }
                clock.advanceTime(Duration.ofSeconds(1));
                for (int partition = 0; partition < 3; partition++) {
                    generators.get(partition).onPeriodicEmit(outputs.get(partition));
                }
                assertThat(outputs.get(waiting).idleCount).isZero();
            }
            assertThat(outputs.get(waiting).watermarks).isNotEmpty();

            // Everything read: the lags are 0, and after the idle timeout every partition is idle, the empty one too.
            consumer.poll(Duration.ofMillis(200));
            assertThat(lagMetrics(consumer)).containsOnly(Map.entry(0, 0.0), Map.entry(1, 0.0), Map.entry(2, 0.0));
            assertThat(reporter.unclaimedPartitionMayHaveUnreadRecords()).isFalse();
            clock.advanceTime(IDLE);
            for (int partition = 0; partition < 3; partition++) {
                generators.get(partition).onPeriodicEmit(outputs.get(partition));
                assertThat(outputs.get(partition).idle).as("partition %d", partition).isTrue();
            }
        }
    }

    private KafkaConsumer<byte[], byte[]> consumer() {
        Properties p = new Properties();
        p.setProperty("bootstrap.servers", kafka.bootstrapServers());
        p.setProperty("group.id", "sluice-lagtest");
        p.setProperty("client.id", CLIENT_ID);
        p.setProperty("isolation.level", "read_committed");
        p.setProperty("enable.auto.commit", "false");
        p.setProperty("max.poll.records", "1");
        p.setProperty("max.partition.fetch.bytes", "65536");
        p.setProperty("metric.reporters", ConsumerLagReporter.class.getName());
        return new KafkaConsumer<>(p, new ByteArrayDeserializer(), new ByteArrayDeserializer());
    }

    private static ConsumerRecord<byte[], byte[]> pollOne(KafkaConsumer<byte[], byte[]> consumer) {
        long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
        while (System.nanoTime() < deadline) {
            ConsumerRecords<byte[], byte[]> records = consumer.poll(Duration.ofMillis(200));
            if (!records.isEmpty()) {
                assertThat(records.count()).isEqualTo(1);
                return records.iterator().next();
            }
        }
        throw new AssertionError("No record within 30 s");
    }

    private void emit(WatermarkGenerator<RowData> generator, Output output, ConsumerRecord<byte[], byte[]> r) {
        GenericRowData row = new GenericRowData(1 + SourceRecords.META);
        row.setField(2, r.partition());
        generator.onEvent(row, r.timestamp(), output);
    }

    private WatermarkGenerator<RowData> generator() {
        PartitionWatermarks strategy = new PartitionWatermarks(TOPIC, "sluice-lagtest-events", 1, 0, 3, Duration.ofSeconds(2), IDLE, 0, 0, Map.of());
        return strategy.createWatermarkGenerator(new WatermarkGeneratorSupplier.Context() {
            @Override
            public MetricGroup getMetricGroup() {
                return new UnregisteredMetricsGroup() {
                    @Override
                    public Map<String, String> getAllVariables() {
                        return Map.of("<subtask_index>", "0");
                    }
                };
            }

            @Override
            public RelativeClock getInputActivityClock() {
                return clock;
            }
        });
    }

    /** The consumer's own {@code records-lag} per partition of the topic (the tag with the topic's real name). */
    private static Map<Integer, Double> lagMetrics(KafkaConsumer<byte[], byte[]> consumer) {
        Map<Integer, Double> lags = new HashMap<>();
        for (Map.Entry<MetricName, ? extends Metric> e : consumer.metrics().entrySet()) {
            MetricName name = e.getKey();
            if (name.name().equals("records-lag") && TOPIC.equals(name.tags().get("topic"))) {
                lags.put(Integer.parseInt(name.tags().get("partition")), ((Number) e.getValue().metricValue()).doubleValue());
            }
        }
        return lags;
    }

    private static Double metric(KafkaConsumer<byte[], byte[]> consumer, String group, String name, Integer partition) {
        for (Map.Entry<MetricName, ? extends Metric> e : consumer.metrics().entrySet()) {
            MetricName n = e.getKey();
            if (n.group().equals(group) && n.name().equals(name)
                    && (partition == null || String.valueOf(partition).equals(n.tags().get("partition")))) {
                Object value = e.getValue().metricValue();
                return value instanceof Number number ? number.doubleValue() : null;
            }
        }
        return null;
    }

    private static TopicPartition tp(int partition) {
        return new TopicPartition(TOPIC, partition);
    }

    private static final class Output implements WatermarkOutput {
        final List<Long> watermarks = new ArrayList<>();
        boolean idle;
        int idleCount;

        @Override
        public void emitWatermark(Watermark watermark) {
            watermarks.add(watermark.getTimestamp());
        }

        @Override
        public void markIdle() {
            idle = true;
            idleCount++;
        }

        @Override
        public void markActive() {
            idle = false;
        }
    }
}
