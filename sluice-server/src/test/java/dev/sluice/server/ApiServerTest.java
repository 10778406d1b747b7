package dev.sluice.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.sluice.SluiceException;
import dev.sluice.spec.ColumnSpec;
import dev.sluice.spec.SinkSpec;
import dev.sluice.storage.DuckDbStore;
import dev.sluice.storage.LoadBatch;
import dev.sluice.storage.QueryLimits;
import dev.sluice.storage.QueryService;
import dev.sluice.storage.TableDefinition;
import java.io.IOException;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The HTTP layer over a real DuckDB store, with a fake in place of the running pipeline. */
class ApiServerTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final HttpClient HTTP = HttpClient.newHttpClient();

    @TempDir
    Path dir;
    DuckDbStore store;
    ApiServer api;
    String base;
    final FakeStatus status = new FakeStatus();

    @BeforeEach
    void openStore() {
        store = DuckDbStore.open(dir.resolve("sluice.duckdb"));
        store.ensureTable(new TableDefinition("t", "t-results", List.of(new ColumnSpec("id", "STRING", null), new ColumnSpec("n", "BIGINT", null)),
                List.of("id"), SinkSpec.Mode.UPSERT));
        store.write(LoadBatch.builder().row("t", "a", "1").row("t", "b", "2").build());
    }

    @AfterEach
    void close() {
        if (api != null) {
            api.close();
        }
        store.close();
    }

    private void start(QueryLimits limits, ApiKeys keys) {
        ServerSettings settings = new ServerSettings(dir, Optional.empty(), 0, new Properties(), "localhost", 0, 1, Duration.ofSeconds(1))
                .withApiKeys(keys);
        api = ApiServer.start(status, new QueryService(store, limits, Clock.systemUTC()), settings);
        base = "http://localhost:" + api.port() + "/api/v1";
    }

    private void start() {
        start(QueryLimits.defaults(), ApiKeys.none());
    }

    @Test
    void answersAQuery() throws Exception {
        start();

        HttpResponse<String> r = query("SELECT id, n FROM t ORDER BY id");

        assertThat(r.statusCode()).isEqualTo(200);
        assertThat(r.body()).isEqualTo("{\"columns\":[{\"name\":\"id\",\"type\":\"VARCHAR\"},{\"name\":\"n\",\"type\":\"BIGINT\"}],"
                + "\"rows\":[[\"a\",1],[\"b\",2]],\"truncated\":false}");
    }

    @Test
    void refusesTheReproductionOfIssue5With400NamingTheFunction() throws Exception {
        start();

        HttpResponse<String> r = query("SELECT * FROM json_execute_serialized_sql(json_serialize_sql("
                + "'SELECT * FROM enable_logging(storage=''file'', storage_path=''" + dir.resolve("x") + "'')'))");

        assertThat(r.statusCode()).isEqualTo(400);
        assertThat(JSON.readTree(r.body())).isEqualTo(JSON.readTree("{\"error\": \"query refused\", \"detail\": "
                + "\"the function json_execute_serialized_sql() is not allowed; queries may call only the functions listed in docs/security.md\"}"));
        assertThat(query("SELECT count(*) FROM t").statusCode()).as("still serving").isEqualTo(200);
    }

    @Test
    void aValueTheDriverCannotReadIs400Not500() throws Exception {
        start();

        HttpResponse<String> r = query("SELECT TIME '24:00:00' AS t");

        assertThat(r.statusCode()).isEqualTo(400);
        assertThat(JSON.readTree(r.body()).get("error").asText()).isEqualTo("query failed");
        assertThat(JSON.readTree(r.body()).get("detail").asText())
                .isEqualTo("query failed: cannot read column 't' (TIME) of row 1: Invalid value for NanoOfDay (valid values 0 - 86399999999999): 86400000000000");
    }

    @Test
    void aResultTooLargeToSendIs400() throws Exception {
        start();

        HttpResponse<String> r = query("SELECT repeat('x', 100000) FROM range(10000)");

        assertThat(r.statusCode()).isEqualTo(400);
        assertThat(JSON.readTree(r.body()).get("detail").asText())
                .isEqualTo("query failed: the result is larger than the limit of 16 MiB (reached in row 168); ask for fewer rows or columns, e.g. with LIMIT");
    }

    @Test
    void queriesBeyondTheConcurrencyLimitGet429() throws Exception {
        start(new QueryLimits(Duration.ofSeconds(3), 1 << 20, 1), ApiKeys.none());
        CompletableFuture<HttpResponse<String>> slow = HTTP.sendAsync(post("/query",
                "{\"sql\": \"SELECT count(*) FROM range(1000000000000) a(i) WHERE i % 7 = 3\"}"), HttpResponse.BodyHandlers.ofString());
        await().atMost(Duration.ofSeconds(10)).until(() -> query("SELECT 1").statusCode() == 429);

        HttpResponse<String> busy = query("SELECT 1");

        assertThat(busy.statusCode()).isEqualTo(429);
        assertThat(busy.headers().firstValue("Retry-After")).hasValue("1");
        assertThat(JSON.readTree(busy.body()).get("detail").asText())
                .isEqualTo("too many queries are running: at most 1 run at a time; try again when one has ended");
        assertThat(slow.get().statusCode()).isEqualTo(400);
        assertThat(JSON.readTree(slow.get().body()).get("detail").asText())
                .isEqualTo("query failed: it took longer than the limit of 3 s and was cancelled");
        assertThat(query("SELECT 1").statusCode()).isEqualTo(200);
    }

    @Test
    void theHostCheckIgnoresCase() throws Exception {
        start();

        assertThat(rawGet("LOCALHOST:" + api.port(), null)).startsWith("HTTP/1.1 200");
        assertThat(rawGet("LocalHost", null)).startsWith("HTTP/1.1 200");
        assertThat(rawGet("rebound.example:" + api.port(), null)).startsWith("HTTP/1.1 403");
    }

    @Test
    void withApiKeysEveryRequestNeedsOneOfThem() throws Exception {
        start(QueryLimits.defaults(), ApiKeys.of("first-key-0123456789", "second-key-0123456789"));

        String missing = rawGet("localhost", null);
        assertThat(missing).startsWith("HTTP/1.1 401").contains("WWW-Authenticate: Bearer realm=\"sluice\"")
                .contains("this server needs an API key: send the header Authorization: Bearer <key>");
        assertThat(rawGet("localhost", "Bearer wrong-key")).startsWith("HTTP/1.1 401").contains("the API key is not one this server accepts");
        assertThat(rawGet("localhost", "Basic Zmlyc3Qta2V5")).startsWith("HTTP/1.1 401");
        assertThat(rawGet("localhost", "Bearer first-key-0123456789")).startsWith("HTTP/1.1 200");
        assertThat(rawGet("localhost", "bearer second-key-0123456789")).startsWith("HTTP/1.1 200");

        HttpResponse<String> unauthorizedQuery = HTTP.send(post("/query", "{\"sql\": \"SELECT 1\"}"), HttpResponse.BodyHandlers.ofString());
        assertThat(unauthorizedQuery.statusCode()).isEqualTo(401);
        HttpResponse<String> unknownPath = HTTP.send(HttpRequest.newBuilder(URI.create(base + "/nothing")).build(), HttpResponse.BodyHandlers.ofString());
        assertThat(unknownPath.statusCode()).as("no endpoint listing without a key").isEqualTo(401);
        HttpResponse<String> authorized = HTTP.send(HttpRequest.newBuilder(URI.create(base + "/query"))
                .header("Content-Type", "application/json").header("Authorization", "Bearer second-key-0123456789")
                .POST(HttpRequest.BodyPublishers.ofString("{\"sql\": \"SELECT count(*) FROM t\"}")).build(), HttpResponse.BodyHandlers.ofString());
        assertThat(authorized.statusCode()).isEqualTo(200);
        assertThat(JSON.readTree(authorized.body()).get("rows").toString()).isEqualTo("[[2]]");
    }

    @Test
    void refusesToListenBeyondLoopbackWithoutKeys() {
        ServerSettings open = new ServerSettings(dir, Optional.empty(), 0, new Properties(), "0.0.0.0", 0, 1, Duration.ofSeconds(1));

        assertThatThrownBy(() -> api = ApiServer.start(status, new QueryService(store), open))
                .isInstanceOf(SluiceException.class)
                .hasMessage("Refusing to serve the REST API on 0.0.0.0 without API keys: anyone who can reach that address could read"
                        + " all of storage. Pass --api-key-file FILE (or set SLUICE_API_KEY_FILE) with the hashes of your keys"
                        + " (see docs/security.md), or bind to localhost.");
    }

    @Test
    void onlyLoopbackAddressesNeedNoKeys() {
        for (String loopback : List.of("localhost", "127.0.0.1", "127.0.0.2", "::1", "[::1]")) {
            ApiServer.checkExposure(loopback, ApiKeys.none());
        }
        for (String exposed : List.of("0.0.0.0", "::", "", "192.0.2.10", "no-such-host.invalid")) {
            assertThatThrownBy(() -> ApiServer.checkExposure(exposed, ApiKeys.none())).as(exposed).isInstanceOf(SluiceException.class);
            ApiServer.checkExposure(exposed, ApiKeys.of("key"));
        }
    }

    @Test
    void errorsAndHealthNameTheDataDirectoryNotItsPath() throws Exception {
        start();
        status.detail = "DuckDB " + dir.toAbsolutePath().resolve("sluice.duckdb");

        JsonNode health = JSON.readTree(HTTP.send(HttpRequest.newBuilder(URI.create(base + "/health")).build(),
                HttpResponse.BodyHandlers.ofString()).body());
        assertThat(health.get("components").get("storage").get("detail").asText()).isEqualTo("DuckDB <data-dir>/sluice.duckdb");

        store.close();
        HttpResponse<String> broken = query("SELECT 1");
        assertThat(broken.statusCode()).isEqualTo(503);
        assertThat(broken.body()).contains("<data-dir>").doesNotContain(dir.toAbsolutePath().toString());
        store = DuckDbStore.open(dir.resolve("sluice.duckdb"));
    }

    private HttpResponse<String> query(String sql) throws Exception {
        return HTTP.send(post("/query", JSON.writeValueAsString(Map.of("sql", sql))), HttpResponse.BodyHandlers.ofString());
    }

    private HttpRequest post(String path, String body) {
        return HttpRequest.newBuilder(URI.create(base + path)).header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(body)).build();
    }

    /** A GET of the table endpoint with a chosen Host header, which java.net.http does not let a caller set. */
    private String rawGet(String hostHeader, String authorization) throws IOException {
        try (Socket socket = new Socket("localhost", api.port())) {
            socket.getOutputStream().write(("GET /api/v1/tables/t HTTP/1.1\r\nHost: " + hostHeader + "\r\n"
                    + (authorization == null ? "" : "Authorization: " + authorization + "\r\n")
                    + "Connection: close\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
            return new String(socket.getInputStream().readAllBytes(), StandardCharsets.US_ASCII);
        }
    }

    /** Everything up, with a storage detail a test can set. */
    static final class FakeStatus implements StatusSource {
        volatile String detail = "DuckDB";

        @Override
        public Map<String, SluiceServer.Health> health() {
            return Map.of("storage", new SluiceServer.Health(true, detail));
        }

        @Override
        public List<PipelineStatus> pipelines() {
            return List.of();
        }
    }
}
