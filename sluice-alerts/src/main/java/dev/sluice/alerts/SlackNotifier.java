package dev.sluice.alerts;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.sluice.alerts.internal.GuardedHttp;
import java.util.Map;

/**
 * POSTs a Slack incoming-webhook message ({@code {"text": ...}} with mrkdwn) such as
 * {@code :rotating_light: *FIRING* [critical] payments/card_testing (card_id=c1): card c1 made 5 attempts}.
 * Any Slack-compatible receiver (Mattermost, Rocket.Chat, Discord's /slack endpoint) accepts it.
 */
public final class SlackNotifier implements AlertNotifier {
    private static final ObjectMapper MAPPER = new ObjectMapper();

    private final String name;
    private final String url;
    private final boolean allowPrivateNetworks;
    private final GuardedHttp http;
    private final Secrets secrets;

    public SlackNotifier(String name, String url, boolean allowPrivateNetworks, GuardedHttp http, Secrets secrets) {
        this.name = name;
        this.url = url;
        this.allowPrivateNetworks = allowPrivateNetworks;
        this.http = http;
        this.secrets = secrets;
    }

    @Override
    public String name() {
        return name;
    }

    @Override
    public void send(AlertNotification n) {
        http.post(secrets.resolve(url, "the url of notifier '" + name + "'"), allowPrivateNetworks, Map.of(), body(n));
    }

    /** The Slack message body for a notification. */
    public static byte[] body(AlertNotification n) {
        ObjectNode body = MAPPER.createObjectNode();
        body.put("text", text(n));
        try {
            return MAPPER.writeValueAsBytes(body);
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw new IllegalStateException("a Slack message always serialises to JSON: " + e.getMessage(), e);
        }
    }

    public static String text(AlertNotification n) {
        boolean firing = AlertNotification.FIRING.equals(n.state());
        return (firing ? ":rotating_light: *FIRING*" : ":white_check_mark: *RESOLVED*") + " [" + n.severity() + "] "
                + n.pipeline() + "/" + n.alert() + (n.keyText().isEmpty() ? "" : " (" + n.keyText() + ")") + ": "
                + n.message();
    }
}
