package dev.sluice.server;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.sluice.alerts.NotificationJson;
import io.javalin.Javalin;
import io.javalin.http.Context;
import java.io.IOException;
import java.time.Duration;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.Map;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The alerts API of each pipeline:
 * <ul>
 *   <li>{@code GET /api/v1/pipelines/{p}/alerts}: firing and resolved (latest per alert and key), history with each
 *       notifier's outcome, silences, delivery counts;</li>
 *   <li>{@code GET /api/v1/pipelines/{p}/alerts/stream}: server-sent events, one {@code alert} event (the notification
 *       JSON) per notification once it is recorded;</li>
 *   <li>{@code POST /api/v1/pipelines/{p}/alerts/silences} with {@code {"alert": "card_testing" | "*", "key": "card_id=c-1*",
 *       "for": "1h"}} (or {@code "until": "2026-01-01T00:00:00Z"}) and {@code DELETE .../alerts/silences/{id}}.</li>
 * </ul>
 */
final class AlertRoutes {
    private static final String BASE = "/api/v1/pipelines/{name}/alerts";
    private static final Pattern DURATION = Pattern.compile("([0-9]{1,9})(s|m|h|d)");
    private static final int HISTORY = 200;

    private AlertRoutes() {}

    static void register(Javalin app, StatusSource status, ObjectMapper mapper) {
        app.get(BASE, ctx -> ctx.json(alerts(status, ctx).overview(HISTORY)));
        app.sse(BASE + "/stream", client -> {
            AlertDelivery alerts = alerts(status, client.ctx());
            client.keepAlive();
            Runnable remove = alerts.onNotification(n -> client.sendEvent("alert", NotificationJson.toText(n)));
            client.onClose(remove);
            client.sendEvent("ready", "{}");
        });
        app.post(BASE + "/silences", ctx -> {
            AlertDelivery alerts = alerts(status, ctx);
            JsonNode body;
            try {
                body = mapper.readTree(ctx.body());
            } catch (IOException e) {
                throw new ApiServer.BadRequest("the body is not JSON: " + e.getMessage());
            }
            String alert = text(body, "alert", "an alert name, or * for every alert");
            String key = body.hasNonNull("key") ? body.get("key").asText() : "*";
            ctx.status(201).json(alerts.silence(alert, key, until(body)).json());
        });
        app.delete(BASE + "/silences/{id}", ctx -> {
            if (!alerts(status, ctx).unsilence(ctx.pathParam("id"))) {
                throw new ApiServer.Refused(404, "no silence '" + ctx.pathParam("id") + "' in pipeline '" + ctx.pathParam("name") + "'");
            }
            ctx.json(Map.of("removed", ctx.pathParam("id")));
        });
    }

    private static AlertDelivery alerts(StatusSource status, Context ctx) {
        String name = ctx.pathParam("name");
        if (!status.pipelineNames().contains(name)) {
            throw new NoSuchPipelineException("no pipeline '" + name + "' is running; pipelines are: "
                    + String.join(", ", new TreeSet<>(status.pipelineNames())));
        }
        return status.alerts(name).orElseThrow(() -> new ApiServer.Refused(404, "pipeline '" + name
                + "' has no alerts; add an alerts: section to its pipeline file"));
    }

    private static String text(JsonNode body, String field, String expected) {
        JsonNode value = body.get(field);
        if (value == null || !value.isTextual() || value.asText().isBlank()) {
            throw new ApiServer.BadRequest("field '" + field + "' is missing or not a text; expected " + expected);
        }
        return value.asText();
    }

    private static Instant until(JsonNode body) {
        if (body.hasNonNull("until")) {
            try {
                return Instant.parse(body.get("until").asText());
            } catch (DateTimeParseException e) {
                throw new ApiServer.BadRequest("field 'until' is '" + body.get("until").asText()
                        + "'; expected an ISO-8601 UTC time such as 2026-01-01T00:00:00Z");
            }
        }
        String text = text(body, "for", "a duration such as 30m, 2h or 1d (or give 'until')");
        Matcher m = DURATION.matcher(text);
        if (!m.matches()) {
            throw new ApiServer.BadRequest("field 'for' is '" + text + "'; expected <integer><unit> with unit s, m, h or d, such as 2h");
        }
        long amount = Long.parseLong(m.group(1));
        Duration d = switch (m.group(2)) {
            case "s" -> Duration.ofSeconds(amount);
            case "m" -> Duration.ofMinutes(amount);
            case "h" -> Duration.ofHours(amount);
            default -> Duration.ofDays(amount);
        };
        return Instant.now().plus(d);
    }
}
