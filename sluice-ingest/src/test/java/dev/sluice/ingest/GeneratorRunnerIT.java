package dev.sluice.ingest;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.sluice.broker.EmbeddedKafka;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The runner against a real embedded KRaft broker: what goes in comes back out, once, keyed by card. */
class GeneratorRunnerIT {

    private static final String TOPIC = "payments";
    private static final int EVENTS = 2_000;
    private static final ObjectMapper MAPPER = new ObjectMapper();

    @TempDir
    Path dataDir;

    @Test
    void sendsTwoThousandPaymentsAtFullSpeedKeyedByCardId() throws Exception {
        try (EmbeddedKafka kafka = EmbeddedKafka.start(dataDir, 0)) {
            createTopic(kafka.bootstrapServers(), 3);
            PaymentsGenerator generator = new PaymentsGenerator(21, Clock.systemUTC());

            try (GeneratorRunner runner = GeneratorRunner.start(kafka.bootstrapServers(), new Properties(),
                    GeneratorSettings.to(TOPIC).withMaxEvents(EVENTS), generator)) {
                assertThat(runner.awaitCompletion(Duration.ofSeconds(60))).isTrue();
                assertThat(runner.errors()).isZero();
                assertThat(runner.lastError()).isEmpty();
                assertThat(runner.sent()).isEqualTo(EVENTS);
            }

            List<ConsumerRecord<byte[], byte[]>> records = readAll(kafka.bootstrapServers(), Duration.ofSeconds(30));

            assertThat(records).hasSize(EVENTS);
            Set<String> paymentIds = new HashSet<>();
            Map<String, Set<Integer>> partitionsByCard = new HashMap<>();
            for (ConsumerRecord<byte[], byte[]> record : records) {
                assertThat(StrictPaymentJson.problem(record.value())).isEmpty();
                JsonNode payment = MAPPER.readTree(record.value());
                String cardId = payment.get("card_id").asText();
                assertThat(new String(record.key(), StandardCharsets.UTF_8)).isEqualTo(cardId);
                paymentIds.add(payment.get("payment_id").asText());
                partitionsByCard.computeIfAbsent(cardId, card -> new HashSet<>()).add(record.partition());
            }
            assertThat(paymentIds).hasSize(EVENTS);
            assertThat(partitionsByCard.values()).allSatisfy(partitions -> assertThat(partitions).hasSize(1));
        }
    }

    private static void createTopic(String bootstrapServers, int partitions) throws Exception {
        Properties config = new Properties();
        config.setProperty(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
        try (Admin admin = Admin.create(config)) {
            admin.createTopics(List.of(new NewTopic(TOPIC, partitions, (short) 1))).all().get();
        }
    }

    /** Everything in the topic: polls until the consumer has reached the end offsets, or the timeout passes. */
    private static List<ConsumerRecord<byte[], byte[]>> readAll(String bootstrapServers, Duration timeout) {
        Properties config = new Properties();
        config.setProperty(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
        config.setProperty(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        List<ConsumerRecord<byte[], byte[]>> records = new ArrayList<>();
        try (KafkaConsumer<byte[], byte[]> consumer =
                new KafkaConsumer<>(config, new ByteArrayDeserializer(), new ByteArrayDeserializer())) {
            List<TopicPartition> partitions = new ArrayList<>();
            for (PartitionInfo info : consumer.partitionsFor(TOPIC)) {
                partitions.add(new TopicPartition(TOPIC, info.partition()));
            }
            consumer.assign(partitions);
            consumer.seekToBeginning(partitions);
            Map<TopicPartition, Long> end = consumer.endOffsets(partitions);
            long deadline = System.nanoTime() + timeout.toNanos();
            while (!reached(consumer, end) && System.nanoTime() < deadline) {
                consumer.poll(Duration.ofMillis(200)).forEach(records::add);
            }
        }
        return records;
    }

    private static boolean reached(KafkaConsumer<byte[], byte[]> consumer, Map<TopicPartition, Long> end) {
        for (Map.Entry<TopicPartition, Long> entry : end.entrySet()) {
            if (consumer.position(entry.getKey()) < entry.getValue()) {
                return false;
            }
        }
        return true;
    }
}
