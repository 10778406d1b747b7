package dev.sluice.spec;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class AlertSpecTest {

    private static final String HEAD = """
            name: p
            sources:
              - name: payments
                schema: {card_id: STRING, amount: DOUBLE, ts: TIMESTAMP(3)}
                event-time: {column: ts}
            views: [{name: v, sql: SELECT card_id FROM payments}]
            """;

    @TempDir
    Path dir;

    @Test
    void readsAlertsAndNotifiersWithDefaultsApplied() throws IOException {
        Path file = Files.writeString(dir.resolve("p.yaml"), HEAD + """
                alerts:
                  - name: big_payment
                    sql: SELECT card_id, amount, ts FROM payments WHERE amount > 1000
                    key: [card_id]
                    time: ts
                    severity: critical
                    message: "card {card_id} paid {amount}"
                    for: 10s
                    cooldown: 1m
                    resolve-after: 30s
                    notify: [hook, mail]
                  - name: minimal
                    sql: SELECT card_id, window_end FROM payments
                    message: hello
                notifiers:
                  - name: hook
                    type: webhook
                    url: ${env:HOOK_URL}
                    secret: ${env:HOOK_SECRET}
                    allow-private-networks: true
                  - name: mail
                    type: email
                    smtp: {host: smtp.example.com, port: 2525, from: a@example.com, to: [b@example.com], starttls: false,
                           username: alerts, password: "${env:SMTP_PASSWORD}"}
                """);
        PipelineSpec spec = new SpecParser().parse(file);

        AlertSpec big = spec.alerts().get(0);
        assertThat(big.name()).isEqualTo("big_payment");
        assertThat(big.key()).containsExactly("card_id");
        assertThat(big.time()).isEqualTo("ts");
        assertThat(big.severity()).isEqualTo(AlertSpec.Severity.CRITICAL);
        assertThat(big.message()).isEqualTo("card {card_id} paid {amount}");
        assertThat(big.forDuration()).isEqualTo(Duration.ofSeconds(10));
        assertThat(big.cooldown()).isEqualTo(Duration.ofMinutes(1));
        assertThat(big.resolveAfter()).isEqualTo(Duration.ofSeconds(30));
        assertThat(big.notifiers()).containsExactly("hook", "mail");
        AlertSpec minimal = spec.alerts().get(1);
        assertThat(List.of(minimal.time(), minimal.severity(), minimal.forDuration(), minimal.cooldown(), minimal.resolveAfter()))
                .containsExactly("window_end", AlertSpec.Severity.WARNING, Duration.ZERO, Duration.ZERO, Duration.ofMinutes(5));
        assertThat(spec.notifiers().get(0)).isEqualTo(new NotifierSpec("hook", NotifierSpec.Type.WEBHOOK, "${env:HOOK_URL}",
                Optional.of("${env:HOOK_SECRET}"), Optional.empty(), true, new Location(file, 22, 5)));
        assertThat(spec.notifiers().get(1).smtp()).contains(new NotifierSpec.Smtp("smtp.example.com", 2525, "a@example.com",
                List.of("b@example.com"), false, Optional.of("alerts"), Optional.of("${env:SMTP_PASSWORD}")));
        assertThat(spec.alertsTopic()).isEqualTo("sluice.p.alerts");
    }

    @Test
    void refusesALiteralSecretWithoutRepeatingItAndAnUnknownNotifier() throws IOException {
        Path file = Files.writeString(dir.resolve("p.yaml"), HEAD + """
                alerts:
                  - name: a
                    sql: SELECT card_id, ts FROM payments
                    message: m
                    notify: [pager]
                notifiers:
                  - name: hook
                    type: webhook
                    url: https://hooks.example.com/x
                    secret: hunter2
                """);
        assertThatThrownBy(() -> new SpecParser().parse(file))
                .isInstanceOfSatisfying(SpecException.class, e -> assertThat(e.problems()).extracting(
                        p -> p.location().line() + ":" + p.location().column() + " " + p.key() + " " + p.message())
                        .containsExactlyInAnyOrder(
                                "16:13 notifiers[0].secret the webhook secret must be written as ${env:NAME} (an environment "
                                        + "variable that holds it), not as a literal value in the pipeline file",
                                "11:14 alerts[0].notify[0] unknown notifier 'pager'; declared notifiers are: hook"))
                .message().doesNotContain("hunter2");
    }

    @Test
    void refusesAnUnknownSeverityAndAWebhookWithoutUrl() throws IOException {
        Path file = Files.writeString(dir.resolve("p.yaml"), HEAD + """
                alerts:
                  - name: a
                    sql: SELECT card_id, ts FROM payments
                    severity: urgent
                    message: m
                notifiers:
                  - name: hook
                    type: webhook
                """);
        assertThatThrownBy(() -> new SpecParser().parse(file))
                .isInstanceOfSatisfying(SpecException.class, e -> assertThat(e.problems()).extracting(
                        p -> p.location().line() + ":" + p.location().column() + " " + p.key() + " " + p.message())
                        .containsExactlyInAnyOrder(
                                "10:15 alerts[0].severity unknown severity 'urgent'; allowed values are: critical, warning, info",
                                "13:5 notifiers[0].url missing required key 'url'; expected an http or https URL, or "
                                        + "${env:NAME} to take it from an environment variable"));
    }
}
