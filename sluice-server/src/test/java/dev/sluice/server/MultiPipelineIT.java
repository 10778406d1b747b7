package dev.sluice.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.sluice.engine.PipelineCompiler;
import dev.sluice.spec.PipelineSpec;
import dev.sluice.spec.SpecParser;
import dev.sluice.storage.QueryScope;
import dev.sluice.storage.QueryService;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.time.LocalDateTime;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import java.util.TreeMap;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Several pipelines on one server: one embedded broker, one Flink cluster, one DuckDB file. Two pipelines read the same
 * topic and both have a table {@code alerts}; a third crash-loops on a bad record; a fourth is deployed over the API and
 * removed, and the second upgraded (once refused by Flink, once by storage), while the others run; then the whole
 * server restarts. Every table must
 * equal what this test computes from the events it sent.
 */
class MultiPipelineIT {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final LocalDateTime T0 = LocalDateTime.of(2026, 1, 1, 0, 0);
    private static final HttpClient HTTP = HttpClient.newHttpClient();

    /** Events of users on pages; {@code n} is what the pipelines filter and sum. */
    static final String ALPHA = """
            name: alpha
            sources:
              - name: clicks
                topic: clicks
                partitions: 2
                schema: {id: STRING, user_id: STRING, page: STRING, n: BIGINT, ts: TIMESTAMP(3)}
                event-time: {column: ts, max-out-of-orderness: 5s}
            views:
              - name: alerts
                sql: SELECT id, user_id, n FROM clicks WHERE n >= 10
            sinks:
              - view: alerts
                primary-key: [id]
            """;
    /** Reads the same topic under another source name, and also has a table called alerts. */
    static final String BETA = """
            name: beta
            sources:
              - name: events
                topic: clicks
                partitions: 2
                schema: {id: STRING, user_id: STRING, page: STRING, n: BIGINT, ts: TIMESTAMP(3)}
                event-time: {column: ts, max-out-of-orderness: 5s}
            views:
              - name: alerts
                sql: SELECT user_id, COUNT(*) AS clicks, SUM(n) AS total FROM events GROUP BY user_id
            sinks:
              - view: alerts
                primary-key: [user_id]
            """;
    /** Fails its job on the first record that does not parse, and again after every restart: a crash loop. */
    static final String GAMMA = """
            name: gamma
            sources:
              - name: sensors
                topic: sensors
                partitions: 1
                schema: {id: STRING, v: BIGINT, ts: TIMESTAMP(3)}
                event-time: {column: ts}
                on-error: fail
            views:
              - name: readings
                sql: SELECT id, v FROM sensors
            sinks:
              - view: readings
                primary-key: [id]
            """;
    /** Deployed at runtime over the API: views per page, over everything in the shared topic. */
    static final String DELTA = """
            name: delta
            sources:
              - name: clicks
                topic: clicks
                partitions: 2
                schema: {id: STRING, user_id: STRING, page: STRING, n: BIGINT, ts: TIMESTAMP(3)}
                event-time: {column: ts, max-out-of-orderness: 5s}
            views:
              - name: alerts
                sql: SELECT page, COUNT(*) AS page_views FROM clicks GROUP BY page
            sinks:
              - view: alerts
                primary-key: [page]
            """;

    @TempDir
    Path dir;

    record Click(String id, String user, String page, long n, int second) {
        String json() {
            return "{\"id\":\"" + id + "\",\"user_id\":\"" + user + "\",\"page\":\"" + page + "\",\"n\":" + n + ",\"ts\":\""
                    + T0.plusSeconds(second) + "\"}";
        }
    }

