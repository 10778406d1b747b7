package dev.sluice.server;

import dev.sluice.server.internal.IngestBody;
import io.javalin.Javalin;
import io.javalin.http.Context;
import java.io.IOException;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

/**
 * {@code POST /api/v1/streams/{stream}/events}: the HTTP ingest route, a thin adapter around {@link IngestService}.
 * It does its own authentication because keys may be limited to one stream: without a valid key 401, with a key of
 * another stream 403. The body (JSON or NDJSON, gzip or not) is read here from the request stream with the ingest
 * limits, not the API's 1 MB limit for other routes.
 *
 * <p>Responses: 200 with {@code {"stream","accepted","rejected","rejections":[{"index","line","reason"}]}} when at least
 * one record was written (all of them durable in the broker); 422 in the same shape when every record was rejected;
 * a retry with the same {@code Idempotency-Key} gets the original response with {@code Idempotent-Replayed: true};
 * errors are {@code {"error","detail"}}: 400, 401, 403, 404, 409, 413, 415, 422, 429 and 503 (both with
 * {@code Retry-After}).
 */
public final class IngestRoutes {
    public static final String PATH = "/api/v1/streams/{stream}/events";
    private static final String PREFIX = "/api/v1/streams/";
    private static final String BEARER = "bearer ";

    private IngestRoutes() {}

    /** Whether {@code path} is the ingest route, whose authentication and body rules are its own. */
    public static boolean isIngestPath(String path) {
        return path.startsWith(PREFIX) && path.endsWith("/events");
    }

    /** Registers the route on {@code app}; with no service (a server without a broker) it answers 503. */
    public static void register(Javalin app, Optional<IngestService> ingest, ApiKeys keys) {
        app.post(PATH, ctx -> handle(ctx, ingest, keys));
    }

    private static void handle(Context ctx, Optional<IngestService> service, ApiKeys keys) throws IOException {
        String stream = ctx.pathParam("stream");
        Optional<ApiKeys.Key> key = Optional.empty();
        if (!keys.isEmpty()) {
            String token = bearerToken(ctx.header("Authorization"));
            key = keys.find(token);
            if (key.isEmpty()) {
                ctx.header("WWW-Authenticate", "Bearer realm=\"sluice\"");
                send(ctx, IngestService.Reply.error(401, "refused", token == null
                        ? "this server needs an API key: send the header Authorization: Bearer <key>"
                        : "the API key is not one this server accepts", 0));
                return;
            }
            if (!key.get().allowsStream(stream)) {
                send(ctx, IngestService.Reply.error(403, "refused", "the API key '" + key.get().id() + "' may only send to the stream '"
                        + key.get().stream().orElse("") + "', not '" + stream + "'", 0));
                return;
            }
        }
        if (service.isEmpty()) {
            send(ctx, IngestService.Reply.error(503, "unavailable", "this server has no HTTP ingest (no Kafka broker)", 5));
            return;
        }
        String encoding = ctx.header("Content-Encoding");
        boolean gzip = encoding != null && encoding.strip().toLowerCase(Locale.ROOT).equals("gzip");
        if (encoding != null && !gzip && !encoding.strip().equalsIgnoreCase("identity")) {
            send(ctx, IngestService.Reply.error(415, "refused", "Content-Encoding '" + encoding + "' is not supported; send gzip or "
                    + "no Content-Encoding", 0));
            return;
        }
        IngestService.Reply reply = service.get().ingest(stream, key, ctx.header("Idempotency-Key"),
                ctx.req().getInputStream(), IngestBody.Form.of(ctx.contentType()), gzip, ctx.queryParam("key"));
        send(ctx, reply);
    }

    private static void send(Context ctx, IngestService.Reply reply) {
        if (reply.retryAfterSeconds() > 0) {
            ctx.header("Retry-After", String.valueOf(reply.retryAfterSeconds()));
        }
        if (reply.replayed()) {
            ctx.header("Idempotent-Replayed", "true");
        }
        if (reply.status() == 413) {
            // The rest of the body is not read; the connection cannot be reused for the next request.
            ctx.header("Connection", "close");
        }
        Map<String, Object> body = new LinkedHashMap<>(reply.body());
        ctx.status(reply.status()).json(body);
    }

    private static String bearerToken(String authorization) {
        if (authorization == null || authorization.length() <= BEARER.length()
                || !authorization.regionMatches(true, 0, BEARER, 0, BEARER.length())) {
            return null;
        }
        return authorization.substring(BEARER.length()).strip();
    }
}
