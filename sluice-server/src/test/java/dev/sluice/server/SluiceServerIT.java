package dev.sluice.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.sluice.engine.StateLocations;
import dev.sluice.engine.internal.LateDropReporter;
import dev.sluice.spec.PipelineSpec;
import dev.sluice.spec.SpecParser;
import dev.sluice.storage.QueryScope;
import dev.sluice.storage.QueryService;
import java.time.format.DateTimeFormatter;
import java.io.IOException;
import java.io.InputStream;
import java.math.BigDecimal;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.time.LocalDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.TreeMap;
import java.util.TreeSet;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The whole stack on one machine: embedded Kafka, the Flink job, the loader into DuckDB and the REST API. A fixed
 * set of events (in order, out of order, late, malformed, filtered, a fraud burst) goes in through a plain Kafka
 * producer; the storage tables must equal what {@link Expected} computes from the same events, exactly, also
 * after the whole stack is stopped and started again on the same data directory in the middle of the stream.
 */
class SluiceServerIT {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final LocalDateTime T0 = LocalDateTime.of(2026, 1, 1, 0, 0);

    @TempDir
    Path dir;

    @Test
    void storesExactlyTheExpectedResultsAcrossARestart() throws Exception {
        Path pipelineFile = copyPipeline();
        PipelineSpec spec = new SpecParser().parse(pipelineFile);
        Path data = dir.resolve("data");
        Expected expected = new Expected(Map.of("m1", "grocery", "m2", "travel"));

        List<Event> phase1 = List.of(
                Event.of("e1", "c1", "m1", "10.00", 1),
                Event.of("e2", "c2", "m1", "5.50", 4),
                Event.of("e3", "c1", "m2", "7.25", 3), // out of order, within the 5 s bound
                Event.of("e4", "c1", "m1", "1.00", 12),
                Event.of("e5", "c1", "m1", "0.00", 13), // filtered out by valid_payments
                Event.of("f1", "c9", "m2", "1.00", 20),
                Event.of("f2", "c9", "m2", "1.00", 21),
                Event.of("f3", "c9", "m2", "1.00", 22),
                Event.of("f4", "c9", "m2", "1.00", 23),
                Event.of("f5", "c9", "m2", "1.00", 24),
                Event.of("e6", "c3", "m2", "2.00", 40));
        List<String> malformed = List.of(
                "not json at all",
                "{\"payment_id\":\"b2\",\"card_id\":\"c1\",\"merchant_id\":\"m1\",\"amount\":\"12,34\",\"currency\":\"EUR\",\"ts\":\"2026-01-01T00:00:05Z\"}",
                "{\"payment_id\":\"b3\",\"card_id\":\"c1\",\"merchant_id\":\"m1\",\"amount\":1.00,\"currency\":\"EUR\"}");
        Event late = Event.of("l1", "c4", "m1", "100.00", 5);
        Event lateAfterRestart = Event.of("l2", "c7", "m1", "50.00", 2);
        List<Event> phase3 = List.of(
                Event.of("e7", "c5", "m1", "3.00", 41),
                Event.of("e8", "c5", "m2", "4.00", 45),
                Event.of("e9", "c6", "m3", "9.99", 120)); // unknown merchant; moves the watermark past 00:01:55
        List<Event> phase4 = new ArrayList<>();
        for (int i = 0; i < 40; i++) {
            phase4.add(Event.of("g" + i, "c" + (10 + i % 7), i % 2 == 0 ? "m1" : "m2", (i + 1) + ".25", 121 + i * 3));
        }
        Event flush = Event.of("e10", "c6", "m1", "1.00", 300);

        try (SluiceServer server = SluiceServer.start(spec, settings(data))) {
            send(server.bootstrapServers(), phase1, malformed);
            // The watermark has passed 00:00:10 once the first tumbling window is stored: l1 (00:00:05) is late now.
            await().atMost(Duration.ofMinutes(2)).until(() -> !rows(server, "SELECT * FROM merchant_revenue WHERE window_start = TIMESTAMP '2026-01-01 00:00:00'").isEmpty());
            send(server.bootstrapServers(), List.of(late), List.of());
            await().atMost(Duration.ofMinutes(1)).until(() -> !rows(server, "SELECT * FROM late_events").isEmpty());
            checkRestApi(server);
        }

        try (SluiceServer server = SluiceServer.start(spec, settings(data))) {
            assertThat(server.pipeline().restoredFrom()).as("resumes from the savepoint of the clean stop").isPresent();
            // The first event after the restart is older than the restored watermark: late, not a re-opened window.
            send(server.bootstrapServers(), List.of(lateAfterRestart), List.of());
            send(server.bootstrapServers(), phase3, List.of());
            List<Event> onTime = new ArrayList<>(phase1);
            onTime.addAll(phase3);
            // The last event holds the watermark at 00:01:54.999: windows ending after that stay open.
            LocalDateTime watermark = T0.plusSeconds(120 - 5).minusNanos(1_000_000);
            awaitResults(server, expected, onTime, watermark);
            assertThat(rows(server, "SELECT kafka_offset, reason FROM dead_letters ORDER BY kafka_offset")).containsExactly(
                    List.of("5", "invalid JSON: Unrecognized token 'not': was expecting (JSON String, Number, Array, Object or token 'null', 'true' or 'false') at byte 4"),
                    List.of("6", "field 'amount': expected DECIMAL(12, 2), got \"12,34\""),
                    List.of("7", "event-time field 'ts' is missing or null"));
            assertThat(rows(server, "SELECT record_value FROM dead_letters ORDER BY kafka_offset").get(0)).containsExactly("not json at all");
            List<List<String>> lateRows = rows(server, "SELECT kafka_offset, record_value, reason FROM late_events ORDER BY kafka_offset");
            assertThat(lateRows).hasSize(2);
            assertThat(lateRows.get(0).get(0)).isEqualTo("14");
            assertThat(lateRows.get(0).get(1)).isEqualTo(late.json());
            assertThat(lateRows.get(0).get(2)).startsWith("late: event time 2026-01-01T00:00:05Z is not after the watermark 2026-01-01T00:00:");
            assertThat(lateRows.get(1)).containsExactly("15", lateAfterRestart.json(),
                    "late: event time 2026-01-01T00:00:02Z is not after the watermark 2026-01-01T00:00:34.999Z");
            assertThat(rows(server, "SELECT count(*) FROM main._sluice_rejected")).containsExactly(List.of("0"));
            // The dropped-late counter is installed in the shared cluster and watches this job's window operators.
            assertThat(LateDropReporter.watchedCounters(server.runner().jobId())).isPositive();
            assertThat(server.status().lateRecordsDropped()).isZero();

            // Injected fault: more events, then the job is cancelled without a savepoint while they are in flight.
            send(server.bootstrapServers(), phase4, List.of());
            server.runner().cancel();
        }

        try (SluiceServer server = SluiceServer.start(spec, settings(data))) {
            assertThat(server.pipeline().restoredFrom()).as("resumes from the last retained checkpoint")
                    .hasValueSatisfying(p -> assertThat(StateLocations.name(p)).startsWith("chk-"));
            send(server.bootstrapServers(), List.of(flush), List.of());
            List<Event> onTime = new ArrayList<>(phase1);
            onTime.addAll(phase3);
            onTime.addAll(phase4);
            onTime.add(flush);
            LocalDateTime watermark = T0.plusSeconds(300 - 5).minusNanos(1_000_000);
            awaitResults(server, expected, onTime, watermark);
            assertThat(rows(server, "SELECT count(*) FROM dead_letters")).containsExactly(List.of("3"));
            assertThat(rows(server, "SELECT count(*) FROM late_events")).containsExactly(List.of("2"));
        }
    }

