package dev.sluice.server;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.javalin.Javalin;
import io.javalin.http.Context;
import java.io.IOException;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.function.Function;

/**
 * The dead-letter routes of a pipeline under {@code /api/v1/pipelines/{name}/dlq}: what failed and why, and replaying it
 * to the source topic once the cause is fixed (see {@link DeadLetterReplay}).
 * <ul>
 *   <li>{@code GET .../dlq} — dead letters per source with their top reasons and how many were replayed.</li>
 *   <li>{@code GET .../dlq/{source}?since=&reason-like=&limit=} — the dead letters themselves, oldest origin first.</li>
 *   <li>{@code POST .../dlq/{source}/replay} with {@code {"since": ..., "reasonLike": ..., "dryRun": false}}.</li>
 *   <li>{@code GET .../dlq-replays?limit=} — the replay ledger, newest first.</li>
 * </ul>
 */
final class DeadLetterRoutes {
    static final int DEFAULT_LIMIT = 20;
    static final int MAX_LIMIT = 1_000;

    private DeadLetterRoutes() {}

    static void register(Javalin app, Function<String, Optional<DeadLetterReplay>> replays, ObjectMapper mapper) {
        String base = ApiServer.PIPELINES + "/{name}";
        app.get(base + "/dlq", ctx -> ctx.json(Map.of("sources", replay(ctx, replays).summary())));
        app.get(base + "/dlq/{source}", ctx -> ctx.json(Map.of("deadLetters",
                replay(ctx, replays).list(filter(ctx, ctx.queryParam("since"), ctx.queryParam("reason-like")), limit(ctx)))));
        app.post(base + "/dlq/{source}/replay", ctx -> {
            JsonNode body = body(ctx, mapper);
            DeadLetterReplay.Filter filter = filter(ctx, text(body, "since"), text(body, "reasonLike"));
            ctx.json(replay(ctx, replays).replay(filter, body.path("dryRun").asBoolean(false)));
        });
        app.get(base + "/dlq-replays", ctx -> ctx.json(Map.of("replays", replay(ctx, replays).ledger(limit(ctx)))));
    }

    private static DeadLetterReplay replay(Context ctx, Function<String, Optional<DeadLetterReplay>> replays) {
        String name = ctx.pathParam("name");
        DeadLetterReplay replay = replays.apply(name)
                .orElseThrow(() -> new NoSuchPipelineException("no pipeline named '" + name + "' runs here"));
        String source = ctx.pathParamMap().get("source");
        if (source != null && !replay.sources().contains(source)) {
            throw new ApiServer.BadRequest("pipeline '" + name + "' has no source '" + source + "'; its sources are " + replay.sources());
        }
        return replay;
    }

    private static DeadLetterReplay.Filter filter(Context ctx, String since, String reasonLike) {
        Optional<Instant> from = Optional.empty();
        if (since != null && !since.isBlank()) {
            try {
                from = Optional.of(Instant.parse(since));
            } catch (DateTimeParseException e) {
                throw new ApiServer.BadRequest("'since' must be an ISO-8601 instant such as 2026-01-01T00:00:00Z, got '" + since + "'");
            }
        }
        String source = ctx.pathParam("source");
        return new DeadLetterReplay.Filter(source, from,
                reasonLike == null || reasonLike.isBlank() ? Optional.empty() : Optional.of(reasonLike));
    }

    private static JsonNode body(Context ctx, ObjectMapper mapper) {
        if (ctx.body().isBlank()) {
            return mapper.createObjectNode();
        }
        try {
            JsonNode body = mapper.readTree(ctx.body());
            if (!body.isObject()) {
                throw new ApiServer.BadRequest("the body must be a JSON object such as {\"reasonLike\": \"%amount%\", \"dryRun\": true}");
            }
            return body;
        } catch (IOException e) {
            throw new ApiServer.BadRequest("the body is not JSON: " + e.getMessage());
        }
    }

    private static String text(JsonNode body, String field) {
        JsonNode v = body.get(field);
        return v == null || v.isNull() ? null : v.asText();
    }

    private static int limit(Context ctx) {
        String text = ctx.queryParam("limit");
        if (text == null) {
            return DEFAULT_LIMIT;
        }
        try {
            int n = Integer.parseInt(text);
            if (n >= 1 && n <= MAX_LIMIT) {
                return n;
            }
        } catch (NumberFormatException e) {
            // answered below
        }
        throw new ApiServer.BadRequest("'limit' must be a whole number from 1 to " + MAX_LIMIT + ", got '" + text + "'");
    }
}
