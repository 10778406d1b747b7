package dev.sluice.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.sluice.broker.EmbeddedKafka;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code sluice produce} against the embedded KRaft broker: exactly the records asked for arrive, once. */
class ProduceCommandIT {

    private static final ObjectMapper MAPPER = new ObjectMapper();

    @TempDir
    static Path kafkaDir;
    static EmbeddedKafka kafka;

    @TempDir
    Path dir;

    private final ByteArrayOutputStream out = new ByteArrayOutputStream();
    private final ByteArrayOutputStream err = new ByteArrayOutputStream();

    @BeforeAll
    static void startKafka() {
        kafka = EmbeddedKafka.start(kafkaDir, 0);
    }

    @AfterAll
    static void stopKafka() {
        kafka.close();
    }

    @BeforeEach
    void capture() {
        Console.redirect(new PrintStream(out, true, StandardCharsets.UTF_8), new PrintStream(err, true, StandardCharsets.UTF_8));
    }

    @AfterEach
    void restore() {
        Console.redirect(System.out, System.err);
    }

    @Test
    void aGeneratorWithRateAndDurationSendsExactlyRateTimesDurationRecords() throws Exception {
        int code = Main.execute("produce", "clickstream", "--rate", "1500", "--duration", "2s", "--seed", "9",
                "--bootstrap", kafka.bootstrapServers(), "--topic", "clicks-it", "--partitions", "3",
                "--duplicates", "0", "--malformed", "0", "--progress-interval", "500ms");

        assertThat(code).as(err.toString(StandardCharsets.UTF_8)).isZero();
        List<ConsumerRecord<byte[], byte[]>> records = readAll("clicks-it");
        assertThat(records).hasSize(3_000);
        Set<String> eventIds = new HashSet<>();
        for (ConsumerRecord<byte[], byte[]> record : records) {
            JsonNode event = MAPPER.readTree(record.value());
            assertThat(new String(record.key(), StandardCharsets.UTF_8)).isEqualTo(event.get("user_id").asText());
            eventIds.add(event.get("event_id").asText());
        }
        assertThat(eventIds).hasSize(3_000);
        assertThat(records).extracting(ConsumerRecord::partition).containsOnly(0, 1, 2);
        String stdout = out.toString(StandardCharsets.UTF_8);
        assertThat(stdout).startsWith("produce: the clickstream generator (seed 9) -> topic 'clicks-it' at "
                + kafka.bootstrapServers() + ", 1,500 records/s, 3,000 records.\n");
        assertThat(stdout).contains("produce: sent ").contains(" records/s | errors 0\n");
        assertThat(stdout).containsPattern("produce: done, 3,000 records sent to topic 'clicks-it' in [0-9.]+ s \\([0-9,]+ records/s\\), 0 errors.\n$");
    }

    @Test
    void aFileIsSentLineByLineWithoutKeysAndBlankLinesSkipped() throws Exception {
        Path file = dir.resolve("events.ndjson");
        Files.write(file, ("{\"id\":1}\n\n{\"id\":2}\r\nnot json at all\n   \n{\"id\":3}").getBytes(StandardCharsets.UTF_8));

        int code = Main.execute("produce", "--file", file.toString(), "--topic", "file-it",
                "--bootstrap", kafka.bootstrapServers());

        assertThat(code).as(err.toString(StandardCharsets.UTF_8)).isZero();
        List<ConsumerRecord<byte[], byte[]>> records = readAll("file-it");
        assertThat(records).extracting(r -> new String(r.value(), StandardCharsets.UTF_8))
                .containsExactly("{\"id\":1}", "{\"id\":2}", "not json at all", "{\"id\":3}");
        assertThat(records).extracting(ConsumerRecord::key).containsOnlyNulls();
        assertThat(out.toString(StandardCharsets.UTF_8)).contains("produce: done, 4 records sent to topic 'file-it'");
    }

