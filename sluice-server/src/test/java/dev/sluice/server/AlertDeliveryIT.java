package dev.sluice.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.HttpServer;
import dev.sluice.alerts.AddressGuard;
import dev.sluice.alerts.DeliveryOutcome;
import dev.sluice.alerts.Notifiers;
import dev.sluice.alerts.RetryPolicy;
import dev.sluice.alerts.Secrets;
import dev.sluice.spec.PipelineSpec;
import dev.sluice.spec.SpecParser;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.LocalDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import java.util.TreeMap;
import java.util.concurrent.CopyOnWriteArrayList;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * An alert end to end on the embedded broker and Flink: payments -> windowed HAVING in the job -> alerts topic ->
 * notifier -> a real webhook receiver. The receiver must get exactly the firing and resolved notifications this test
 * computes from the payments it sends, signed, and after a replayed duplicate and a restart of the whole server, none
 * twice.
 */
class AlertDeliveryIT {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final LocalDateTime T0 = LocalDateTime.of(2026, 1, 1, 0, 0);
    private static final String SECRET = "it-secret";
    private static final int WINDOW = 10;
    private static final int THRESHOLD = 3;

    private static final String PIPELINE = """
            name: fraud
            sources:
              - name: payments
                schema: {payment_id: STRING, card_id: STRING, amount: DOUBLE, ts: TIMESTAMP(3)}
                event-time: {column: ts}
            views:
              - name: big
                sql: SELECT payment_id, amount FROM payments WHERE amount > 1000
            alerts:
              - name: card_testing
                sql: |
                  SELECT card_id, COUNT(*) AS attempts, window_end
                  FROM TABLE(TUMBLE(TABLE payments, DESCRIPTOR(ts), INTERVAL '10' SECOND))
                  GROUP BY card_id, window_start, window_end
                  HAVING COUNT(*) >= 3
                key: [card_id]
                severity: critical
                message: "card {card_id} made {attempts} payments in 10 s"
                resolve-after: 10s
                notify: [hook]
            notifiers:
              - name: hook
                type: webhook
                url: ${env:HOOK_URL}
                secret: ${env:HOOK_SECRET}
                allow-private-networks: true
            """;

    @TempDir
    Path dir;

    private final List<Map<String, Object>> received = new CopyOnWriteArrayList<>();
    private final List<String> badSignatures = new CopyOnWriteArrayList<>();
    private HttpServer receiver;

    record Payment(String id, String card, int second) {
        String json() {
            return "{\"payment_id\":\"" + id + "\",\"card_id\":\"" + card + "\",\"amount\":12.5,\"ts\":\"" + T0.plusSeconds(second) + "\"}";
        }
    }

    @AfterEach
    void stopReceiver() {
        if (receiver != null) {
            receiver.stop(0);
        }
    }

    @Test
    void deliversExactlyTheExpectedNotificationsAndNoneTwiceAcrossARestart() throws Exception {
        String url = startReceiver();
        ServerSettings settings = new ServerSettings(dir.resolve("data"), Optional.empty(), 0, new Properties(), "localhost", 0, 1,
                Duration.ofMillis(500));
        Notifiers.Settings notifiers = new Notifiers.Settings(AddressGuard.system(),
                new Secrets(Map.of("HOOK_URL", url, "HOOK_SECRET", SECRET)::get), Clock.systemUTC(), Duration.ofSeconds(2),
                Duration.ofSeconds(5), false);
        PipelineSpec spec = new SpecParser().parse(PIPELINE, dir.resolve("fraud.yaml"));

        List<Payment> first = new ArrayList<>();
        // In event-time order: the source allows no out-of-orderness.
        burst(first, "c1", 1, 3);    // window [0,10): 3 -> fires at 10 s
        burst(first, "c2", 2, 2);    // 2 -> never
        burst(first, "c1", 11, 4);   // window [10,20): 4 -> still firing; no row in [20,30) -> resolves at 30 s
        burst(first, "c3", 31, 5);   // window [30,40): fires at 40 s, resolves at 50 s
        burst(first, "c2", 41, 1);
        burst(first, "c9", 75, 1);   // moves the watermark past 50 s
        List<Payment> second = new ArrayList<>();
        burst(second, "c4", 81, 3);  // after the restart: fires at 90 s, resolves at 100 s
        burst(second, "c1", 91, 6);  // c1 again, a new episode: fires at 100 s, resolves at 110 s
        burst(second, "c9", 125, 1);

        List<Payment> all = new ArrayList<>(first);
        try (SluiceServer server = SluiceServer.start(List.of(), settings)) {
            server.alertDelivery(notifiers, RetryPolicy.defaults());
            server.deploy(spec);
            send(server, first);
            List<String> expected = expected(all);
            await().atMost(Duration.ofSeconds(90)).untilAsserted(() -> assertThat(summaries()).containsExactlyElementsOf(expected));

            // An at-least-once replay: the job writes a notification that was delivered already once more.
            replay(server, JSON.writeValueAsBytes(received.get(0)));
            JsonNode api = JSON.readTree(get("http://localhost:" + server.httpPort() + "/api/v1/pipelines/fraud/alerts"));
            await().atMost(Duration.ofSeconds(10)).until(() -> historySize(server) == expected.size());
            assertThat(api.get("firing").size()).isZero();
            assertThat(api.get("resolved").size()).isEqualTo(2);
        }
        all.addAll(second);
        try (SluiceServer server = SluiceServer.start(List.of(), settings)) {
            server.alertDelivery(notifiers, RetryPolicy.defaults());
            server.deploy(spec);
            send(server, second);
            List<String> expected = expected(all);
            await().atMost(Duration.ofSeconds(90)).untilAsserted(() -> assertThat(summaries()).containsExactlyElementsOf(expected));
            await().atMost(Duration.ofSeconds(10)).until(() -> historySize(server) == expected.size());
            JsonNode history = JSON.readTree(get("http://localhost:" + server.httpPort() + "/api/v1/pipelines/fraud/alerts"))
                    .get("history");
            assertThat(history.get(0).get("deliveries").get(0).asText()).isEqualTo("hook: sent");
        }
        assertThat(badSignatures).isEmpty();
        assertThat(received.stream().map(r -> r.get("id")).distinct().count()).isEqualTo(received.size());
    }

