package dev.sluice.server;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.sluice.broker.BrokerAdmin;
import dev.sluice.broker.EmbeddedKafka;
import dev.sluice.spec.ColumnSpec;
import dev.sluice.spec.Location;
import dev.sluice.spec.PipelineSpec;
import dev.sluice.spec.SourceSpec;
import dev.sluice.storage.DuckDbStore;
import dev.sluice.storage.QueryService;
import java.io.ByteArrayOutputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import java.util.zip.GZIPOutputStream;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The HTTP ingest route on the embedded broker: the body forms, rejections by index, required columns, keys, limits,
 * idempotent retries across a restart of the ingest server, and 503 with the broker stopped. Records are counted in
 * the topic with a {@code read_committed} consumer, as the Flink job reads them.
 */
class IngestIT {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    private static final Location AT = new Location(Path.of("p.yaml"), 1, 1);
    private static final String TS = Instant.now().truncatedTo(ChronoUnit.SECONDS).toString();

    private static final java.util.concurrent.atomic.AtomicInteger STREAMS = new java.util.concurrent.atomic.AtomicInteger();

    @TempDir
    static Path brokerDir;
    /** One broker for the tests that keep it up, each on a stream (topic) of its own. */
    private static EmbeddedKafka sharedKafka;

    @TempDir
    Path dir;

    private EmbeddedKafka kafka;
    private BrokerAdmin admin;
    private DuckDbStore store;
    private String stream;
    private IngestService ingest;
    private ApiServer api;
    private String base;

    /** Two pipelines read each "payments-N" stream: one needs a merchant, the other an amount. */
    private static final StreamCatalog CATALOG = new StreamCatalog() {
        @Override
        public List<Reader> readers(String stream) {
            if (!stream.startsWith("payments-")) {
                return List.of();
            }
            return List.of(new Reader("fraud", source("payments", stream, new ColumnSpec("merchant", "STRING", AT, true),
                            new ColumnSpec("amount", "DECIMAL(12, 2)", AT))),
                    new Reader("revenue", source("pay", stream, new ColumnSpec("merchant", "STRING", AT),
                            new ColumnSpec("amount", "DECIMAL(12, 2)", AT, true))));
        }

        @Override
        public List<String> streams() {
            return List.of("payments-N");
        }
    };

    @org.junit.jupiter.api.BeforeAll
    static void startSharedBroker() {
        sharedKafka = EmbeddedKafka.start(brokerDir.resolve("kafka"), 0);
    }

    @org.junit.jupiter.api.AfterAll
    static void stopSharedBroker() {
        sharedKafka.close();
    }

    private static SourceSpec source(String name, String topic, ColumnSpec merchant, ColumnSpec amount) {
        return new SourceSpec(name, topic, 2, SourceSpec.Format.JSON, List.of(
                new ColumnSpec("payment_id", "STRING", AT), merchant, amount, new ColumnSpec("ts", "TIMESTAMP(3)", AT)),
                new SourceSpec.EventTime("ts", Duration.ZERO), SourceSpec.ErrorPolicy.DEAD_LETTER, AT);
    }

    /** The shared broker, or with {@code own} a broker of the test's own (which it may stop), and a new stream. */
    private void startBroker(boolean own) {
        kafka = own ? EmbeddedKafka.start(dir.resolve("kafka"), 0) : sharedKafka;
        admin = new BrokerAdmin(kafka.bootstrapServers(), new Properties());
        stream = "payments-" + STREAMS.incrementAndGet();
        admin.ensureTopics(List.of(dev.sluice.broker.TopicSpec.of(stream, 2)));
        store = DuckDbStore.open(dir.resolve("sluice.duckdb"));
    }

    private void startBroker() {
        startBroker(false);
    }

    private void startServer(IngestSettings settings, ApiKeys keys) {
        startServer(settings, keys, Clock.systemUTC());
    }

