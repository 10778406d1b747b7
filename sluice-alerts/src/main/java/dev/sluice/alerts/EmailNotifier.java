package dev.sluice.alerts;

import dev.sluice.spec.NotifierSpec;
import jakarta.mail.Authenticator;
import jakarta.mail.Message;
import jakarta.mail.MessagingException;
import jakarta.mail.PasswordAuthentication;
import jakarta.mail.Session;
import jakarta.mail.Transport;
import jakarta.mail.internet.InternetAddress;
import jakarta.mail.internet.MimeMessage;
import java.net.InetAddress;
import java.time.Duration;
import java.time.Instant;
import java.util.Date;
import java.util.Locale;
import java.util.Properties;

/**
 * Sends a plain-text e-mail over SMTP (Jakarta Mail, Eclipse Angus). The SMTP host passes the same {@link AddressGuard}
 * as webhooks; without STARTTLS the connection goes to the approved address itself, with STARTTLS to the host name so
 * the certificate can be checked (the guard has checked what it resolves to). With {@code starttls: true} the server
 * must offer STARTTLS, otherwise nothing is sent.
 */
public final class EmailNotifier implements AlertNotifier {
    private final String name;
    private final NotifierSpec.Smtp smtp;
    private final boolean allowPrivateNetworks;
    private final AddressGuard guard;
    private final Secrets secrets;
    private final Duration timeout;

    public EmailNotifier(String name, NotifierSpec.Smtp smtp, boolean allowPrivateNetworks, AddressGuard guard, Secrets secrets,
            Duration timeout) {
        this.name = name;
        this.smtp = smtp;
        this.allowPrivateNetworks = allowPrivateNetworks;
        this.guard = guard;
        this.secrets = secrets;
        this.timeout = timeout;
    }

    @Override
    public String name() {
        return name;
    }

    @Override
    public void send(AlertNotification n) {
        InetAddress address = guard.resolve(smtp.host(), allowPrivateNetworks);
        Properties props = new Properties();
        props.setProperty("mail.smtp.host", smtp.starttls() ? smtp.host() : address.getHostAddress());
        props.setProperty("mail.smtp.port", Integer.toString(smtp.port()));
        props.setProperty("mail.smtp.connectiontimeout", Long.toString(timeout.toMillis()));
        props.setProperty("mail.smtp.timeout", Long.toString(timeout.toMillis()));
        props.setProperty("mail.smtp.writetimeout", Long.toString(timeout.toMillis()));
        if (smtp.starttls()) {
            props.setProperty("mail.smtp.starttls.enable", "true");
            props.setProperty("mail.smtp.starttls.required", "true");
            props.setProperty("mail.smtp.ssl.checkserveridentity", "true");
        }
        Authenticator authenticator = null;
        if (smtp.username().isPresent()) {
            props.setProperty("mail.smtp.auth", "true");
            String user = smtp.username().get();
            String password = smtp.password().map(p -> secrets.resolve(p, "the SMTP password of notifier '" + name + "'")).orElse("");
            authenticator = new Authenticator() {
                @Override
                protected PasswordAuthentication getPasswordAuthentication() {
                    return new PasswordAuthentication(user, password);
                }
            };
        }
        Session session = Session.getInstance(props, authenticator);
        try {
            MimeMessage message = new MimeMessage(session);
            message.setFrom(new InternetAddress(smtp.from()));
            for (String to : smtp.to()) {
                message.addRecipient(Message.RecipientType.TO, new InternetAddress(to));
            }
            message.setSubject(subject(n), "UTF-8");
            message.setText(body(n), "UTF-8");
            message.setHeader(WebhookNotifier.ID_HEADER, n.id());
            message.setSentDate(new Date(n.firedAt()));
            Transport.send(message);
        } catch (MessagingException e) {
            throw new DeliveryException("cannot send e-mail through " + smtp.host() + ":" + smtp.port() + ": " + e.getMessage(), true, e);
        }
    }

    public static String subject(AlertNotification n) {
        return "[Sluice] " + n.state().toUpperCase(Locale.ROOT) + " " + n.severity() + " " + n.pipeline() + "/"
                + n.alert() + (n.keyText().isEmpty() ? "" : " (" + n.keyText() + ")");
    }

    public static String body(AlertNotification n) {
        StringBuilder text = new StringBuilder();
        text.append(n.message()).append("\n\n");
        text.append("Alert: ").append(n.pipeline()).append('/').append(n.alert()).append('\n');
        text.append("State: ").append(n.state()).append('\n');
        text.append("Severity: ").append(n.severity()).append('\n');
        text.append("Key: ").append(n.keyText().isEmpty() ? "(none)" : n.keyText()).append('\n');
        text.append("Event time: ").append(Instant.ofEpochMilli(n.eventTime())).append('\n');
        text.append("Notification id: ").append(n.id()).append('\n');
        return text.toString();
    }
}
