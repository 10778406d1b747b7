package dev.sluice.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.sluice.spec.PipelineSpec;
import dev.sluice.spec.SpecParser;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.Properties;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * HTTP ingest end to end on a whole server: events posted to the stream reach the pipeline's table, a record without
 * a required field is rejected by the API, and the pipeline's status shows the stream's ingest counters.
 */
class IngestPipelineIT {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final HttpClient HTTP = HttpClient.newHttpClient();

    @TempDir
    Path dir;

    @Test
    void postedEventsReachTheTableAndTheStatusCountsThem() throws Exception {
        PipelineSpec spec = new SpecParser().parse("""
                name: shop
                sources:
                  - name: orders
                    topic: orders
                    schema:
                      order_id: STRING
                      merchant: STRING NOT NULL
                      amount: INT
                      ts: TIMESTAMP(3)
                    event-time: {column: ts}
                views:
                  - name: stored
                    sql: SELECT order_id, merchant, amount FROM orders
                sinks:
                  - view: stored
                    mode: append
                """, dir.resolve("shop.yaml"));
        String ts = Instant.now().truncatedTo(ChronoUnit.SECONDS).toString();
        ServerSettings settings = new ServerSettings(dir.resolve("data"), java.util.Optional.empty(), 0, new Properties(), "localhost",
                0, 1, Duration.ofMillis(500));
        try (SluiceServer server = SluiceServer.start(spec, settings)) {
            String base = "http://localhost:" + server.httpPort() + "/api/v1";
            String body = String.join("\n",
                    "{\"order_id\":\"o1\",\"merchant\":\"m1\",\"amount\":5,\"ts\":\"" + ts + "\"}",
                    "{\"order_id\":\"o2\",\"amount\":6,\"ts\":\"" + ts + "\"}",
                    "{\"order_id\":\"o3\",\"merchant\":\"m3\",\"amount\":7,\"ts\":\"" + ts + "\"}");
            HttpResponse<String> r = HTTP.send(HttpRequest.newBuilder(URI.create(base + "/streams/orders/events"))
                    .header("Content-Type", "application/x-ndjson").POST(HttpRequest.BodyPublishers.ofString(body)).build(),
                    HttpResponse.BodyHandlers.ofString());
            assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
            assertThat(JSON.readTree(r.body()).get("rejections").get(0).get("reason").asText())
                    .isEqualTo("required field 'merchant' is missing; the schema declares it NOT NULL (or it is the event-id column)");

            await().atMost(Duration.ofSeconds(60)).untilAsserted(() -> {
                HttpResponse<String> rows = HTTP.send(HttpRequest.newBuilder(URI.create(base + "/pipelines/shop/tables/stored")).build(),
                        HttpResponse.BodyHandlers.ofString());
                assertThat(JSON.readTree(rows.body()).get("rows").toString()).isEqualTo("[[\"o1\",\"m1\",5],[\"o3\",\"m3\",7]]");
            });
            JsonNode status = JSON.readTree(HTTP.send(HttpRequest.newBuilder(URI.create(base + "/pipelines/shop")).build(),
                    HttpResponse.BodyHandlers.ofString()).body());
            JsonNode ingest = status.get("sources").get(0).get("ingest");
            assertThat(ingest.get("requests").asLong()).isEqualTo(1);
            assertThat(ingest.get("accepted").asLong()).isEqualTo(2);
            assertThat(ingest.get("rejected").asLong()).isEqualTo(1);
            assertThat(status.get("deadLetters").asLong()).isZero();
        }
    }
}
