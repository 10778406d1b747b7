package dev.sluice.alerts;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.HttpServer;
import dev.sluice.alerts.internal.GuardedHttp;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.IntSupplier;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import javax.net.ssl.SSLSocketFactory;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** Notifiers against a real HTTP receiver on a loopback port. */
class WebhookNotifierTest {
    private static final Clock CLOCK = Clock.fixed(Instant.parse("2026-03-01T12:00:00Z"), ZoneOffset.UTC);
    private static final String SECRET = "s3cr3t-for-tests";
    private static final AlertNotification NOTIFICATION = new AlertNotification("0123456789abcdef0123456789abcdef", "payments",
            "card_testing", Map.of("card_id", "c1"), "card_id=c1", "critical", "firing", "card c1 made 5 attempts", 1_000, 1_000,
            2_000, Map.of("card_id", "c1", "attempts", "5"), List.of("hook"));

    private record Request(String path, Map<String, List<String>> headers, byte[] body) {}

    private final List<Request> received = new CopyOnWriteArrayList<>();
    private HttpServer server;

    /** Starts a receiver answering each request with the next status, or sleeping for a status of -1. */
    private String receiver(IntSupplier statuses) throws IOException {
        server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        server.createContext("/", exchange -> {
            byte[] body = exchange.getRequestBody().readAllBytes();
            received.add(new Request(exchange.getRequestURI().toString(), Map.copyOf(exchange.getRequestHeaders()), body));
            int status = statuses.getAsInt();
            if (status < 0) {
                try {
                    Thread.sleep(2_000);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
                status = 200;
            }
            if (status == 302) {
                exchange.getResponseHeaders().add("Location", "http://169.254.169.254/latest/meta-data/");
            }
            exchange.sendResponseHeaders(status, -1);
            exchange.close();
        });
        server.start();
        return "http://127.0.0.1:" + server.getAddress().getPort() + "/hooks/sluice?team=ops";
    }

    @AfterEach
    void stop() {
        if (server != null) {
            server.stop(0);
        }
    }

    private static GuardedHttp http(Duration readTimeout) {
        return new GuardedHttp(AddressGuard.system(), (SSLSocketFactory) SSLSocketFactory.getDefault(), Duration.ofSeconds(2),
                readTimeout);
    }

    private static Secrets secrets(String url) {
        return new Secrets(Map.of("HOOK_URL", url, "HOOK_SECRET", SECRET)::get);
    }

    private final List<Duration> waits = new ArrayList<>();
    private final RetryingDelivery delivery = new RetryingDelivery(
            new RetryPolicy(4, Duration.ofMillis(100), Duration.ofMillis(250), Duration.ofSeconds(30)), CLOCK, waits::add);

    @Test
    void postsTheNotificationSignedWithHmacOverTimestampAndBody() throws Exception {
        String url = receiver(() -> 204);
        WebhookNotifier hook = new WebhookNotifier("hook", "${env:HOOK_URL}", Optional.of("${env:HOOK_SECRET}"), true,
                http(Duration.ofSeconds(2)), secrets(url), CLOCK);

        assertThat(delivery.deliver(hook, NOTIFICATION)).isEqualTo(new DeliveryOutcome("hook", "sent", 1, ""));

        assertThat(received).hasSize(1);
        Request request = received.get(0);
        assertThat(request.path()).isEqualTo("/hooks/sluice?team=ops");
        String timestamp = request.headers().get("X-sluice-timestamp").get(0);
        assertThat(timestamp).isEqualTo(Long.toString(CLOCK.millis() / 1000));
        Mac mac = Mac.getInstance("HmacSHA256");
        mac.init(new SecretKeySpec(SECRET.getBytes(StandardCharsets.UTF_8), "HmacSHA256"));
        mac.update((timestamp + ".").getBytes(StandardCharsets.UTF_8));
        String expected = "sha256=" + java.util.HexFormat.of().formatHex(mac.doFinal(request.body()));
        assertThat(request.headers().get("X-sluice-signature")).containsExactly(expected);
        assertThat(request.headers().get("X-sluice-notification-id")).containsExactly(NOTIFICATION.id());
        JsonNode json = new ObjectMapper().readTree(request.body());
        assertThat(json.get("id").asText()).isEqualTo(NOTIFICATION.id());
        assertThat(json.get("state").asText()).isEqualTo("firing");
        assertThat(json.get("message").asText()).isEqualTo("card c1 made 5 attempts");
        assertThat(NotificationJson.fromBytes(request.body())).isEqualTo(NOTIFICATION);
    }

    @Test
    void retriesOnServerErrorsWithExponentialBackoff() throws Exception {
        AtomicInteger calls = new AtomicInteger();
        String url = receiver(() -> calls.incrementAndGet() <= 2 ? 500 : 200);
        WebhookNotifier hook = new WebhookNotifier("hook", url, Optional.empty(), true, http(Duration.ofSeconds(2)),
                secrets(url), CLOCK);

        assertThat(delivery.deliver(hook, NOTIFICATION)).isEqualTo(new DeliveryOutcome("hook", "sent", 3, ""));
        assertThat(received).hasSize(3);
        assertThat(waits).containsExactly(Duration.ofMillis(100), Duration.ofMillis(200));
    }

    @Test
    void retriesATimeoutAndGivesUpWhenTheAttemptsAreSpent() throws Exception {
        String url = receiver(() -> -1);
        WebhookNotifier hook = new WebhookNotifier("hook", url, Optional.empty(), true, http(Duration.ofMillis(300)),
                secrets(url), CLOCK);

        DeliveryOutcome outcome = delivery.deliver(hook, NOTIFICATION);

        assertThat(outcome.status()).isEqualTo("gave-up");
        assertThat(outcome.attempts()).isEqualTo(4);
        assertThat(outcome.detail()).contains("no answer from 127.0.0.1 (127.0.0.1:").contains("within 300 ms");
        assertThat(waits).containsExactly(Duration.ofMillis(100), Duration.ofMillis(200), Duration.ofMillis(250));
    }

    @Test
    void givesUpAtOnceOnAClientErrorAndOnARedirect() throws Exception {
        AtomicInteger calls = new AtomicInteger();
        String url = receiver(() -> calls.incrementAndGet() == 1 ? 404 : 302);
        WebhookNotifier hook = new WebhookNotifier("hook", url, Optional.empty(), true, http(Duration.ofSeconds(2)),
                secrets(url), CLOCK);

        DeliveryOutcome notFound = delivery.deliver(hook, NOTIFICATION);
        DeliveryOutcome redirected = delivery.deliver(hook, NOTIFICATION);

        assertThat(notFound.status()).isEqualTo("gave-up");
        assertThat(notFound.attempts()).isEqualTo(1);
        assertThat(notFound.detail()).contains("answered HTTP 404");
        assertThat(redirected.attempts()).isEqualTo(1);
        assertThat(redirected.detail()).contains("answered 302 redirecting to http://169.254.169.254/latest/meta-data/; "
                + "redirects are not followed");
        assertThat(received).hasSize(2);
        assertThat(waits).isEmpty();
    }

    @Test
    void refusesLoopbackReceiversUnlessPrivateNetworksAreAllowed() throws Exception {
        String url = receiver(() -> 200);
        WebhookNotifier hook = new WebhookNotifier("hook", url, Optional.empty(), false, http(Duration.ofSeconds(2)),
                secrets(url), CLOCK);

        DeliveryOutcome outcome = delivery.deliver(hook, NOTIFICATION);

        assertThat(outcome.status()).isEqualTo("gave-up");
        assertThat(outcome.detail()).startsWith("refused host '127.0.0.1': it resolves to 127.0.0.1, a loopback address");
        assertThat(received).isEmpty();
    }

    @Test
    void givesUpWhenTheSecretsVariableIsNotSetWithoutNamingAnyValue() throws Exception {
        String url = receiver(() -> 200);
        WebhookNotifier hook = new WebhookNotifier("hook", url, Optional.of("${env:MISSING_SECRET}"), true,
                http(Duration.ofSeconds(2)), secrets(url), CLOCK);

        assertThat(delivery.deliver(hook, NOTIFICATION)).isEqualTo(new DeliveryOutcome("hook", "gave-up", 1,
                "the secret of notifier 'hook' is taken from the environment variable MISSING_SECRET, which is not set"));
        assertThat(received).isEmpty();
    }

    @Test
    void postsASlackCompatibleMessage() throws Exception {
        String url = receiver(() -> 200);
        SlackNotifier slack = new SlackNotifier("chat", url, true, http(Duration.ofSeconds(2)), secrets(url));

        assertThat(delivery.deliver(slack, NOTIFICATION).status()).isEqualTo("sent");

        JsonNode json = new ObjectMapper().readTree(received.get(0).body());
        assertThat(json.size()).isEqualTo(1);
        assertThat(json.get("text").asText()).isEqualTo(
                ":rotating_light: *FIRING* [critical] payments/card_testing (card_id=c1): card c1 made 5 attempts");
        assertThat(received.get(0).headers().get("Content-type")).containsExactly("application/json; charset=utf-8");
    }
}