    @Test
    void pipelinesRunSideBySideAndFailAlone() throws Exception {
        List<Click> batch1 = clicks(0, 60);
        List<Click> sent = new ArrayList<>(batch1);
        ServerSettings settings = new ServerSettings(dir.resolve("data"), Optional.empty(), 0, new Properties(), "localhost", 0, 1,
                Duration.ofMillis(500)).withTaskSlots(4);
        try (SluiceServer server = SluiceServer.start(List.of(spec(ALPHA), spec(BETA), spec(GAMMA)), settings)) {
            String api = "http://localhost:" + server.httpPort() + "/api/v1";
            send(server, "clicks", batch1, List.of("not json at all"));
            send(server, "sensors", List.of(), List.of("{\"id\":\"s1\",\"v\":1,\"ts\":\"2026-01-01T00:00:00\"}", "{broken"));

            awaitExact(server, sent);
            // Both pipelines read the one bad record of the shared topic; each stored it once, in its own dead letters.
            assertThat(rows(server, "alpha", "SELECT source, kafka_offset, record_value FROM dead_letters"))
                    .containsExactly(List.of("clicks", String.valueOf(batch1.size()), "not json at all"));
            assertThat(rows(server, "beta", "SELECT source, kafka_offset, record_value FROM dead_letters"))
                    .containsExactly(List.of("events", String.valueOf(batch1.size()), "not json at all"));

            // The crash-looping pipeline is reported as failing, the engine as down, and the others keep running.
            await().atMost(Duration.ofMinutes(1)).untilAsserted(() -> {
                JsonNode gamma = JSON.readTree(get(api + "/pipelines/gamma").body());
                assertThat(gamma.get("state").asText()).isEqualTo("FAILING");
                assertThat(gamma.get("failure").asText()).contains("{broken");
            });
            HttpResponse<String> health = get(api + "/health");
            assertThat(health.statusCode()).isEqualTo(503);
            assertThat(JSON.readTree(health.body()).at("/components/engine/detail").asText())
                    .contains("'gamma'", "is FAILING", "'alpha'", "'beta'");
            List<Click> batch2 = clicks(60, 40);
            send(server, "clicks", batch2, List.of());
            sent.addAll(batch2);
            awaitExact(server, sent);
            assertThat(server.status("alpha").state()).isEqualTo("RUNNING");
            assertThat(server.status("beta").state()).isEqualTo("RUNNING");
            assertThat(server.status("gamma").state()).isEqualTo("FAILING");
            // CPU per pipeline is measured per thread: the two working pipelines used some, and what is attributed to
            // pipelines and to nobody is never more than the process used.
            await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> {
                JsonNode all = JSON.readTree(get(api + "/pipelines").body());
                JsonNode resources = all.get("resources");
                assertThat(resources.get("taskSlots").asInt()).isEqualTo(4);
                assertThat(resources.get("taskSlotsUsed").asInt()).isEqualTo(3);
                assertThat(resources.get("heapMaxBytes").asLong()).isPositive();
                double attributed = resources.get("sharedCpuSeconds").asDouble();
                for (JsonNode p : all.get("pipelines")) {
                    attributed += p.at("/resources/cpuSeconds").asDouble();
                }
                assertThat(attributed).isLessThanOrEqualTo(resources.get("cpuSeconds").asDouble() * 1.05);
                for (String name : List.of("alpha", "beta")) {
                    JsonNode one = JSON.readTree(get(api + "/pipelines/" + name).body()).get("resources");
                    assertThat(one.get("cpuSeconds").asDouble()).as(name + " CPU seconds").isPositive();
                    assertThat(one.get("stateBytes").asLong()).as(name + " state size").isGreaterThanOrEqualTo(0);
                }
            });

            // A fourth pipeline over the API: it takes the last free slot, a fifth does not fit.
            HttpResponse<String> invalid = postYaml(api + "/pipelines", DELTA.replace("GROUP BY page", "GROUP BY pag"));
            assertThat(invalid.statusCode()).isEqualTo(400);
            assertThat(JSON.readTree(invalid.body()).get("problems").get(0).asText())
                    .startsWith("delta.yaml:10:").contains("views[0].sql: view 'alerts': SQL validation failed.", "Column 'pag' not found");
            HttpResponse<String> deployed = postYaml(api + "/pipelines", DELTA);
            assertThat(deployed.statusCode()).as(deployed.body()).isEqualTo(201);
            assertThat(JSON.readTree(deployed.body()).get("taskSlots").asInt()).isEqualTo(1);
            HttpResponse<String> full = postYaml(api + "/pipelines", DELTA.replace("name: delta", "name: epsilon"));
            assertThat(full.statusCode()).isEqualTo(409);
            assertThat(JSON.readTree(full.body()).get("detail").asText()).isEqualTo("Cannot deploy pipeline 'epsilon': it needs 1 task"
                    + " slots, but only 0 of the Flink cluster's 4 are free (alpha uses 1, beta uses 1, gamma uses 1, delta uses 1)."
                    + " Remove a pipeline, or start the server with more --task-slots");
            await().atMost(Duration.ofMinutes(2)).untilAsserted(() -> assertThat(
                    query(api + "/pipelines/delta/query", "SELECT page, page_views FROM alerts ORDER BY page")).isEqualTo(viewsPerPage(sent)));

            // Upgrading beta: stopped with a savepoint, started again from it; its counts go on, never restart from zero.
            HttpResponse<String> upgraded = postYaml(api + "/pipelines", BETA);
            assertThat(upgraded.statusCode()).as(upgraded.body()).isEqualTo(200);
            List<Click> batch3 = clicks(100, 30);
            send(server, "clicks", batch3, List.of());
            sent.addAll(batch3);
            awaitExact(server, sent);
            assertThat(server.pipeline("beta").restoredFrom()).hasValueSatisfying(p ->
                    assertThat(p.toString()).contains("savepoints"));

            // A version whose table has other columns is refused before the running version is touched.
            HttpResponse<String> otherColumns = postYaml(api + "/pipelines", BETA.replace("SUM(n) AS total", "SUM(n) AS sum_n"));
            assertThat(otherColumns.statusCode()).as(otherColumns.body()).isEqualTo(409);
            assertThat(JSON.readTree(otherColumns.body()).get("detail").asText()).startsWith("Cannot deploy pipeline 'beta': Table "
                    + "'beta.alerts' in <data-dir>/sluice.duckdb exists with columns (user_id VARCHAR, clicks BIGINT, total BIGINT) with "
                    + "primary key [user_id] but its definition expects (user_id VARCHAR, clicks BIGINT, sum_n BIGINT) with primary key [user_id]");
            assertThat(server.status("beta").state()).isEqualTo("RUNNING");

            // A version whose state has no place in the new job (the aggregation is gone) is refused before anything stops.
            HttpResponse<String> incompatible = postYaml(api + "/pipelines",
                    BETA.replace("SELECT user_id, COUNT(*) AS clicks, SUM(n) AS total FROM events GROUP BY user_id",
                            "SELECT user_id, CAST(1 AS BIGINT) AS clicks, n AS total FROM events"));
            assertThat(incompatible.statusCode()).as(incompatible.body()).isEqualTo(409);
            assertThat(JSON.readTree(incompatible.body()).get("detail").asText())
                    .startsWith("The new version of pipeline 'beta' cannot take over the state of the previous one: "
                            + "GroupAggregate(groupBy=[user_id], select=[user_id, COUNT(*) AS clicks, SUM(n) AS total]) holds ")
                    .contains("is not in the new version", "What changed in the pipeline file: view 'alerts' changed.",
                            "The running version keeps running.", "--allow-state-reset");
            assertThat(server.status("beta").state()).isEqualTo("RUNNING");
            // The same version again is an upgrade from its own savepoint.
            assertThat(postYaml(api + "/pipelines", BETA).statusCode()).isEqualTo(200);
            assertThat(server.pipeline("beta").restoredFrom()).hasValueSatisfying(p ->
                    assertThat(p.toString()).contains("savepoints"));

            // Removing delta stops it and keeps its table; the others go on.
            assertThat(delete(api + "/pipelines/delta").statusCode()).isEqualTo(200);
            assertThat(delete(api + "/pipelines/delta").statusCode()).isEqualTo(404);
            assertThat(get(api + "/pipelines/delta").statusCode()).isEqualTo(404);
            List<String> names = new ArrayList<>();
            JSON.readTree(get(api + "/pipelines").body()).get("pipelines").forEach(p -> names.add(p.get("name").asText()));
            // An upgrade keeps the pipeline's place in the list.
            assertThat(names).containsExactly("alpha", "beta", "gamma");
            assertThat(query(api + "/query", "SELECT page, page_views FROM delta.alerts ORDER BY page")).isEqualTo(viewsPerPage(sent));
            assertThat(JSON.readTree(get(api + "/pipelines/alpha/tables/alerts?limit=1").body()).get("truncated").asBoolean()).isTrue();
            HttpResponse<String> otherSchema = post(api + "/pipelines/alpha/query", "{\"sql\": \"SELECT * FROM beta.alerts\"}");
            assertThat(otherSchema.statusCode()).isEqualTo(400);
            List<Click> batch4 = clicks(130, 20);
            send(server, "clicks", batch4, List.of());
            sent.addAll(batch4);
            awaitExact(server, sent);
            assertThat(server.status("alpha").lateRecordsDropped()).isZero();
            assertThat(server.status("beta").lateEvents()).isZero();
        }

