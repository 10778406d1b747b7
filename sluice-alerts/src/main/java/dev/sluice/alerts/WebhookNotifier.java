package dev.sluice.alerts;

import dev.sluice.alerts.internal.GuardedHttp;
import java.nio.charset.StandardCharsets;
import java.security.InvalidKeyException;
import java.security.NoSuchAlgorithmException;
import java.time.Clock;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * POSTs the notification's JSON ({@link NotificationJson}) to a URL. With a secret it signs it: header
 * {@code X-Sluice-Timestamp} (epoch seconds) and {@code X-Sluice-Signature: sha256=<hex>}, the HMAC-SHA256 of
 * {@code timestamp + "." + body} with the shared secret, so a receiver can check origin and freshness. Every request
 * carries {@code X-Sluice-Notification-Id} for receivers that de-duplicate.
 */
public final class WebhookNotifier implements AlertNotifier {
    public static final String ID_HEADER = "X-Sluice-Notification-Id";
    public static final String TIMESTAMP_HEADER = "X-Sluice-Timestamp";
    public static final String SIGNATURE_HEADER = "X-Sluice-Signature";

    private final String name;
    private final String url;
    private final Optional<String> secret;
    private final boolean allowPrivateNetworks;
    private final GuardedHttp http;
    private final Secrets secrets;
    private final Clock clock;

    /**
     * @param url    the URL or a {@code ${env:NAME}} reference to it
     * @param secret a {@code ${env:NAME}} reference to the HMAC secret, if requests are signed
     */
    public WebhookNotifier(String name, String url, Optional<String> secret, boolean allowPrivateNetworks, GuardedHttp http,
            Secrets secrets, Clock clock) {
        this.name = name;
        this.url = url;
        this.secret = secret;
        this.allowPrivateNetworks = allowPrivateNetworks;
        this.http = http;
        this.secrets = secrets;
        this.clock = clock;
    }

    @Override
    public String name() {
        return name;
    }

    @Override
    public void send(AlertNotification notification) {
        byte[] body = NotificationJson.toBytes(notification);
        Map<String, String> headers = new LinkedHashMap<>();
        headers.put(ID_HEADER, notification.id());
        if (secret.isPresent()) {
            String timestamp = Long.toString(clock.millis() / 1000);
            headers.put(TIMESTAMP_HEADER, timestamp);
            headers.put(SIGNATURE_HEADER, "sha256=" + sign(secrets.resolve(secret.get(), "the secret of notifier '" + name + "'"),
                    timestamp, body));
        }
        http.post(secrets.resolve(url, "the url of notifier '" + name + "'"), allowPrivateNetworks, headers, body);
    }

    /** Hex HMAC-SHA256 of {@code timestamp + "." + body}: what a receiver recomputes to verify a request. */
    public static String sign(String secret, String timestamp, byte[] body) {
        try {
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(new SecretKeySpec(secret.getBytes(StandardCharsets.UTF_8), "HmacSHA256"));
            mac.update((timestamp + ".").getBytes(StandardCharsets.UTF_8));
            return HexFormat.of().formatHex(mac.doFinal(body));
        } catch (NoSuchAlgorithmException | InvalidKeyException e) {
            throw new IllegalStateException("HmacSHA256 is required of every Java runtime: " + e.getMessage(), e);
        }
    }
}
