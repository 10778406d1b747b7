package dev.sluice.ingest;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.sluice.SluiceException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Properties;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Future;
import org.apache.kafka.clients.producer.Callback;
import org.apache.kafka.clients.producer.MockProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.errors.NotLeaderOrFollowerException;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.junit.jupiter.api.Test;

/** The runner against Kafka's own in-memory producer; the real broker is exercised by {@link GeneratorRunnerIT}. */
class GeneratorRunnerTest {

    private static final Instant START = Instant.parse("2026-11-24T15:00:00Z");
    private static final ObjectMapper MAPPER = new ObjectMapper();

    private static MockProducer<byte[], byte[]> autoCompletingProducer() {
        return new MockProducer<>(true, null, new ByteArraySerializer(), new ByteArraySerializer());
    }

    private static PaymentsGenerator payments() {
        return new PaymentsGenerator(1, new SteppingClock(START, Duration.ofMillis(1)));
    }

    @Test
    void sendsExactlyTheLimitKeyedByCardIdAndFlushes() throws Exception {
        MockProducer<byte[], byte[]> producer = autoCompletingProducer();

        try (GeneratorRunner runner = GeneratorRunner.start(
                producer, GeneratorSettings.to("payments").withMaxEvents(2_500), payments())) {
            assertThat(runner.awaitCompletion(Duration.ofSeconds(30))).isTrue();

            assertThat(runner.sent()).isEqualTo(2_500);
            assertThat(runner.errors()).isZero();
            assertThat(runner.lastError()).isEmpty();
            assertThat(runner.running()).isFalse();
            assertThat(producer.flushed()).isTrue();
        }
        List<ProducerRecord<byte[], byte[]>> records = producer.history();
        assertThat(records).hasSize(2_500);
        for (ProducerRecord<byte[], byte[]> record : records) {
            assertThat(record.topic()).isEqualTo("payments");
            assertThat(new String(record.key(), StandardCharsets.UTF_8))
                    .isEqualTo(MAPPER.readTree(record.value()).get("card_id").asText());
        }
        assertThat(producer.closed()).isTrue();
    }

    @Test
    void sendsFromOneThreadNamedAfterTheGenerator() throws Exception {
        Set<String> threads = ConcurrentHashMap.newKeySet();
        PaymentsGenerator payments = payments();
        EventGenerator recording = new EventGenerator() {
            @Override
            public String name() {
                return payments.name();
            }

            @Override
            public EncodedEvent nextEvent() {
                threads.add(Thread.currentThread().getName());
                return payments.nextEvent();
            }
        };

        try (GeneratorRunner runner = GeneratorRunner.start(
                autoCompletingProducer(), GeneratorSettings.to("payments").withMaxEvents(100), recording)) {
            assertThat(runner.awaitCompletion(Duration.ofSeconds(30))).isTrue();
        }

        assertThat(threads).containsExactly("sluice-generator-payments");
    }

    @Test
    void countsFailedSendsAndKeepsTheLastError() throws Exception {
        MockProducer<byte[], byte[]> failing = new MockProducer<>(
                true, null, new ByteArraySerializer(), new ByteArraySerializer()) {
            @Override
            public synchronized Future<RecordMetadata> send(ProducerRecord<byte[], byte[]> record, Callback callback) {
                callback.onCompletion(null, new NotLeaderOrFollowerException("broker 1 is not the leader"));
                return super.send(record, null);
            }
        };

        try (GeneratorRunner runner = GeneratorRunner.start(
                failing, GeneratorSettings.to("payments").withMaxEvents(40), payments())) {
            assertThat(runner.awaitCompletion(Duration.ofSeconds(30))).isTrue();

            assertThat(runner.errors()).isEqualTo(40);
            assertThat(runner.sent()).isZero();
            assertThat(runner.lastError()).get(org.assertj.core.api.InstanceOfAssertFactories.THROWABLE)
                    .hasMessage("broker 1 is not the leader");
        }
    }

    @Test
    void keepsTheRateWhenPaced() throws Exception {
        long started = System.nanoTime();

        try (GeneratorRunner runner = GeneratorRunner.start(autoCompletingProducer(),
                GeneratorSettings.to("payments").withEventsPerSecond(20).withMaxEvents(5), payments())) {
            assertThat(runner.awaitCompletion(Duration.ofSeconds(30))).isTrue();
            assertThat(runner.sent()).isEqualTo(5);
        }

        // Events are due at 0, 50, 100, 150 and 200 ms: a paced runner cannot be done sooner.
        assertThat(Duration.ofNanos(System.nanoTime() - started)).isGreaterThanOrEqualTo(Duration.ofMillis(200));
    }

    @Test
    void closeStopsAnUnlimitedRunnerPromptlyAndClosesTheProducer() {
        MockProducer<byte[], byte[]> producer = autoCompletingProducer();
        GeneratorRunner runner = GeneratorRunner.start(producer, GeneratorSettings.to("payments"), payments());
        await().atMost(Duration.ofSeconds(30)).until(() -> runner.sent() >= 10_000);

        long closing = System.nanoTime();
        runner.close(Duration.ofSeconds(5));
        runner.close(Duration.ofSeconds(5));

        assertThat(Duration.ofNanos(System.nanoTime() - closing)).isLessThan(Duration.ofSeconds(5));
        assertThat(runner.running()).isFalse();
        assertThat(producer.closed()).isTrue();
        assertThat(runner.errors()).isZero();
        assertThat(runner.sent()).isEqualTo(producer.history().size());
    }

    @Test
    void producerIsDurableAndOrderedByDefaultAndAcceptsSecuritySettings() {
        Properties extra = new Properties();
        extra.setProperty("security.protocol", "SASL_SSL");
        extra.setProperty(ProducerConfig.LINGER_MS_CONFIG, "20");
        extra.setProperty(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, "elsewhere:9092");
        extra.setProperty(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, "org.example.StringSerializer");

        Properties config = GeneratorRunner.producerConfig("broker:9092", extra, "sluice-generator-payments");

        assertThat(config)
                .containsEntry(ProducerConfig.ACKS_CONFIG, "all")
                .containsEntry(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, "true")
                .containsEntry(ProducerConfig.COMPRESSION_TYPE_CONFIG, "lz4")
                .containsEntry(ProducerConfig.BATCH_SIZE_CONFIG, "65536")
                .containsEntry(ProducerConfig.CLIENT_ID_CONFIG, "sluice-generator-payments")
                .containsEntry("security.protocol", "SASL_SSL")
                .containsEntry(ProducerConfig.LINGER_MS_CONFIG, "20")
                .containsEntry(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, "broker:9092")
                .containsEntry(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class.getName())
                .containsEntry(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class.getName());
    }

    @Test
    void invalidProducerPropertiesFailTheStartNamingTheProblem() {
        Properties extra = new Properties();
        extra.setProperty(ProducerConfig.ACKS_CONFIG, "sometimes");

        assertThatThrownBy(() -> GeneratorRunner.start("localhost:9", extra, "payments", 10, payments()))
                .isInstanceOf(SluiceException.class)
                .hasMessageContaining("payments generator")
                .hasMessageContaining("localhost:9")
                .hasMessageContaining("sometimes");
    }

    @Test
    void rejectsMissingBootstrapServers() {
        assertThatThrownBy(() -> GeneratorRunner.producerConfig(" ", new Properties(), "x"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("bootstrap servers");
    }
}