    private void startServer(IngestSettings settings, ApiKeys keys, Clock clock) {
        ingest = IngestService.start(kafka.bootstrapServers(), new Properties(), admin, CATALOG, settings, "test", clock);
        ServerSettings server = new ServerSettings(dir, Optional.empty(), 0, new Properties(), "localhost", 0, 1, Duration.ofSeconds(1))
                .withApiKeys(keys).withIngest(settings);
        api = ApiServer.start(new ApiServerTest.FakeStatus(), new PipelineControl() {
            @Override
            public Deployed deploy(PipelineSpec spec) {
                throw new PipelineConflictException("no deploys here");
            }

            @Override
            public void remove(String name) {
                throw new PipelineConflictException("no removals here");
            }
        }, new QueryService(store), server, Optional.of(ingest));
        base = "http://localhost:" + api.port() + "/api/v1/streams/";
    }

    private void stopServer() {
        if (api != null) {
            api.close();
            api = null;
        }
        if (ingest != null) {
            ingest.close();
            ingest = null;
        }
    }

    @AfterEach
    void close() {
        stopServer();
        if (store != null) {
            store.close();
        }
        if (admin != null) {
            admin.close();
        }
        if (kafka != null && kafka != sharedKafka) {
            kafka.close();
        }
    }

    private static String payment(String id, String merchant, String amount) {
        return "{\"payment_id\":\"" + id + "\"" + (merchant == null ? "" : ",\"merchant\":\"" + merchant + "\"")
                + (amount == null ? "" : ",\"amount\":" + amount) + ",\"ts\":\"" + TS + "\"}";
    }

