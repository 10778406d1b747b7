package dev.sluice.alerts;

import static org.assertj.core.api.Assertions.assertThat;

import com.icegreen.greenmail.junit5.GreenMailExtension;
import com.icegreen.greenmail.util.GreenMailUtil;
import com.icegreen.greenmail.util.ServerSetup;
import dev.sluice.spec.NotifierSpec;
import jakarta.mail.internet.MimeMessage;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** E-mail through a real SMTP server (GreenMail) on a free loopback port. */
class EmailNotifierTest {

    @RegisterExtension
    static final GreenMailExtension SMTP = new GreenMailExtension(new ServerSetup(0, "127.0.0.1", ServerSetup.PROTOCOL_SMTP)
            .dynamicPort());

    private static final AlertNotification RESOLVED = new AlertNotification("fedcba9876543210fedcba9876543210", "payments",
            "card_testing", Map.of("card_id", "c9"), "card_id=c9", "critical", "resolved", "resolved: card c9 made 7 attempts",
            61_000, 1_000, 62_000, Map.of("card_id", "c9", "attempts", "7"), List.of("mail"));

    @Test
    void sendsAPlainTextMailWithTheNotificationIdAndAuthenticates() throws Exception {
        SMTP.setUser("alerts", "pw-from-env");
        int port = SMTP.getSmtp().getPort();
        NotifierSpec.Smtp smtp = new NotifierSpec.Smtp("127.0.0.1", port, "sluice@example.com",
                List.of("oncall@example.com", "fraud@example.com"), false, Optional.of("alerts"), Optional.of("${env:SMTP_PW}"));
        EmailNotifier mail = new EmailNotifier("mail", smtp, true, AddressGuard.system(),
                new Secrets(Map.of("SMTP_PW", "pw-from-env")::get), Duration.ofSeconds(5));

        DeliveryOutcome outcome = RetryingDelivery.of(RetryPolicy.defaults()).deliver(mail, RESOLVED);

        assertThat(outcome.status()).isEqualTo("sent");
        MimeMessage[] messages = SMTP.getReceivedMessages();
        assertThat(messages).hasSize(2);
        MimeMessage first = messages[0];
        assertThat(first.getSubject()).isEqualTo("[Sluice] RESOLVED critical payments/card_testing (card_id=c9)");
        assertThat(first.getHeader("X-Sluice-Notification-Id")).containsExactly(RESOLVED.id());
        assertThat(GreenMailUtil.getBody(first).replace("\r\n", "\n").strip()).isEqualTo("""
                resolved: card c9 made 7 attempts

                Alert: payments/card_testing
                State: resolved
                Severity: critical
                Key: card_id=c9
                Event time: 1970-01-01T00:01:01Z
                Notification id: fedcba9876543210fedcba9876543210""");
        assertThat(List.of(messages[0].getAllRecipients()[0].toString(), messages[1].getAllRecipients()[1].toString()))
                .containsExactly("oncall@example.com", "fraud@example.com");
    }

    @Test
    void refusesToSendWithoutStarttlsWhenItIsRequired() {
        NotifierSpec.Smtp smtp = new NotifierSpec.Smtp("127.0.0.1", SMTP.getSmtp().getPort(), "sluice@example.com",
                List.of("oncall@example.com"), true, Optional.empty(), Optional.empty());
        EmailNotifier mail = new EmailNotifier("mail", smtp, true, AddressGuard.system(), Secrets.fromEnvironment(),
                Duration.ofSeconds(5));

        DeliveryOutcome outcome = new RetryingDelivery(new RetryPolicy(2, Duration.ZERO, Duration.ZERO, Duration.ofSeconds(10)),
                Clock.systemUTC(), d -> { }).deliver(mail, RESOLVED);

        assertThat(outcome.status()).isEqualTo("gave-up");
        assertThat(outcome.detail()).contains("STARTTLS");
        assertThat(SMTP.getReceivedMessages()).isEmpty();
    }
}
