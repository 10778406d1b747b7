package dev.sluice.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.sluice.spec.PipelineSpec;
import dev.sluice.spec.SpecParser;
import dev.sluice.storage.QueryScope;
import dev.sluice.storage.QueryService;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import java.util.TreeMap;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Dead letters replayed after the pipeline was fixed: exactly the dead letters that now parse are counted, once, however
 * often the replay runs, and the ledger says what was replayed where.
 */
class DeadLetterReplayIT {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Instant T0 = Instant.parse("2026-01-01T00:00:00Z");
    // Version 1 takes whole amounts only; version 2, the fix, takes cents too.
    private static final String V1 = """
            name: shop
            sources:
              - name: orders
                topic: orders
                partitions: 1
                schema:
                  id: STRING
                  k: STRING
                  amount: INT
                  ts: TIMESTAMP(3)
                event-time: {column: ts, max-out-of-orderness: 1h}
            views:
              - name: totals
                sql: SELECT k, COUNT(*) AS n FROM orders GROUP BY k
            sinks:
              - view: totals
                primary-key: [k]
            """;
    private static final String V2 = V1.replace("amount: INT", "amount: DECIMAL(10, 2)");

    @TempDir
    Path dir;

    @Test
    void replaysEachFixedDeadLetterExactlyOnce() throws Exception {
        ServerSettings settings = new ServerSettings(dir.resolve("data"), Optional.empty(), 0, new Properties(), "localhost", 0, 1,
                Duration.ofMillis(500));
        Map<String, Long> expected = new TreeMap<>();
        try (SluiceServer server = SluiceServer.start(spec(V1), settings)) {
            String api = "http://localhost:" + server.httpPort() + "/api/v1/pipelines/shop";
            List<String> records = new ArrayList<>();
            for (int i = 0; i < 30; i++) {
                String k = "k" + (i % 3);
                boolean cents = i % 5 == 0; // 6 of 30 have cents and fail version 1
                records.add("{\"id\":\"o" + i + "\",\"k\":\"" + k + "\",\"amount\":" + (cents ? "12.5" : "12") + ",\"ts\":\""
                        + T0.plusSeconds(i) + "\"}");
                expected.merge(k, 1L, Long::sum);
            }
            records.add("{\"id\":\"broken\""); // not JSON: stays a dead letter after the fix
            send(server, records);
            await().atMost(Duration.ofSeconds(60)).untilAsserted(() -> {
                assertThat(count(server, "SELECT COUNT(*) FROM dead_letters")).isEqualTo(7);
                assertThat(count(server, "SELECT SUM(n) FROM totals")).isEqualTo(24);
            });

            JsonNode dryRun = post(api + "/dlq/orders/replay", "{\"dryRun\": true}");
            assertThat(dryRun.path("replayed").asInt()).isEqualTo(7);

            server.deploy(spec(V2));
            JsonNode onlyCents = post(api + "/dlq/orders/replay", "{\"reasonLike\": \"%expected INT%\"}");
            assertThat(onlyCents.path("replayed").asInt()).isEqualTo(6);
            assertThat(onlyCents.path("alreadyReplayed").asInt()).isZero();
            await().atMost(Duration.ofSeconds(60)).untilAsserted(() -> assertThat(totals(server)).isEqualTo(expected));

            JsonNode again = post(api + "/dlq/orders/replay", "{}");
            assertThat(again.path("replayed").asInt()).isEqualTo(1); // the broken one, which fails again
            assertThat(again.path("alreadyReplayed").asInt()).isEqualTo(6);
            JsonNode third = post(api + "/dlq/orders/replay", "{\"reasonLike\": \"%expected INT%\"}");
            assertThat(third.path("replayed").asInt()).isZero();
            assertThat(third.path("alreadyReplayed").asInt()).isEqualTo(6);

            // A marker behind the replays in the one partition: once it is counted, so is everything before it.
            send(server, List.of("{\"id\":\"marker\",\"k\":\"marker\",\"amount\":1,\"ts\":\"" + T0.plusSeconds(100) + "\"}"));
            expected.put("marker", 1L);
            await().atMost(Duration.ofSeconds(60)).untilAsserted(() -> assertThat(totals(server)).isEqualTo(expected));
            await().atMost(Duration.ofSeconds(60)).untilAsserted(() ->
                    assertThat(count(server, "SELECT COUNT(*) FROM dead_letters")).isEqualTo(8)); // the broken record, twice

            JsonNode ledger = get(api + "/dlq-replays?limit=100");
            assertThat(ledger.path("replays")).hasSize(7);
            assertThat(ledger.path("replays").get(0).path("sentTo").asText()).startsWith("orders/0/");
            JsonNode listed = get(api + "/dlq/orders?limit=100");
            assertThat(listed.path("deadLetters")).hasSize(8);
            JsonNode summary = get(api + "/dlq");
            assertThat(summary.at("/sources/0/deadLetters").asLong()).isEqualTo(8);
            assertThat(summary.at("/sources/0/replayed").asLong()).isEqualTo(7);
        }
    }

    private PipelineSpec spec(String yaml) throws Exception {
        Path file = Files.writeString(dir.resolve("shop.yaml"), yaml);
        return new SpecParser().parse(file);
    }

    private static void send(SluiceServer server, List<String> values) throws Exception {
        Properties p = new Properties();
        p.setProperty(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, server.bootstrapServers());
        p.setProperty(ProducerConfig.ACKS_CONFIG, "all");
        try (KafkaProducer<String, String> producer = new KafkaProducer<>(p, new StringSerializer(), new StringSerializer())) {
            for (String v : values) {
                producer.send(new ProducerRecord<>("orders", v)).get();
            }
        }
    }

    private static long count(SluiceServer server, String sql) {
        Object v = new QueryService(server.store()).query(sql, 1, QueryScope.pipeline("shop")).rows().get(0).get(0);
        return v == null ? 0 : ((Number) v).longValue();
    }

    private static Map<String, Long> totals(SluiceServer server) {
        Map<String, Long> totals = new TreeMap<>();
        for (List<Object> row : new QueryService(server.store()).query("SELECT k, n FROM totals", 100, QueryScope.pipeline("shop")).rows()) {
            totals.put((String) row.get(0), ((Number) row.get(1)).longValue());
        }
        return totals;
    }

    private static JsonNode get(String url) throws Exception {
        HttpResponse<String> r = HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create(url)).build(), HttpResponse.BodyHandlers.ofString());
        assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
        return JSON.readTree(r.body());
    }

    private static JsonNode post(String url, String json) throws Exception {
        HttpResponse<String> r = HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create(url)).header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(json)).build(), HttpResponse.BodyHandlers.ofString());
        assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
        return JSON.readTree(r.body());
    }
}