    private HttpResponse<String> post(String stream, String contentType, byte[] body, String... headers) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(base + stream + "/events"))
                .timeout(Duration.ofSeconds(30))
                .header("Content-Type", contentType)
                .POST(HttpRequest.BodyPublishers.ofByteArray(body));
        for (int i = 0; i < headers.length; i += 2) {
            b.header(headers[i], headers[i + 1]);
        }
        return HTTP.send(b.build(), HttpResponse.BodyHandlers.ofString());
    }

    private HttpResponse<String> post(String contentType, String body, String... headers) throws Exception {
        return post(stream, contentType, body.getBytes(StandardCharsets.UTF_8), headers);
    }

    private static byte[] gzip(byte[] bytes) throws Exception {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (GZIPOutputStream gz = new GZIPOutputStream(out)) {
            gz.write(bytes);
        }
        return out.toByteArray();
    }

    /** Every committed record of the topic, in order per partition, as text. */
    private List<String> topic(String topic) {
        Properties p = new Properties();
        p.setProperty("bootstrap.servers", kafka.bootstrapServers());
        p.setProperty("isolation.level", "read_committed");
        List<String> values = new ArrayList<>();
        try (KafkaConsumer<byte[], byte[]> consumer = new KafkaConsumer<>(p, new ByteArrayDeserializer(), new ByteArrayDeserializer())) {
            List<TopicPartition> partitions = consumer.partitionsFor(topic).stream()
                    .map(i -> new TopicPartition(topic, i.partition())).toList();
            consumer.assign(partitions);
            consumer.seekToBeginning(partitions);
            Map<TopicPartition, Long> ends = consumer.endOffsets(partitions);
            long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
            while (partitions.stream().anyMatch(tp -> consumer.position(tp) < ends.get(tp))) {
                assertThat(System.nanoTime()).as("read " + topic + " to its end").isLessThan(deadline);
                for (ConsumerRecord<byte[], byte[]> r : consumer.poll(Duration.ofMillis(200))) {
                    values.add(new String(r.value(), StandardCharsets.UTF_8));
                }
            }
        }
        return values;
    }

    @Test
    void acceptsAnObjectAnArrayAndNdjsonWithAndWithoutGzip() throws Exception {
        startBroker();
        startServer(IngestSettings.defaults(), ApiKeys.none());
        String object = payment("o1", "m1", "1.50");
        String array = "[" + payment("a1", "m1", "2") + ",\n  " + payment("a2", "m2", "3") + "]";
        String ndjson = payment("n1", "m1", "4") + "\n\n" + payment("n2", "m2", "5") + "\r\n" + payment("n3", "m3", "6") + "\n";
        String gzArray = "[" + payment("g1", "m1", "7") + "]";
        String gzNdjson = payment("z1", "m1", "8") + "\n" + payment("z2", "m1", "9");

        List<HttpResponse<String>> responses = List.of(
                post("application/json", object),
                post("application/json; charset=utf-8", array),
                post("application/x-ndjson", ndjson),
                post(stream, "application/json", gzip(gzArray.getBytes(StandardCharsets.UTF_8)), "Content-Encoding", "gzip"),
                post(stream, "application/x-ndjson", gzip(gzNdjson.getBytes(StandardCharsets.UTF_8)), "Content-Encoding", "gzip"));

        int[] counts = {1, 2, 3, 1, 2};
        for (int i = 0; i < counts.length; i++) {
            assertThat(responses.get(i).statusCode()).as(responses.get(i).body()).isEqualTo(200);
            assertThat(JSON.readTree(responses.get(i).body())).isEqualTo(JSON.readTree(
                    "{\"stream\":\"" + stream + "\",\"accepted\":" + counts[i] + ",\"rejected\":0,\"rejections\":[]}"));
        }
        assertThat(topic(stream)).containsExactlyInAnyOrder(object, payment("a1", "m1", "2"), payment("a2", "m2", "3"),
                payment("n1", "m1", "4"), payment("n2", "m2", "5"), payment("n3", "m3", "6"), payment("g1", "m1", "7"),
                payment("z1", "m1", "8"), payment("z2", "m1", "9"));
        IngestMetrics.Snapshot metrics = ingest.metrics().snapshot(stream);
        assertThat(metrics.requests()).isEqualTo(5);
        assertThat(metrics.accepted()).isEqualTo(9);
        assertThat(metrics.rejected()).isZero();
    }

    @Test
    void takesBodiesBeyondTheOneMegabyteLimitOfTheOtherRoutes() throws Exception {
        startBroker();
        // 20,000 records in one transaction can take longer than the default 5 s on a busy machine.
        startServer(IngestSettings.defaults().withTimeout(Duration.ofSeconds(60)), ApiKeys.none());
        StringBuilder ndjson = new StringBuilder();
        int n = 20_000;
        for (int i = 0; i < n; i++) {
            ndjson.append(payment("big" + i, "m" + (i % 7), String.valueOf(i % 100))).append('\n');
        }
        assertThat(ndjson.length()).as("above the 1 MB of the other routes").isGreaterThan(1_500_000);

        HttpResponse<String> r = post("application/x-ndjson", ndjson.toString());

        assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
        assertThat(JSON.readTree(r.body()).get("accepted").asInt()).isEqualTo(n);
        assertThat(topic(stream)).hasSize(n);
    }

    @Test
    void keysEachRecordByTheFieldTheRequestNames() throws Exception {
        startBroker();
        startServer(IngestSettings.defaults(), ApiKeys.none());
        String ndjson = payment("a", "m1", "1") + "\n" + payment("b", "m2", "2") + "\n" + payment("c", "m1", "3");

        HttpResponse<String> keyed = HTTP.send(HttpRequest.newBuilder(URI.create(base + stream + "/events?key=merchant"))
                .header("Content-Type", "application/x-ndjson").POST(HttpRequest.BodyPublishers.ofString(ndjson)).build(),
                HttpResponse.BodyHandlers.ofString());
        HttpResponse<String> unknown = HTTP.send(HttpRequest.newBuilder(URI.create(base + stream + "/events?key=shop"))
                .header("Content-Type", "application/x-ndjson").POST(HttpRequest.BodyPublishers.ofString(ndjson)).build(),
                HttpResponse.BodyHandlers.ofString());

        assertThat(keyed.statusCode()).as(keyed.body()).isEqualTo(200);
        assertThat(unknown.statusCode()).isEqualTo(400);
        assertThat(JSON.readTree(unknown.body()).get("detail").asText()).startsWith("key=shop names no column of source 'payments'");
        assertThat(keyedTopic(stream)).containsExactlyInAnyOrder("m1=" + payment("a", "m1", "1"), "m2=" + payment("b", "m2", "2"),
                "m1=" + payment("c", "m1", "3"));
    }

    /** Every committed record of the topic as key=value. */
    private List<String> keyedTopic(String topic) {
        Properties p = new Properties();
        p.setProperty("bootstrap.servers", kafka.bootstrapServers());
        p.setProperty("isolation.level", "read_committed");
        List<String> values = new ArrayList<>();
        try (KafkaConsumer<byte[], byte[]> consumer = new KafkaConsumer<>(p, new ByteArrayDeserializer(), new ByteArrayDeserializer())) {
            List<TopicPartition> partitions = consumer.partitionsFor(topic).stream()
                    .map(i -> new TopicPartition(topic, i.partition())).toList();
            consumer.assign(partitions);
            consumer.seekToBeginning(partitions);
            Map<TopicPartition, Long> ends = consumer.endOffsets(partitions);
            long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
            while (partitions.stream().anyMatch(tp -> consumer.position(tp) < ends.get(tp))) {
                assertThat(System.nanoTime()).as("read " + topic + " to its end").isLessThan(deadline);
                for (ConsumerRecord<byte[], byte[]> r : consumer.poll(Duration.ofMillis(200))) {
                    values.add((r.key() == null ? "null" : new String(r.key(), StandardCharsets.UTF_8)) + "="
                            + new String(r.value(), StandardCharsets.UTF_8));
                }
            }
        }
        return values;
    }

    @Test
    void namesEachRejectedRecordByIndexAndWritesOnlyTheOthers() throws Exception {
        startBroker();
        startServer(IngestSettings.defaults(), ApiKeys.none());
        String ndjson = String.join("\n",
                payment("ok1", "m1", "1"),
                payment("nomerchant", null, "1"),
                "{\"payment_id\":\"nullmerchant\",\"merchant\":null,\"amount\":1,\"ts\":\"" + TS + "\"}",
                payment("noamount", "m1", null),
                "{\"payment_id\":\"badamount\",\"merchant\":\"m\",\"amount\":\"x\",\"ts\":\"" + TS + "\"}",
                "{\"payment_id\":\"notime\",\"merchant\":\"m\",\"amount\":1}",
                "not json",
                "",
                payment("ok2", "m2", "2"));

        HttpResponse<String> r = post("application/x-ndjson", ndjson);

        assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
        JsonNode body = JSON.readTree(r.body());
        assertThat(body.get("accepted").asInt()).isEqualTo(2);
        assertThat(body.get("rejected").asInt()).isEqualTo(6);
        List<String> rejections = new ArrayList<>();
        body.get("rejections").forEach(j -> rejections.add(j.get("index").asInt() + "@" + j.get("line").asInt() + ": " + j.get("reason").asText()));
        String missing = "; the schema declares it NOT NULL (or it is the event-id column)";
        assertThat(rejections).containsExactly(
                "1@2: pipeline 'fraud', source 'payments': required field 'merchant' is missing" + missing,
                "2@3: pipeline 'fraud', source 'payments': required field 'merchant' is null" + missing,
                "3@4: pipeline 'revenue', source 'pay': required field 'amount' is missing" + missing,
                "4@5: pipeline 'fraud', source 'payments': field 'amount': expected DECIMAL(12, 2), got \"x\"",
                "5@6: pipeline 'fraud', source 'payments': event-time field 'ts' is missing or null",
                "6@7: pipeline 'fraud', source 'payments': invalid JSON: Unrecognized token 'not': was expecting (JSON String, Number, "
                        + "Array, Object or token 'null', 'true' or 'false') at byte 4");
        assertThat(topic(stream)).containsExactlyInAnyOrder(payment("ok1", "m1", "1"), payment("ok2", "m2", "2"));

        HttpResponse<String> allBad = post("application/json", "[" + payment("x", null, "1") + "]");
        assertThat(allBad.statusCode()).isEqualTo(422);
        assertThat(JSON.readTree(allBad.body()).get("accepted").asInt()).isZero();
        HttpResponse<String> brokenArray = post("application/json", "[" + payment("x", "m", "1") + ", {\"a\": ]");
        assertThat(brokenArray.statusCode()).isEqualTo(400);
        assertThat(JSON.readTree(brokenArray.body()).get("detail").asText()).startsWith("the body is not a well-formed JSON array: ");
        assertThat(post("nosuch", "application/json", payment("x", "m", "1").getBytes(StandardCharsets.UTF_8)).statusCode()).isEqualTo(404);
        assertThat(post("text/plain", payment("x", "m", "1")).statusCode()).isEqualTo(415);
        assertThat(topic(stream)).hasSize(2);
    }

    @Test
    void keysLimitsAndRates() throws Exception {
        startBroker();
        Path keyFile = dir.resolve("keys");
        String global = ApiKeys.create(keyFile, "ops", Optional.empty(), 0, new SecureRandom());
        String scoped = ApiKeys.create(keyFile, "shop", Optional.of(stream), 0, new SecureRandom());
        String other = ApiKeys.create(keyFile, "iot", Optional.of("sensors"), 0, new SecureRandom());
        String slow = ApiKeys.create(keyFile, "slow", Optional.of(stream), 3, new SecureRandom());
        // A clock that stands still: the rate limiter's buckets do not refill however slow the machine is.
        startServer(IngestSettings.defaults().withMaxBodySize(2_000).withMaxDecompressedSize(10_000), ApiKeys.load(keyFile),
                Clock.fixed(Instant.now(), java.time.ZoneOffset.UTC));
        String one = payment("k1", "m", "1");

        assertThat(post("application/json", one).statusCode()).isEqualTo(401);
        assertThat(post("application/json", one, "Authorization", "Bearer sk_00000000_" + "0".repeat(64)).statusCode()).isEqualTo(401);
        assertThat(post("application/json", one, "Authorization", "Bearer " + other).statusCode()).isEqualTo(403);
        assertThat(post("application/json", one, "Authorization", "Bearer " + global).statusCode()).isEqualTo(200);
        assertThat(post("application/json", one, "Authorization", "Bearer " + scoped).statusCode()).isEqualTo(200);
        // A stream key cannot read anything else.
        HttpResponse<String> health = HTTP.send(HttpRequest.newBuilder(URI.create(base.replace("streams/", "health")))
                .header("Authorization", "Bearer " + scoped).build(), HttpResponse.BodyHandlers.ofString());
        assertThat(health.statusCode()).isEqualTo(401);

        StringBuilder big = new StringBuilder();
        while (big.length() <= 2_000) {
            big.append(one).append('\n');
        }
        HttpResponse<String> tooLarge = post("application/x-ndjson", big.toString(), "Authorization", "Bearer " + global);
        assertThat(tooLarge.statusCode()).isEqualTo(413);
        assertThat(JSON.readTree(tooLarge.body()).get("detail").asText()).startsWith("the body is larger than ingest.max-body-size (2000 bytes)");
        // 1 MB of spaces compresses to about 1 KB: small as sent, far too large inflated.
        byte[] bomb = gzip((one + " ".repeat(1_000_000)).getBytes(StandardCharsets.UTF_8));
        assertThat(bomb.length).isLessThan(2_000);
        HttpResponse<String> inflated = post(stream, "application/json", bomb, "Authorization", "Bearer " + global,
                "Content-Encoding", "gzip");
        assertThat(inflated.statusCode()).isEqualTo(413);
        assertThat(JSON.readTree(inflated.body()).get("detail").asText()).startsWith("the gzip body inflates to more than "
                + "ingest.max-decompressed-size (10000 bytes)");

        // rate=3: one second's worth at once, then 429 with Retry-After.
        String three = payment("r1", "m", "1") + "\n" + payment("r2", "m", "1") + "\n" + payment("r3", "m", "1");
        assertThat(post("application/x-ndjson", three, "Authorization", "Bearer " + slow).statusCode()).isEqualTo(200);
        HttpResponse<String> limited = post("application/json", one, "Authorization", "Bearer " + slow);
        assertThat(limited.statusCode()).isEqualTo(429);
        assertThat(limited.headers().firstValue("Retry-After")).hasValue("1");
        // Other keys have their own buckets.
        assertThat(post("application/json", one, "Authorization", "Bearer " + scoped).statusCode()).isEqualTo(200);

        // Revoked keys stop working within a second, without a restart.
        String scopedId = scoped.substring(3, 11);
        assertThat(ApiKeys.revoke(keyFile, scopedId)).isTrue();
        // A record every source rejects (422 while the key works), so that polling writes nothing.
        String rejected = payment("k2", null, null);
        org.awaitility.Awaitility.await().atMost(Duration.ofSeconds(5)).until(() ->
                post("application/json", rejected, "Authorization", "Bearer " + scoped).statusCode() == 401);
        assertThat(topic(stream)).hasSize(6);
    }

    @Test
    void aRetryWithTheSameIdempotencyKeyWritesNothingAgainAlsoAfterARestart() throws Exception {
        startBroker();
        startServer(IngestSettings.defaults(), ApiKeys.none());
        String batch = payment("i1", "m", "1") + "\n" + payment("i2", null, "1") + "\n" + payment("i3", "m", "3");

        HttpResponse<String> first = post("application/x-ndjson", batch, "Idempotency-Key", "batch-1");
        HttpResponse<String> again = post("application/x-ndjson", batch, "Idempotency-Key", "batch-1");

        assertThat(first.statusCode()).isEqualTo(200);
        assertThat(again.statusCode()).isEqualTo(200);
        assertThat(JSON.readTree(again.body())).isEqualTo(JSON.readTree(first.body()));
        assertThat(again.headers().firstValue("Idempotent-Replayed")).hasValue("true");
        assertThat(first.headers().firstValue("Idempotent-Replayed")).isEmpty();
        assertThat(topic(stream)).hasSize(2);

        stopServer();
        startServer(IngestSettings.defaults(), ApiKeys.none());

        HttpResponse<String> afterRestart = post("application/x-ndjson", batch, "Idempotency-Key", "batch-1");
        assertThat(afterRestart.statusCode()).isEqualTo(200);
        assertThat(JSON.readTree(afterRestart.body())).isEqualTo(JSON.readTree(first.body()));
        assertThat(afterRestart.headers().firstValue("Idempotent-Replayed")).hasValue("true");
        HttpResponse<String> otherBody = post("application/json", payment("i9", "m", "9"), "Idempotency-Key", "batch-1");
        assertThat(otherBody.statusCode()).isEqualTo(422);
        assertThat(post("application/json", payment("i4", "m", "4"), "Idempotency-Key", "batch-2").statusCode()).isEqualTo(200);
        assertThat(topic(stream)).containsExactlyInAnyOrder(payment("i1", "m", "1"), payment("i3", "m", "3"), payment("i4", "m", "4"));
    }

    @Test
    void answers503WithRetryAfterWithinTheTimeoutWhenTheBrokerIsDown() throws Exception {
        startBroker(true);
        Duration timeout = Duration.ofSeconds(2);
        startServer(IngestSettings.defaults().withTimeout(timeout), ApiKeys.none());
        assertThat(post("application/json", payment("up", "m", "1")).statusCode()).isEqualTo(200);

        kafka.close();
        kafka = null;

        for (String key : new String[] {null, "while-down"}) {
            long start = System.nanoTime();
            HttpResponse<String> r = key == null ? post("application/json", payment("down", "m", "1"))
                    : post("application/json", payment("down", "m", "1"), "Idempotency-Key", key);
            long millis = (System.nanoTime() - start) / 1_000_000;
            assertThat(r.statusCode()).as(r.body()).isEqualTo(503);
            assertThat(r.headers().firstValue("Retry-After")).hasValue("1");
            assertThat(JSON.readTree(r.body()).get("error").asText()).isEqualTo("unavailable");
            assertThat(millis).as("answered within the timeout and a margin").isLessThan(timeout.toMillis() + 1_500);
        }
        // Not closed by close(): the admin client would wait for the broker that is gone.
        admin = null;
    }
}