    @Test
    void recordsEveryNotificationAsGivenUpWhenItsNotifierIsNotConfigured() throws Exception {
        ServerSettings settings = new ServerSettings(dir.resolve("data"), Optional.empty(), 0, new Properties(), "localhost", 0, 1,
                Duration.ofMillis(500));
        // No HOOK_URL: the notifier is not configured, so nothing is sent and every notification is recorded as given up
        // (these are recorded a poll at a time, in one transaction).
        Notifiers.Settings notifiers = new Notifiers.Settings(AddressGuard.system(), new Secrets(Map.<String, String>of()::get),
                Clock.systemUTC(), Duration.ofSeconds(2), Duration.ofSeconds(5), false);
        PipelineSpec spec = new SpecParser().parse(PIPELINE, dir.resolve("fraud.yaml"));
        List<Payment> payments = new ArrayList<>();
        for (int card = 1; card <= 12; card++) {
            // In event-time order, all at 5 s: window [0,10) fires at 10 s and resolves at 20 s for each card.
            for (int i = 0; i < 3 + card % 2; i++) {
                payments.add(new Payment("c" + card + "-5-" + i, "c" + card, 5));
            }
        }
        burst(payments, "c5", 11, 3);                                // c5 fires again in [10,20): resolves at 30 s instead
        burst(payments, "c9", 45, 1);                                // moves the watermark past 30 s
        List<String> expected = expected(payments).stream().map(e -> e.split(" ", 3)).map(e -> e[0] + " " + e[2]).toList();

        try (SluiceServer server = SluiceServer.start(List.of(), settings)) {
            server.alertDelivery(notifiers, RetryPolicy.defaults());
            server.deploy(spec);
            send(server, payments);
            await().atMost(Duration.ofSeconds(90)).untilAsserted(() -> assertThat(history(server)).containsExactlyElementsOf(expected));
            JsonNode api = JSON.readTree(get("http://localhost:" + server.httpPort() + "/api/v1/pipelines/fraud/alerts"));
            for (JsonNode h : api.get("history")) {
                assertThat(h.get("deliveries")).hasSize(1);
                assertThat(h.get("deliveries").get(0).asText()).startsWith("hook: " + DeliveryOutcome.GAVE_UP);
            }
            assertThat(api.get("deliveries").get("gave_up").asLong()).isEqualTo(expected.size());
            assertThat(api.get("deliveries").get("sent").asLong()).isZero();
        }
    }

    /**
     * What the alert must send, computed from the payments: per card, the 10 s windows with at least 3 payments; runs of
     * consecutive such windows are one episode, firing at the first window's end and resolving 10 s after the last
     * window's end, once the largest event time sent has reached that.
     */
    private static List<String> expected(List<Payment> payments) {
        Map<String, TreeMap<Integer, Integer>> counts = new TreeMap<>();
        int maxSecond = 0;
        for (Payment p : payments) {
            counts.computeIfAbsent(p.card(), c -> new TreeMap<>()).merge(p.second() / WINDOW * WINDOW + WINDOW, 1, Integer::sum);
            maxSecond = Math.max(maxSecond, p.second());
        }
        List<String> events = new ArrayList<>();
        for (Map.Entry<String, TreeMap<Integer, Integer>> card : counts.entrySet()) {
            Integer episodeEnd = null;
            int lastCount = 0;
            for (Map.Entry<Integer, Integer> w : card.getValue().entrySet()) {
                if (w.getValue() < THRESHOLD) {
                    continue;
                }
                if (episodeEnd == null || w.getKey() != episodeEnd + WINDOW) {
                    if (episodeEnd != null) {
                        events.add(summary(episodeEnd + WINDOW, card.getKey(), "resolved", lastCount));
                    }
                    events.add(summary(w.getKey(), card.getKey(), "firing", w.getValue()));
                }
                episodeEnd = w.getKey();
                lastCount = w.getValue();
            }
            if (episodeEnd != null && episodeEnd + WINDOW <= maxSecond) {
                events.add(summary(episodeEnd + WINDOW, card.getKey(), "resolved", lastCount));
            }
        }
        events.sort(null);
        return events;
    }