    /** Everything in the topic, read to its end offsets (records are ordered per partition only). */
    @Test
    void toHttpSendsNdjsonBatchesThroughTheIngestApiWithAStreamKey() throws Exception {
        dev.sluice.spec.SourceSpec clicks = new dev.sluice.spec.SpecParser()
                .parse(Path.of("../examples/live-dashboards/pipeline.yaml")).sources().get(0);
        dev.sluice.server.StreamCatalog catalog = new dev.sluice.server.StreamCatalog() {
            @Override
            public List<Reader> readers(String stream) {
                return stream.equals("clickstream") ? List.of(new Reader("clickstream", clicks)) : List.of();
            }

            @Override
            public List<String> streams() {
                return List.of("clickstream");
            }
        };
        Path keyFile = dir.resolve("api-keys");
        assertThat(Main.execute("keys", "create", "--file", keyFile.toString(), "--stream", "clickstream", "--label", "shop")).isZero();
        String key = out.toString(StandardCharsets.UTF_8).strip();
        assertThat(key).matches("sk_[0-9a-f]{8}_[0-9a-f]{64}");
        Path clientKey = Files.writeString(dir.resolve("client-key"), key + "\n");
        out.reset();
        assertThat(Main.execute("keys", "list", "--file", keyFile.toString())).isZero();
        assertThat(out.toString(StandardCharsets.UTF_8)).contains(key.substring(3, 11) + "  stream clickstream").contains("shop");
        out.reset();

        dev.sluice.server.IngestSettings ingestSettings = dev.sluice.server.IngestSettings.defaults();
        try (dev.sluice.broker.BrokerAdmin admin = new dev.sluice.broker.BrokerAdmin(kafka.bootstrapServers(), new Properties());
                dev.sluice.storage.DuckDbStore store = dev.sluice.storage.DuckDbStore.open(dir.resolve("sluice.duckdb"))) {
            admin.ensureTopics(List.of(dev.sluice.broker.TopicSpec.of("clickstream", 2)));
            try (dev.sluice.server.IngestService ingest = dev.sluice.server.IngestService.start(kafka.bootstrapServers(), new Properties(),
                    admin, catalog, ingestSettings, "cli-it", java.time.Clock.systemUTC());
                    dev.sluice.server.ApiServer api = dev.sluice.server.ApiServer.start(new NoPipelines(), new NoPipelines(),
                            new dev.sluice.storage.QueryService(store), new dev.sluice.server.ServerSettings(dir.resolve("data"),
                                    java.util.Optional.empty(), 0, new Properties(), "localhost", 0, 1, Duration.ofSeconds(1))
                                    .withApiKeys(dev.sluice.server.ApiKeys.load(keyFile)), java.util.Optional.of(ingest))) {
                int code = Main.execute("produce", "clickstream", "--to", "http", "--server", "http://localhost:" + api.port(),
                        "--key-file", clientKey.toString(), "--rate", "2000", "--duration", "2s", "--seed", "5",
                        "--duplicates", "0", "--malformed", "0.01", "--late", "0", "--batch-size", "200", "--progress-interval", "500ms",
                        "--key-field", "user_id");

                assertThat(code).as(err.toString(StandardCharsets.UTF_8)).isZero();
                String stdout = out.toString(StandardCharsets.UTF_8);
                assertThat(stdout).startsWith("produce: the clickstream generator (seed 5) -> stream 'clickstream' at http://localhost:"
                        + api.port() + " (HTTP ingest), 2,000 records/s, 4,000 records.\n");
                java.util.regex.Matcher done = java.util.regex.Pattern.compile("produce: done, ([0-9,]+) records sent to stream 'clickstream' "
                        + "in [0-9.]+ s \\([0-9,]+ records/s\\), 0 errors, ([0-9,]+) rejected by the server as invalid.\n$").matcher(stdout);
                assertThat(done.find()).as(stdout).isTrue();
                long sent = Long.parseLong(done.group(1).replace(",", ""));
                long rejected = Long.parseLong(done.group(2).replace(",", ""));
                assertThat(sent + rejected).isEqualTo(4_000);
                assertThat(rejected).as("about 1% malformed").isBetween(10L, 90L);
                List<ConsumerRecord<byte[], byte[]>> records = readAll("clickstream");
                assertThat(records).hasSize((int) sent);
                for (ConsumerRecord<byte[], byte[]> record : records) {
                    assertThat(new String(record.key(), StandardCharsets.UTF_8))
                            .isEqualTo(MAPPER.readTree(record.value()).get("user_id").asText());
                }
                assertThat(ingest.metrics().snapshot("clickstream").accepted()).isEqualTo(sent);
                assertThat(ingest.metrics().snapshot("clickstream").requests()).as("at most 200 records per request")
                        .isGreaterThanOrEqualTo(20);
            }
        }
    }

    /** A server without pipelines, for the ingest API alone. */
    private static final class NoPipelines implements dev.sluice.server.StatusSource, dev.sluice.server.PipelineControl {
        @Override
        public Map<String, dev.sluice.server.SluiceServer.Health> health() {
            return Map.of();
        }

        @Override
        public List<dev.sluice.server.PipelineStatus> pipelines() {
            return List.of();
        }

        @Override
        public Deployed deploy(dev.sluice.spec.PipelineSpec spec) {
            throw new UnsupportedOperationException("no deploys in this test");
        }

        @Override
        public void remove(String name) {
            throw new UnsupportedOperationException("no removals in this test");
        }
    }

    private static List<ConsumerRecord<byte[], byte[]>> readAll(String topic) {
        Properties config = new Properties();
        config.setProperty(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers());
        List<ConsumerRecord<byte[], byte[]>> records = new ArrayList<>();
        try (KafkaConsumer<byte[], byte[]> consumer =
                new KafkaConsumer<>(config, new ByteArrayDeserializer(), new ByteArrayDeserializer())) {
            List<TopicPartition> partitions = new ArrayList<>();
            for (PartitionInfo info : consumer.partitionsFor(topic)) {
                partitions.add(new TopicPartition(topic, info.partition()));
            }
            consumer.assign(partitions);
            consumer.seekToBeginning(partitions);
            Map<TopicPartition, Long> end = consumer.endOffsets(partitions);
            long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
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
