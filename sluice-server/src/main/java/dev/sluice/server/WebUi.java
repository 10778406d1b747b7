package dev.sluice.server;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.javalin.Javalin;
import io.javalin.config.JavalinConfig;
import io.javalin.http.Context;
import io.javalin.http.staticfiles.Location;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The web UI: static pages, scripts and styles from the classpath folder {@code web/} at {@code /}, the charting
 * library from its WebJar at {@code /webjars/...}, and the browser's login ({@code /api/v1/session}). The pages get
 * their data from the JSON API and its server-sent events, never from HTML built here.
 *
 * <p>Static assets are public (they hold no data); every {@code /api/} route needs a key when the server has keys,
 * given as {@code Authorization: Bearer <key>} or, for a browser, as the session cookie that
 * {@code POST /api/v1/session} with {@code {"key": "..."}} sets ({@link BrowserSessions}).
 */
public final class WebUi {
    /** The login route of browsers; open to requests without a key. */
    public static final String SESSION = "/api/v1/session";
    /** Version of the ECharts WebJar on the classpath; pages load {@code /webjars/echarts/<version>/dist/...}. */
    public static final String ECHARTS_VERSION = "5.3.1";
    /**
     * Scripts and styles only from this server, no frames, no plugins; inline styles are allowed because ECharts
     * positions its tooltips with them.
     */
    static final String CONTENT_SECURITY_POLICY = "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline';"
            + " img-src 'self' data:; connect-src 'self'; object-src 'none'; frame-ancestors 'none'; base-uri 'none'; form-action 'self'";

    private WebUi() {
    }

    /** Serves {@code web/} at {@code /} and the WebJars at {@code /webjars}; call inside {@code Javalin.create}. */
    static void configure(JavalinConfig config) {
        config.staticFiles.add(files -> {
            files.hostedPath = "/";
            files.directory = "/web";
            files.location = Location.CLASSPATH;
            files.headers = Map.of("Cache-Control", "no-cache");
        });
        config.staticFiles.enableWebjars();
    }

    /** Whether the path is a static asset, which needs no key. */
    static boolean isAsset(String path) {
        return !path.startsWith("/api/") && !path.equals("/metrics");
    }

    /** Headers of every page and asset: no sniffing, no framing, only this server's scripts. */
    static void assetHeaders(Context ctx) {
        ctx.header("Content-Security-Policy", CONTENT_SECURITY_POLICY);
        ctx.header("X-Content-Type-Options", "nosniff");
        ctx.header("Referrer-Policy", "no-referrer");
    }

    /** Registers {@code GET|POST|DELETE /api/v1/session}. */
    static void addRoutes(Javalin app, ApiKeys keys, BrowserSessions sessions, ObjectMapper mapper) {
        app.get(SESSION, ctx -> ctx.json(sessionState(!keys.isEmpty(), keys.isEmpty() || sessions.accepts(ctx.cookie(BrowserSessions.COOKIE)))));
        app.post(SESSION, ctx -> {
            if (keys.isEmpty()) {
                ctx.json(sessionState(false, true));
                return;
            }
            JsonNode body;
            try {
                body = mapper.readTree(ctx.body());
            } catch (Exception e) {
                throw new ApiServer.BadRequest("the body must be JSON like {\"key\": \"<API key>\"}: " + e.getMessage());
            }
            if (body == null || !body.path("key").isTextual()) {
                throw new ApiServer.BadRequest("the body must be a JSON object with a string field \"key\", the API key");
            }
            if (!keys.accepts(body.get("key").asText())) {
                throw new ApiServer.Refused(401, "the API key is not one this server accepts");
            }
            String id = sessions.start();
            ctx.header("Set-Cookie", BrowserSessions.COOKIE + "=" + id + "; Path=/; HttpOnly; SameSite=Strict"
                    + ("https".equals(ctx.scheme()) ? "; Secure" : ""));
            ctx.json(sessionState(true, true));
        });
        app.delete(SESSION, ctx -> {
            sessions.end(ctx.cookie(BrowserSessions.COOKIE));
            ctx.header("Set-Cookie", BrowserSessions.COOKIE + "=; Path=/; HttpOnly; SameSite=Strict; Max-Age=0");
            ctx.json(sessionState(!keys.isEmpty(), keys.isEmpty()));
        });
    }

    private static Map<String, Object> sessionState(boolean keysRequired, boolean authenticated) {
        Map<String, Object> json = new LinkedHashMap<>();
        json.put("keysRequired", keysRequired);
        json.put("authenticated", authenticated);
        return json;
    }
}