        // A restart of the whole server: each pipeline resumes from its own savepoint under its fixed job id, each loader
        // from its own offsets, and nothing is loaded twice.
        try (SluiceServer server = SluiceServer.start(List.of(spec(ALPHA), spec(BETA)), settings)) {
            for (String name : List.of("alpha", "beta")) {
                assertThat(server.pipeline(name).restoredFrom()).as(name).hasValueSatisfying(p ->
                        assertThat(p.toString()).contains("pipelines/" + name + "/savepoints/"));
                assertThat(server.runner(name).jobId()).isEqualTo(PipelineCompiler.jobId(name).toHexString());
            }
            List<Click> batch5 = clicks(150, 20);
            send(server, "clicks", batch5, List.of());
            sent.addAll(batch5);
            awaitExact(server, sent);
            assertThat(rows(server, "alpha", "SELECT count(*) FROM dead_letters")).containsExactly(List.of("1"));
            assertThat(rows(server, "beta", "SELECT count(*) FROM dead_letters")).containsExactly(List.of("1"));
        }
    }

    /** {@code count} clicks from second {@code from} on, one per second, some with n >= 10. */
    private static List<Click> clicks(int from, int count) {
        List<Click> clicks = new ArrayList<>();
        for (int i = from; i < from + count; i++) {
            clicks.add(new Click("c" + i, "u" + (i % 7), "p" + (i % 3), (i * 37L) % 23, i));
        }
        return clicks;
    }

    private static void awaitExact(SluiceServer server, List<Click> sent) {
        await().atMost(Duration.ofMinutes(2)).untilAsserted(() -> {
            assertThat(rows(server, "alpha", "SELECT id, user_id, n FROM alerts ORDER BY id")).isEqualTo(alphaAlerts(sent));
            assertThat(rows(server, "beta", "SELECT user_id, clicks, total FROM alerts ORDER BY user_id")).isEqualTo(betaAlerts(sent));
        });
    }

    static List<List<String>> alphaAlerts(List<Click> sent) {
        TreeMap<String, List<String>> byId = new TreeMap<>();
        for (Click c : sent) {
            if (c.n() >= 10) {
                byId.put(c.id(), List.of(c.id(), c.user(), Long.toString(c.n())));
            }
        }
        return new ArrayList<>(byId.values());
    }

    static List<List<String>> betaAlerts(List<Click> sent) {
        TreeMap<String, long[]> byUser = new TreeMap<>();
        for (Click c : sent) {
            long[] agg = byUser.computeIfAbsent(c.user(), u -> new long[2]);
            agg[0]++;
            agg[1] += c.n();
        }
        List<List<String>> rows = new ArrayList<>();
        byUser.forEach((u, agg) -> rows.add(List.of(u, Long.toString(agg[0]), Long.toString(agg[1]))));
        return rows;
    }

    static List<List<String>> viewsPerPage(List<Click> sent) {
        TreeMap<String, Long> byPage = new TreeMap<>();
        for (Click c : sent) {
            byPage.merge(c.page(), 1L, Long::sum);
        }
        List<List<String>> rows = new ArrayList<>();
        byPage.forEach((p, n) -> rows.add(List.of(p, Long.toString(n))));
        return rows;
    }

    private PipelineSpec spec(String yaml) {
        String name = yaml.substring("name: ".length(), yaml.indexOf('\n'));
        return new SpecParser().parse(yaml, dir.resolve(name + ".yaml"));
    }

    private static void send(SluiceServer server, String topic, List<Click> clicks, List<String> raw) throws Exception {
        Properties p = new Properties();
        p.setProperty("bootstrap.servers", server.bootstrapServers());
        p.setProperty("acks", "all");
        try (KafkaProducer<String, String> producer = new KafkaProducer<>(p, new StringSerializer(), new StringSerializer())) {
            for (Click c : clicks) {
                producer.send(new ProducerRecord<>(topic, 0, c.user(), c.json())).get();
            }
            for (String r : raw) {
                producer.send(new ProducerRecord<>(topic, 0, "bad", r)).get();
            }
        }
    }

    private static List<List<String>> rows(SluiceServer server, String pipeline, String sql) {
        List<List<String>> rows = new ArrayList<>();
        for (List<Object> row : new QueryService(server.store()).query(sql, 10_000, QueryScope.pipeline(pipeline)).rows()) {
            rows.add(row.stream().map(String::valueOf).toList());
        }
        return rows;
    }

    private static List<List<String>> query(String url, String sql) throws Exception {
        HttpResponse<String> r = post(url, JSON.writeValueAsString(Map.of("sql", sql)));
        assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
        List<List<String>> rows = new ArrayList<>();
        for (JsonNode row : JSON.readTree(r.body()).get("rows")) {
            List<String> values = new ArrayList<>();
            row.forEach(v -> values.add(v.asText()));
            rows.add(values);
        }
        return rows;
    }

    private static HttpResponse<String> get(String url) throws Exception {
        return HTTP.send(HttpRequest.newBuilder(URI.create(url)).GET().build(), HttpResponse.BodyHandlers.ofString());
    }

    private static HttpResponse<String> delete(String url) throws Exception {
        return HTTP.send(HttpRequest.newBuilder(URI.create(url)).DELETE().build(), HttpResponse.BodyHandlers.ofString());
    }

    private static HttpResponse<String> post(String url, String json) throws Exception {
        return HTTP.send(HttpRequest.newBuilder(URI.create(url)).header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(json)).build(), HttpResponse.BodyHandlers.ofString());
    }

    private static HttpResponse<String> postYaml(String url, String yaml) throws Exception {
        String name = yaml.substring("name: ".length(), yaml.indexOf('\n'));
        return HTTP.send(HttpRequest.newBuilder(URI.create(url)).header("Content-Type", "application/yaml")
                .header(ApiServer.PIPELINE_FILE_HEADER, name + ".yaml")
                .POST(HttpRequest.BodyPublishers.ofString(yaml)).build(), HttpResponse.BodyHandlers.ofString());
    }
}