    /** Waits until the result tables equal what {@link Expected} computes from the on-time events, exactly. */
    private static void awaitResults(SluiceServer server, Expected expected, List<Event> onTime, LocalDateTime watermark) {
        await().atMost(Duration.ofMinutes(2)).untilAsserted(() -> {
            assertThat(rows(server, "SELECT window_start, window_end, merchant_id, payments, revenue FROM merchant_revenue ORDER BY ALL"))
                    .isEqualTo(expected.merchantRevenue(onTime, watermark));
            assertThat(rows(server, "SELECT payment_id, card_id, merchant_id, category, amount, ts FROM enriched_payments ORDER BY ALL"))
                    .isEqualTo(expected.enriched(onTime));
            assertThat(rows(server, "SELECT window_start, window_end, card_id, payments FROM suspicious_cards ORDER BY ALL"))
                    .isEqualTo(expected.suspiciousCards(onTime, watermark, 3));
        });
    }

    private void checkRestApi(SluiceServer server) throws Exception {
        String base = "http://localhost:" + server.httpPort() + "/api/v1";
        HttpResponse<String> health = get(base + "/health");
        assertThat(health.statusCode()).isEqualTo(200);
        JsonNode h = JSON.readTree(health.body());
        assertThat(h.get("status").asText()).isEqualTo("UP");
        assertThat(h.get("components").fieldNames()).toIterable().containsExactly("broker", "engine", "storage", "loader", "disk");

        JsonNode pipelines = JSON.readTree(get(base + "/pipelines").body()).get("pipelines");
        assertThat(pipelines).hasSize(1);
        JsonNode p = pipelines.get(0);
        assertThat(p.get("name").asText()).isEqualTo("checkout");
        assertThat(p.get("jobStatus").asText()).isEqualTo("RUNNING");
        assertThat(p.get("eventsIn").asLong()).isEqualTo(15);
        assertThat(p.get("deadLetters").asLong()).isEqualTo(3);
        assertThat(p.get("views")).extracting(JsonNode::asText)
                .containsExactly("valid_payments", "merchant_revenue", "enriched_payments", "suspicious_cards");

        HttpResponse<String> table = get(base + "/tables/merchant_revenue?limit=1");
        assertThat(table.statusCode()).isEqualTo(200);
        JsonNode t = JSON.readTree(table.body());
        assertThat(t.get("rows")).hasSize(1);
        assertThat(t.get("truncated").asBoolean()).isTrue();
        assertThat(t.get("columns")).extracting(c -> c.get("name").asText())
                .containsExactly("window_start", "window_end", "merchant_id", "payments", "revenue");

        HttpResponse<String> query = post(base + "/query", "{\"sql\": \"SELECT merchant_id, payments FROM merchant_revenue WHERE window_start = TIMESTAMP '2026-01-01 00:00:00' ORDER BY merchant_id\"}");
        assertThat(query.statusCode()).isEqualTo(200);
        assertThat(JSON.readTree(query.body()).get("rows").toString()).isEqualTo("[[\"m1\",2],[\"m2\",1]]");

        HttpResponse<String> refused = post(base + "/query", "{\"sql\": \"DROP TABLE merchant_revenue\"}");
        assertThat(refused.statusCode()).isEqualTo(400);
        assertThat(JSON.readTree(refused.body()).get("error").asText()).isEqualTo("query refused");
        assertThat(JSON.readTree(refused.body()).get("detail").asText()).isNotBlank();

        HttpResponse<String> missing = get(base + "/tables/nope");
        assertThat(missing.statusCode()).isEqualTo(404);
        assertThat(JSON.readTree(missing.body()).get("detail").asText()).contains("nope");

        assertThat(get(base + "/tables/merchant_revenue?limit=zero").statusCode()).isEqualTo(400);
        assertThat(post(base + "/query", "{\"query\": 1}").statusCode()).isEqualTo(400);
        assertThat(get(base + "/nothing").statusCode()).isEqualTo(404);

        HttpResponse<String> form = HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create(base + "/query"))
                .header("Content-Type", "text/plain")
                .POST(HttpRequest.BodyPublishers.ofString("{\"sql\": \"SELECT 1\"}")).build(), HttpResponse.BodyHandlers.ofString());
        assertThat(form.statusCode()).isEqualTo(415);
        assertThat(rawGet(server.httpPort(), "rebound.example:" + server.httpPort())).startsWith("HTTP/1.1 403");
        assertThat(rawGet(server.httpPort(), "127.0.0.1:" + server.httpPort())).startsWith("HTTP/1.1 200");
    }

    private ServerSettings settings(Path data) {
        return new ServerSettings(data, java.util.Optional.empty(), 0, new Properties(), "localhost", 0, 1, Duration.ofMillis(500));
    }

    private Path copyPipeline() throws IOException {
        Path target = dir.resolve("pipeline");
        Files.createDirectories(target);
        for (String name : List.of("pipeline.yaml", "merchants.csv")) {
            try (InputStream in = getClass().getResourceAsStream("/it/" + name)) {
                Files.copy(in, target.resolve(name), StandardCopyOption.REPLACE_EXISTING);
            }
        }
        return target.resolve("pipeline.yaml");
    }

    private static void send(String bootstrap, List<Event> events, List<String> raw) throws Exception {
        Properties p = new Properties();
        p.setProperty("bootstrap.servers", bootstrap);
        p.setProperty("acks", "all");
        p.setProperty("enable.idempotence", "true");
        try (KafkaProducer<String, String> producer = new KafkaProducer<>(p, new StringSerializer(), new StringSerializer())) {
            // Malformed records go after the first five events so their offsets are fixed: 5, 6, 7.
            int i = 0;
            for (Event e : events) {
                producer.send(new ProducerRecord<>("payments", e.card(), e.json())).get();
                if (++i == 5) {
                    for (String r : raw) {
                        producer.send(new ProducerRecord<>("payments", "bad", r)).get();
                    }
                }
            }
        }
    }

    /** Rows of a query over the server's storage, every value as text (decimals in plain notation). */
    private static List<List<String>> rows(SluiceServer server, String sql) {
        List<List<String>> rows = new ArrayList<>();
        for (List<Object> row : new QueryService(server.store()).query(sql, 10_000, QueryScope.all(server.spec().name())).rows()) {
            rows.add(row.stream().map(v -> v instanceof BigDecimal d ? d.toPlainString() : String.valueOf(v)).toList());
        }
        return rows;
    }

    /** A GET of the health endpoint with a chosen Host header, which java.net.http does not let a caller set. */
    private static String rawGet(int port, String hostHeader) throws IOException {
        try (java.net.Socket socket = new java.net.Socket("localhost", port)) {
            socket.getOutputStream().write(("GET /api/v1/health HTTP/1.1\r\nHost: " + hostHeader
                    + "\r\nConnection: close\r\n\r\n").getBytes(java.nio.charset.StandardCharsets.US_ASCII));
            return new String(socket.getInputStream().readAllBytes(), java.nio.charset.StandardCharsets.US_ASCII);
        }
    }

    private static HttpResponse<String> get(String url) throws Exception {
        return HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create(url)).GET().build(), HttpResponse.BodyHandlers.ofString());
    }

    private static HttpResponse<String> post(String url, String body) throws Exception {
        return HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create(url))
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(body)).build(), HttpResponse.BodyHandlers.ofString());
    }

    record Event(String id, String card, String merchant, BigDecimal amount, LocalDateTime ts) {
        static Event of(String id, String card, String merchant, String amount, int second) {
            return new Event(id, card, merchant, new BigDecimal(amount), T0.plusSeconds(second));
        }

        String json() {
            return "{\"payment_id\":\"" + id + "\",\"card_id\":\"" + card + "\",\"merchant_id\":\"" + merchant
                    + "\",\"amount\":" + amount.toPlainString() + ",\"currency\":\"EUR\",\"ts\":\""
                    + ts.toInstant(ZoneOffset.UTC) + "\"}";
        }
    }

    /** The pipeline's results computed directly from the events, without Flink. */
    record Expected(Map<String, String> categories) {
        List<List<String>> merchantRevenue(List<Event> events, LocalDateTime watermark) {
            TreeMap<String, List<Event>> windows = new TreeMap<>();
            for (Event e : valid(events)) {
                LocalDateTime start = floor(e.ts(), 10);
                if (!start.plusSeconds(10).minusNanos(1_000_000).isAfter(watermark)) {
                    windows.computeIfAbsent(fmt(start) + "|" + e.merchant(), k -> new ArrayList<>()).add(e);
                }
            }
            List<List<String>> rows = new ArrayList<>();
            windows.forEach((k, es) -> {
                LocalDateTime start = floor(es.get(0).ts(), 10);
                rows.add(List.of(fmt(start), fmt(start.plusSeconds(10)), es.get(0).merchant(),
                        String.valueOf(es.size()), es.stream().map(Event::amount).reduce(BigDecimal.ZERO, BigDecimal::add).toPlainString()));
            });
            return sorted(rows);
        }

        List<List<String>> suspiciousCards(List<Event> events, LocalDateTime watermark, int threshold) {
            TreeMap<String, Integer> counts = new TreeMap<>();
            for (Event e : valid(events)) {
                LocalDateTime last = floor(e.ts(), 10);
                for (LocalDateTime start = last; start.isAfter(e.ts().minusSeconds(60)); start = start.minusSeconds(10)) {
                    if (!start.plusSeconds(60).minusNanos(1_000_000).isAfter(watermark)) {
                        counts.merge(fmt(start) + "|" + e.card(), 1, Integer::sum);
                    }
                }
            }
            List<List<String>> rows = new ArrayList<>();
            counts.forEach((k, n) -> {
                if (n > threshold) {
                    LocalDateTime start = LocalDateTime.parse(k.substring(0, k.indexOf('|')));
                    rows.add(List.of(fmt(start), fmt(start.plusSeconds(60)), k.substring(k.indexOf('|') + 1), String.valueOf(n)));
                }
            });
            return sorted(rows);
        }

        List<List<String>> enriched(List<Event> events) {
            List<List<String>> rows = new ArrayList<>();
            for (Event e : valid(events)) {
                rows.add(List.of(e.id(), e.card(), e.merchant(), categories.getOrDefault(e.merchant(), "unknown"),
                        e.amount().toPlainString(), fmt(e.ts())));
            }
            return sorted(rows);
        }

        private static String fmt(LocalDateTime t) {
            return DateTimeFormatter.ISO_LOCAL_DATE_TIME.format(t);
        }

        private static List<Event> valid(List<Event> events) {
            return events.stream().filter(e -> e.amount().signum() > 0).toList();
        }

        private static LocalDateTime floor(LocalDateTime t, int seconds) {
            long epoch = t.toEpochSecond(ZoneOffset.UTC);
            return LocalDateTime.ofEpochSecond(epoch - Math.floorMod(epoch, seconds), 0, ZoneOffset.UTC);
        }

        private static List<List<String>> sorted(List<List<String>> rows) {
            TreeSet<String> check = new TreeSet<>();
            rows.forEach(r -> check.add(String.join("|", r)));
            assertThat(check).hasSameSizeAs(rows);
            List<List<String>> copy = new ArrayList<>(rows);
            // Column by column, like ORDER BY ALL.
            copy.sort((a, b) -> {
                for (int i = 0; i < a.size(); i++) {
                    int c = a.get(i).compareTo(b.get(i));
                    if (c != 0) {
                        return c;
                    }
                }
                return 0;
            });
            return copy;
        }
    }

}
