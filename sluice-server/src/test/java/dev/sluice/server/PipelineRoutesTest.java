package dev.sluice.server;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.sluice.spec.ColumnSpec;
import dev.sluice.spec.PipelineSpec;
import dev.sluice.spec.SinkSpec;
import dev.sluice.storage.DuckDbStore;
import dev.sluice.storage.LoadBatch;
import dev.sluice.storage.QueryService;
import dev.sluice.storage.TableDefinition;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The routes by pipeline over a real DuckDB store, with a fake server that records deploys and removals. */
class PipelineRoutesTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final HttpClient HTTP = HttpClient.newHttpClient();
    static final String PIPELINE = """
            name: fraud
            sources:
              - name: payments
                schema: {id: STRING, ts: TIMESTAMP(3)}
                event-time: {column: ts}
            views:
              - name: alerts
                sql: SELECT id FROM payments
            sinks:
              - view: alerts
                mode: append
            """;

    @TempDir
    Path dir;
    DuckDbStore store;
    ApiServer api;
    String base;
    final FakeServer server = new FakeServer();

    @BeforeEach
    void start() {
        store = DuckDbStore.open(dir.resolve("sluice.duckdb"));
        for (String pipeline : List.of("fraud", "trading")) {
            store.ensureTable(new TableDefinition(pipeline, "alerts", "sluice." + pipeline + ".alerts",
                    List.of(new ColumnSpec("id", "STRING", null)), List.of(), SinkSpec.Mode.APPEND));
        }
        store.write(LoadBatch.builder().row("fraud.alerts", "f1").row("trading.alerts", "t1").row("trading.alerts", "t2").build());
        ServerSettings settings = new ServerSettings(dir, Optional.empty(), 0, new Properties(), "localhost", 0, 1, Duration.ofSeconds(1));
        api = ApiServer.start(server, server, new QueryService(store), settings);
        base = "http://localhost:" + api.port() + "/api/v1";
        server.running.put("fraud", status("fraud"));
        server.running.put("trading", status("trading"));
    }

    @AfterEach
    void close() {
        api.close();
        store.close();
    }

    @Test
    void eachPipelineQueriesItsOwnTablesByTheirPlainNames() throws Exception {
        assertThat(rows(post(base + "/pipelines/fraud/query", "{\"sql\": \"SELECT id FROM alerts ORDER BY id\"}"))).isEqualTo("[[\"f1\"]]");
        assertThat(rows(post(base + "/pipelines/trading/query", "{\"sql\": \"SELECT id FROM alerts ORDER BY id\"}")))
                .isEqualTo("[[\"t1\"],[\"t2\"]]");
        assertThat(rows(get(base + "/pipelines/trading/tables/alerts"))).isEqualTo("[[\"t1\"],[\"t2\"]]");
        HttpResponse<String> foreign = post(base + "/pipelines/fraud/query", "{\"sql\": \"SELECT id FROM trading.alerts\"}");
        assertThat(foreign.statusCode()).isEqualTo(400);
        assertThat(JSON.readTree(foreign.body()).get("error").asText()).isEqualTo("query refused");
        // Server-wide: with two pipelines, tables are named with their schema.
        assertThat(rows(post(base + "/query", "{\"sql\": \"SELECT count(*) FROM fraud.alerts, trading.alerts\"}"))).isEqualTo("[[2]]");
        assertThat(rows(get(base + "/tables/trading.alerts"))).isEqualTo("[[\"t1\"],[\"t2\"]]");
        assertThat(get(base + "/pipelines/nope/tables/alerts").statusCode()).isEqualTo(404);
        assertThat(JSON.readTree(post(base + "/pipelines/nope/query", "{\"sql\": \"SELECT 1\"}").body()).get("detail").asText())
                .isEqualTo("no pipeline 'nope' is running; pipelines are: fraud, trading");
    }

    @Test
    void withOnePipelineTheOldRoutesReadItsTables() throws Exception {
        server.running.remove("trading");
        assertThat(rows(post(base + "/query", "{\"sql\": \"SELECT id FROM alerts\"}"))).isEqualTo("[[\"f1\"]]");
        assertThat(rows(get(base + "/tables/alerts"))).isEqualTo("[[\"f1\"]]");
    }

    @Test
    void deploysAYamlBodyAndReportsProblemsWithTheirFileLineAndColumn() throws Exception {
        server.running.remove("fraud");
        HttpResponse<String> deployed = postYaml(PIPELINE, "application/yaml");
        assertThat(deployed.statusCode()).isEqualTo(201);
        assertThat(JSON.readTree(deployed.body()).get("name").asText()).isEqualTo("fraud");
        assertThat(server.deployed).extracting(PipelineSpec::name).containsExactly("fraud");
        assertThat(server.deployed.get(0).file()).isEqualTo(Path.of("/home/me/fraud.yaml"));
        assertThat(postYaml(PIPELINE, "text/yaml; charset=utf-8").statusCode()).as("the same name again is an upgrade").isEqualTo(200);

        HttpResponse<String> invalid = postYaml(PIPELINE.replace("column: ts", "column: tss"), "application/x-yaml");
        assertThat(invalid.statusCode()).isEqualTo(400);
        JsonNode body = JSON.readTree(invalid.body());
        assertThat(body.get("error").asText()).isEqualTo("invalid pipeline");
        assertThat(body.get("problems").get(0).asText()).isEqualTo("/home/me/fraud.yaml:5:26: sources[0].event-time.column: "
                + "column 'tss' is not in the schema of source 'payments'; columns are: id, ts");

        assertThat(postYaml(PIPELINE, "application/json").statusCode()).as("only YAML types").isEqualTo(415);
        assertThat(postYaml(PIPELINE, "text/plain").statusCode()).as("a type cross-site forms can send").isEqualTo(415);
        server.refuse = "Cannot deploy pipeline 'fraud': it needs 2 task slots, but only 1 of the Flink cluster's 8 are free";
        HttpResponse<String> full = postYaml(PIPELINE, "application/yaml");
        assertThat(full.statusCode()).isEqualTo(409);
        assertThat(JSON.readTree(full.body()).get("detail").asText()).isEqualTo(server.refuse);
    }

    @Test
    void removesARunningPipelineAnd404sAnUnknownOne() throws Exception {
        HttpResponse<String> removed = HTTP.send(HttpRequest.newBuilder(URI.create(base + "/pipelines/trading")).DELETE().build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(removed.statusCode()).isEqualTo(200);
        assertThat(server.running).containsOnlyKeys("fraud");
        HttpResponse<String> again = HTTP.send(HttpRequest.newBuilder(URI.create(base + "/pipelines/trading")).DELETE().build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(again.statusCode()).isEqualTo(404);
        assertThat(get(base + "/pipelines/fraud").statusCode()).isEqualTo(200);
        assertThat(get(base + "/pipelines/trading").statusCode()).isEqualTo(404);
    }

    static PipelineStatus status(String name) {
        return new PipelineStatus(name, "", "RUNNING", null, 1, "RUNNING", "RUNNING", 0, 0, 0, 0, 0, 0, 0, 0, List.of(), List.of(), List.of(),
                List.of(), new PipelineStatus.Checkpoints(0, 0, -1, -1, 0), List.of(), List.of(), PipelineStatus.Resources.NONE);
    }

    private static String rows(HttpResponse<String> r) throws Exception {
        assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
        return JSON.readTree(r.body()).get("rows").toString();
    }

    private static HttpResponse<String> get(String url) throws Exception {
        return HTTP.send(HttpRequest.newBuilder(URI.create(url)).GET().build(), HttpResponse.BodyHandlers.ofString());
    }

    private static HttpResponse<String> post(String url, String json) throws Exception {
        return HTTP.send(HttpRequest.newBuilder(URI.create(url)).header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(json)).build(), HttpResponse.BodyHandlers.ofString());
    }

    private HttpResponse<String> postYaml(String yaml, String type) throws Exception {
        return HTTP.send(HttpRequest.newBuilder(URI.create(base + "/pipelines")).header("Content-Type", type)
                .header(ApiServer.PIPELINE_FILE_HEADER, "/home/me/fraud.yaml")
                .POST(HttpRequest.BodyPublishers.ofString(yaml)).build(), HttpResponse.BodyHandlers.ofString());
    }

    /** Runs what it is told runs; records deploys. */
    static final class FakeServer implements StatusSource, PipelineControl {
        final Map<String, PipelineStatus> running = new LinkedHashMap<>();
        final List<PipelineSpec> deployed = new ArrayList<>();
        volatile String refuse;

        @Override
        public Map<String, SluiceServer.Health> health() {
            return Map.of();
        }

        @Override
        public List<PipelineStatus> pipelines() {
            return List.copyOf(running.values());
        }

        @Override
        public Deployed deploy(PipelineSpec spec) {
            if (refuse != null) {
                throw new PipelineConflictException(refuse);
            }
            deployed.add(spec);
            boolean upgrade = running.containsKey(spec.name());
            running.put(spec.name(), status(spec.name()));
            return new Deployed(status(spec.name()), upgrade);
        }

        @Override
        public void remove(String name) {
            if (running.remove(name) == null) {
                throw new NoSuchPipelineException("no pipeline '" + name + "' is running");
            }
        }
    }
}