    private static String summary(int second, String card, String state, int attempts) {
        return String.format("%03d %s %s %s", second, card, state,
                (state.equals("resolved") ? "resolved: " : "") + "card " + card + " made " + attempts + " payments in 10 s");
    }

    /** What the receiver got, in the same form and order as {@link #expected}. */
    private List<String> summaries() {
        List<String> out = new ArrayList<>();
        for (Map<String, Object> r : received) {
            long second = (((Number) r.get("eventTime")).longValue() - T0.toInstant(ZoneOffset.UTC).toEpochMilli()) / 1000;
            @SuppressWarnings("unchecked")
            Map<String, String> key = (Map<String, String>) r.get("key");
            out.add(String.format("%03d %s %s %s", second, key.get("card_id"), r.get("state"), r.get("message")));
        }
        out.sort(null);
        return out;
    }

    /** Payments in event-time order (the source allows no out-of-orderness, so none of them is late). */
    private static void burst(List<Payment> payments, String card, int second, int count) {
        for (int i = 0; i < count; i++) {
            payments.add(new Payment(card + "-" + second + "-" + i, card, second + (2 * i >= count ? 1 : 0)));
        }
    }

    private String startReceiver() throws Exception {
        receiver = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        receiver.createContext("/alerts", exchange -> {
            byte[] body = exchange.getRequestBody().readAllBytes();
            String timestamp = exchange.getRequestHeaders().getFirst("X-Sluice-Timestamp");
            String signature = exchange.getRequestHeaders().getFirst("X-Sluice-Signature");
            try {
                Mac mac = Mac.getInstance("HmacSHA256");
                mac.init(new SecretKeySpec(SECRET.getBytes(StandardCharsets.UTF_8), "HmacSHA256"));
                mac.update((timestamp + ".").getBytes(StandardCharsets.UTF_8));
                if (!("sha256=" + HexFormat.of().formatHex(mac.doFinal(body))).equals(signature)) {
                    badSignatures.add(new String(body, StandardCharsets.UTF_8));
                }
            } catch (java.security.GeneralSecurityException e) {
                throw new IllegalStateException(e);
            }
            @SuppressWarnings("unchecked")
            Map<String, Object> notification = JSON.readValue(body, Map.class);
            received.add(notification);
            exchange.sendResponseHeaders(204, -1);
            exchange.close();
        });
        receiver.start();
        return "http://127.0.0.1:" + receiver.getAddress().getPort() + "/alerts";
    }

    private static void send(SluiceServer server, List<Payment> payments) throws Exception {
        Properties p = new Properties();
        p.setProperty("bootstrap.servers", server.bootstrapServers());
        p.setProperty("acks", "all");
        try (KafkaProducer<String, String> producer = new KafkaProducer<>(p, new StringSerializer(), new StringSerializer())) {
            for (Payment payment : payments) {
                producer.send(new ProducerRecord<>("payments", 0, payment.card(), payment.json())).get();
            }
        }
    }

    private static void replay(SluiceServer server, byte[] value) throws Exception {
        Properties p = new Properties();
        p.setProperty("bootstrap.servers", server.bootstrapServers());
        try (KafkaProducer<byte[], byte[]> producer = new KafkaProducer<>(p, new ByteArraySerializer(), new ByteArraySerializer())) {
            producer.send(new ProducerRecord<>("sluice.fraud.alerts", value)).get();
        }
    }

    /** The recorded alert events as "second state message", sorted. */
    private static List<String> history(SluiceServer server) throws Exception {
        List<String> history = new ArrayList<>();
        for (JsonNode h : JSON.readTree(get("http://localhost:" + server.httpPort() + "/api/v1/pipelines/fraud/alerts")).get("history")) {
            long second = Duration.between(T0.toInstant(ZoneOffset.UTC), java.time.Instant.parse(h.get("event_time").asText()))
                    .toSeconds();
            history.add(String.format("%03d %s %s", second, h.get("state").asText(), h.get("message").asText()));
        }
        history.sort(null);
        return history;
    }

    private static int historySize(SluiceServer server) throws Exception {
        return JSON.readTree(get("http://localhost:" + server.httpPort() + "/api/v1/pipelines/fraud/alerts")).get("history").size();
    }

    private static String get(String url) throws Exception {
        HttpResponse<String> response = HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create(url)).build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
        return response.body();
    }
}
