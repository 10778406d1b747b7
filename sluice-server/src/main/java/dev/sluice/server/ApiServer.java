package dev.sluice.server;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import dev.sluice.PathRedactor;
import dev.sluice.SluiceException;
import dev.sluice.spec.PipelineSpec;
import dev.sluice.spec.SpecException;
import dev.sluice.spec.SpecParser;
import dev.sluice.storage.QueryFailedException;
import dev.sluice.storage.QueryRejectedException;
import dev.sluice.storage.QueryResult;
import dev.sluice.storage.QueryScope;
import dev.sluice.storage.QueryService;
import dev.sluice.storage.TableDefinition;
import dev.sluice.storage.TableNotFoundException;
import dev.sluice.storage.TooManyQueriesException;
import io.javalin.Javalin;
import io.javalin.http.Context;
import io.javalin.http.HandlerType;
import io.javalin.json.JavalinJackson;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The REST API, JSON in and out, under {@code /api/v1}: health, pipelines, table rows and read-only SQL over
 * storage. Errors are {@code {"error": "...", "detail": "..."}} with a fitting status code, and name the data
 * directory {@code <data-dir>}, never its path. Handlers only translate HTTP; the work is done by a
 * {@link StatusSource} ({@link SluiceServer}) and {@link QueryService}.
 *
 * <p>Who may call it: requests must name a loopback host or the bind address in their {@code Host} header (403
 * otherwise, against DNS rebinding), POST bodies must be JSON (415 otherwise, against cross-site form posts), and when
 * API keys are configured every request needs {@code Authorization: Bearer <key>} of a global key or a browser session
 * cookie (401 otherwise; see {@link WebUi}). The web UI is served at {@code /} by the same server. The ingest route
 * {@code POST /api/v1/streams/{stream}/events} ({@link IngestRoutes}) checks its own keys, which may be limited to one
 * stream, and takes JSON or NDJSON bodies up to {@code ingest.max-body-size}. A server that
 * listens beyond loopback must have keys: {@link #checkExposure} refuses to start without them.
 */
public final class ApiServer implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(ApiServer.class);
    static final int DEFAULT_LIMIT = 100;
    static final int MAX_ROWS = 10_000;
    private static final String BEARER = "bearer ";
    static final String PIPELINES = "/api/v1/pipelines";
    /** Names the pipeline file of a deploy, for problem locations and relative reference paths; {@code sluice deploy} sends it. */
    public static final String PIPELINE_FILE_HEADER = "X-Sluice-Pipeline-File";

    private final Javalin app;
    private final MonitoringRoutes monitoring;
    private final DashboardHub dashboards;
    /** A hub this server made for itself, closed with it. */
    private DashboardHub owned;

    private ApiServer(Javalin app, MonitoringRoutes monitoring, DashboardHub dashboards) {
        this.app = app;
        this.monitoring = monitoring;
        this.dashboards = dashboards;
    }

    /** An API whose pipelines cannot be deployed or removed (deploys answer 409). */
    public static ApiServer start(StatusSource status, QueryService queries, ServerSettings settings) {
        return start(status, new PipelineControl() {
            @Override
            public Deployed deploy(PipelineSpec spec) {
                throw new PipelineConflictException("this server does not deploy pipelines");
            }

            @Override
            public void remove(String name) {
                throw new PipelineConflictException("this server does not remove pipelines");
            }
        }, queries, settings);
    }

    public static ApiServer start(StatusSource status, PipelineControl control, QueryService queries, ServerSettings settings) {
        return start(status, control, queries, settings, Optional.empty());
    }

    /** The API with the HTTP ingest route served by {@code ingest} (answering 503 without one), and dashboards of its own. */
    public static ApiServer start(StatusSource status, PipelineControl control, QueryService queries, ServerSettings settings,
            Optional<IngestService> ingest) {
        DashboardHub dashboards = new DashboardHub(queries, DashboardHub.Limits.defaults(), java.time.Clock.systemUTC());
        try {
            ApiServer api = start(status, control, queries, settings, dashboards, name -> Optional.empty(), ingest);
            api.owned = dashboards;
            return api;
        } catch (RuntimeException e) {
            dashboards.close();
            throw e;
        }
    }

    /** An API that serves the dashboards of {@code dashboards} too, which the caller owns and closes. */
    public static ApiServer start(StatusSource status, PipelineControl control, QueryService queries, ServerSettings settings,
            DashboardHub dashboards) {
        return start(status, control, queries, settings, dashboards, name -> Optional.empty(), Optional.empty());
    }

    /**
     * The whole API: the dashboards of {@code dashboards}, which the caller owns and closes, the dead-letter routes of each
     * pipeline, answered by {@code deadLetters}, and the HTTP ingest route served by {@code ingest}.
     */
    public static ApiServer start(StatusSource status, PipelineControl control, QueryService queries, ServerSettings settings,
            DashboardHub dashboards, java.util.function.Function<String, Optional<DeadLetterReplay>> deadLetters,
            Optional<IngestService> ingest) {
        checkExposure(settings.bindAddress(), settings.apiKeys());
        String host = settings.bindAddress();
        int port = settings.httpPort();
        ApiKeys keys = settings.apiKeys();
        PathRedactor redactor = PathRedactor.of(settings.dataDir());
        ObjectMapper mapper = new ObjectMapper().disable(SerializationFeature.FAIL_ON_EMPTY_BEANS);
        Javalin app = Javalin.create(config -> {
            config.showJavalinBanner = false;
            config.jsonMapper(new JavalinJackson(mapper, false));
            config.http.maxRequestSize = 1_000_000L;
            WebUi.configure(config);
        });
        BrowserSessions sessions = new BrowserSessions(java.time.Clock.systemUTC());
        Set<String> hosts = allowedHosts(host);
        app.before(ctx -> {
            // A web page in the user's browser must not reach this API through DNS rebinding or a form post.
            String requested = hostName(ctx.host());
            if (hosts != null && !hosts.contains(requested)) {
                throw new Refused(403, "the Host header '" + ctx.host() + "' is not one this server answers to; allowed: "
                        + String.join(", ", new java.util.TreeSet<>(hosts)));
            }
            if (IngestRoutes.isIngestPath(ctx.path())) {
                return; // its keys may be limited to one stream, and its bodies are JSON or NDJSON: IngestRoutes checks both
            }
            if (WebUi.isAsset(ctx.path())) {
                WebUi.assetHeaders(ctx);
            } else if (!keys.isEmpty() && !ctx.path().equals(WebUi.SESSION) && !keys.accepts(bearerToken(ctx.header("Authorization")))
                    && !sessions.accepts(ctx.cookie(BrowserSessions.COOKIE))) {
                ctx.header("WWW-Authenticate", "Bearer realm=\"sluice\"");
                throw new Refused(401, ctx.header("Authorization") == null
                        ? "this server needs an API key: send the header Authorization: Bearer <key>, or log in at /login.html"
                        : "the API key is not one this server accepts");
            }
            if (ctx.method() == HandlerType.POST && ctx.path().equals(PIPELINES)) {
                // Not one of the types a cross-site form or a no-preflight fetch can send, like application/json.
                if (!isYaml(ctx.contentType())) {
                    throw new Refused(415, "send the pipeline as YAML with the header Content-Type: application/yaml, got "
                            + (ctx.contentType() == null ? "no content type" : ctx.contentType()));
                }
            } else if (ctx.method() == HandlerType.POST && !String.valueOf(ctx.contentType()).startsWith("application/json")) {
                throw new Refused(415, "send the body as JSON with the header Content-Type: application/json, got "
                        + (ctx.contentType() == null ? "no content type" : ctx.contentType()));
            }
        });
        WebUi.addRoutes(app, keys, sessions, mapper);
        app.get("/api/v1/health", ctx -> health(ctx, status, redactor));
        IngestRoutes.register(app, ingest, keys);
        DashboardRoutes.register(app, status, dashboards);
        app.get(PIPELINES, ctx -> {
            Map<String, Object> json = new LinkedHashMap<>();
            json.put("pipelines", status.pipelines());
            status.disk().ifPresent(disk -> {
                Map<String, Object> space = new LinkedHashMap<>();
                space.put("level", disk.level());
                space.put("freeBytes", disk.freeBytes());
                space.put("totalBytes", disk.totalBytes());
                space.put("warnBytes", disk.warnBytes());
                space.put("stopBytes", disk.stopBytes());
                space.put("detail", redactor.redact(disk.detail()));
                json.put("disk", space);
            });
            status.resources().ifPresent(r -> json.put("resources", r));
            ctx.json(json);
        });
        app.post(PIPELINES, ctx -> {
            String file = ctx.header(PIPELINE_FILE_HEADER);
            PipelineSpec spec = new SpecParser().parse(ctx.body(), Path.of(file == null || file.isBlank() ? "request.yaml" : file));
            PipelineControl.Deployed deployed = control.deploy(spec, "true".equals(ctx.queryParam("allow-state-reset")));
            ctx.status(deployed.upgraded() ? 200 : 201).json(deployed.status());
        });
        app.get(PIPELINES + "/{name}", ctx -> ctx.json(status.pipelineStatus(ctx.pathParam("name"))
                .orElseThrow(() -> noSuchPipeline(status, ctx.pathParam("name")))));
        app.delete(PIPELINES + "/{name}", ctx -> {
            control.remove(ctx.pathParam("name"));
            ctx.json(Map.of("removed", ctx.pathParam("name"),
                    "detail", "stopped with a savepoint; its tables stay, and deploying it again continues where it stopped"));
        });
        app.get(PIPELINES + "/{name}/tables/{table}", ctx -> ctx.json(result(
                queries.tableRows(running(status, ctx.pathParam("name")), ctx.pathParam("table"), limit(ctx)))));
        app.post(PIPELINES + "/{name}/query", ctx -> {
            String pipeline = running(status, ctx.pathParam("name"));
            ctx.json(result(queries.query(sql(ctx, mapper), MAX_ROWS, QueryScope.pipeline(pipeline))));
        });
        // The server-wide routes: schema-qualified names reach every pipeline's tables; unqualified names are those of
        // the only pipeline when exactly one runs (as before pipelines had schemas), else of the default schema.
        app.get("/api/v1/tables/{table}", ctx -> {
            String table = ctx.pathParam("table");
            int dot = table.indexOf('.');
            ctx.json(result(dot < 0 ? queries.tableRows(defaultSchema(status), table, limit(ctx))
                    : queries.tableRows(table.substring(0, dot), table.substring(dot + 1), limit(ctx))));
        });
        DeadLetterRoutes.register(app, deadLetters, mapper);
        app.post("/api/v1/query", ctx -> ctx.json(result(queries.query(sql(ctx, mapper), MAX_ROWS, QueryScope.all(defaultSchema(status))))));

        MonitoringRoutes monitoring = MonitoringRoutes.register(app, status, mapper);
        AlertRoutes.register(app, status, mapper);

        app.exception(SpecException.class, (e, ctx) -> {
            Map<String, Object> json = new LinkedHashMap<>();
            json.put("error", "invalid pipeline");
            json.put("detail", e.problems().size() == 1 ? "the pipeline has 1 problem" : "the pipeline has " + e.problems().size() + " problems");
            json.put("problems", e.problems().stream().map(p -> redactor.redact(p.toString())).toList());
            ctx.status(400).json(json);
        });
        app.exception(NoSuchPipelineException.class, (e, ctx) -> error(ctx, 404, "no such pipeline", e.getMessage(), redactor));
        app.exception(PipelineConflictException.class, (e, ctx) -> {
            LOG.warn("Request {} {} refused: {}", ctx.method(), ctx.path(), e.getMessage());
            error(ctx, 409, "conflict", e.getMessage(), redactor);
        });
        app.exception(Refused.class, (e, ctx) -> error(ctx, e.status, "refused", e.getMessage(), redactor));
        app.exception(BadRequest.class, (e, ctx) -> error(ctx, 400, "bad request", e.getMessage(), redactor));
        app.exception(QueryRejectedException.class, (e, ctx) -> error(ctx, 400, "query refused", e.getMessage(), redactor));
        app.exception(TableNotFoundException.class, (e, ctx) -> error(ctx, 404, "no such table", e.getMessage(), redactor));
        app.exception(QueryFailedException.class, (e, ctx) -> error(ctx, 400, "query failed", e.getMessage(), redactor));
        app.exception(TooManyQueriesException.class, (e, ctx) -> {
            ctx.header("Retry-After", "1");
            error(ctx, 429, "too many queries", e.getMessage(), redactor);
        });
        app.exception(SluiceException.class, (e, ctx) -> {
            LOG.warn("Request {} {} failed: {}", ctx.method(), ctx.path(), e.getMessage());
            error(ctx, 503, "unavailable", e.getMessage(), redactor);
        });
        app.exception(Exception.class, (e, ctx) -> {
            LOG.error("Request {} {} failed.", ctx.method(), ctx.path(), e);
            error(ctx, 500, "internal error", e.getClass().getSimpleName() + ": " + e.getMessage(), redactor);
        });
        app.error(404, ctx -> {
            if (ctx.result() == null || ctx.result().isEmpty()) {
                error(ctx, 404, "not found", "no endpoint " + ctx.method() + " " + ctx.path()
                        + "; endpoints are GET /api/v1/health, GET|POST /api/v1/pipelines, GET|DELETE /api/v1/pipelines/{name},"
                        + " GET /api/v1/pipelines/{name}/tables/{table}, POST /api/v1/pipelines/{name}/query,"
                        + " GET /api/v1/tables/{table}, POST /api/v1/query, GET /api/v1/pipelines/{name}/dashboards[/{dashboard}[/events]],"
                        + " POST " + IngestRoutes.PATH,
                        redactor);
            }
        });
        app.error(405, ctx -> error(ctx, 405, "method not allowed", ctx.method() + " is not allowed on " + ctx.path(), redactor));
        try {
            app.start(host, port);
        } catch (RuntimeException e) {
            monitoring.close();
            app.stop();
            throw new SluiceException("Cannot serve the REST API on " + host + ":" + port + ": " + rootMessage(e)
                    + ". Is another process using the port? Choose another with --port.", e);
        }
        return new ApiServer(app, monitoring, dashboards);
    }

    /**
     * Refuses to serve an API without keys on an address other machines can reach: anyone there could read all of
     * storage.
     *
     * @throws SluiceException when {@code bindAddress} is not a loopback address and there are no keys
     */
    public static void checkExposure(String bindAddress, ApiKeys keys) {
        if (keys.isEmpty() && !isLoopback(bindAddress)) {
            throw new SluiceException("Refusing to serve the REST API on " + (bindAddress.isEmpty() ? "all interfaces" : bindAddress)
                    + " without API keys: anyone who can reach that address could read all of storage. Pass --api-key-file FILE"
                    + " (or set SLUICE_API_KEY_FILE) with the hashes of your keys (see docs/security.md), or bind to localhost.");
        }
    }

    /** Whether every address {@code bindAddress} names is a loopback address; names that do not resolve are not. */
    static boolean isLoopback(String bindAddress) {
        String host = bindAddress.startsWith("[") && bindAddress.endsWith("]")
                ? bindAddress.substring(1, bindAddress.length() - 1) : bindAddress;
        if (host.isBlank()) {
            return false;
        }
        try {
            InetAddress[] addresses = InetAddress.getAllByName(host);
            for (InetAddress a : addresses) {
                if (!a.isLoopbackAddress()) {
                    return false;
                }
            }
            return addresses.length > 0;
        } catch (UnknownHostException e) {
            return false;
        }
    }

    private static String bearerToken(String authorization) {
        if (authorization == null || authorization.length() <= BEARER.length()
                || !authorization.regionMatches(true, 0, BEARER, 0, BEARER.length())) {
            return null;
        }
        return authorization.substring(BEARER.length()).strip();
    }

    static boolean isYaml(String contentType) {
        if (contentType == null) {
            return false;
        }
        String type = contentType.toLowerCase(Locale.ROOT);
        return type.startsWith("application/yaml") || type.startsWith("application/x-yaml") || type.startsWith("text/yaml");
    }

    private static NoSuchPipelineException noSuchPipeline(StatusSource status, String name) {
        return new NoSuchPipelineException("no pipeline '" + name + "' is running; pipelines are: "
                + String.join(", ", new java.util.TreeSet<>(status.pipelineNames())));
    }

    private static String running(StatusSource status, String name) {
        if (!status.pipelineNames().contains(name)) {
            throw noSuchPipeline(status, name);
        }
        return name;
    }

    private static String defaultSchema(StatusSource status) {
        List<String> names = status.pipelineNames();
        return names.size() == 1 ? names.get(0) : TableDefinition.DEFAULT_SCHEMA;
    }

    public int port() {
        return app.port();
    }

    private static void health(Context ctx, StatusSource status, PathRedactor redactor) {
        Map<String, SluiceServer.Health> parts = status.health();
        boolean up = parts.values().stream().allMatch(SluiceServer.Health::up);
        Map<String, Object> components = new LinkedHashMap<>();
        parts.forEach((name, h) -> components.put(name, Map.of("status", h.up() ? "UP" : "DOWN", "detail", redactor.redact(h.detail()))));
        ctx.status(up ? 200 : 503).json(Map.of("status", up ? "UP" : "DOWN", "components", components));
    }

    private static int limit(Context ctx) {
        String text = ctx.queryParam("limit");
        if (text == null) {
            return DEFAULT_LIMIT;
        }
        try {
            int limit = Integer.parseInt(text);
            if (limit >= 1 && limit <= MAX_ROWS) {
                return limit;
            }
        } catch (NumberFormatException e) {
            // reported below
        }
        throw new BadRequest("limit must be a whole number from 1 to " + MAX_ROWS + ", got '" + text + "'");
    }

    private static String sql(Context ctx, ObjectMapper mapper) {
        JsonNode body;
        try {
            body = mapper.readTree(ctx.body());
        } catch (Exception e) {
            throw new BadRequest("the body must be JSON like {\"sql\": \"SELECT ...\"}: " + e.getMessage());
        }
        if (body == null || !body.isObject() || !body.path("sql").isTextual()) {
            throw new BadRequest("the body must be a JSON object with a string field \"sql\", like {\"sql\": \"SELECT 1\"}");
        }
        return body.get("sql").asText();
    }

    private static Map<String, Object> result(QueryResult result) {
        Map<String, Object> json = new LinkedHashMap<>();
        json.put("columns", result.columns());
        json.put("rows", result.rows());
        json.put("truncated", result.truncated());
        return json;
    }

    private static String rootMessage(Throwable e) {
        Throwable t = e;
        while (t.getCause() != null && t.getCause() != t) {
            t = t.getCause();
        }
        return t.getMessage();
    }

    private static void error(Context ctx, int status, String error, String detail, PathRedactor redactor) {
        ctx.status(status).json(Map.of("error", error, "detail", detail == null ? "" : redactor.redact(detail)));
    }

    @Override
    public void close() {
        // Open event streams end first: each holds a thread that would otherwise wait for its next event.
        dashboards.closeSubscriptions();
        monitoring.close();
        app.stop();
        if (owned != null) {
            owned.close();
        }
    }

    /** Host names a request may address, in lower case; null (any) when the server listens on all interfaces. */
    static Set<String> allowedHosts(String bindAddress) {
        if (bindAddress.equals("0.0.0.0") || bindAddress.equals("::") || bindAddress.equals("[::]") || bindAddress.isEmpty()) {
            return null;
        }
        Set<String> hosts = new HashSet<>(Set.of("localhost", "127.0.0.1", "::1", "[::1]"));
        hosts.add(bindAddress.toLowerCase(Locale.ROOT));
        return hosts;
    }

    /**
     * The host part of a Host header in lower case (host names are case-insensitive): {@code LocalHost:8080} ->
     * {@code localhost}, {@code [::1]:8080} -> {@code [::1]}.
     */
    static String hostName(String hostHeader) {
        if (hostHeader == null) {
            return "";
        }
        String host;
        if (hostHeader.startsWith("[")) {
            int end = hostHeader.indexOf(']');
            host = end < 0 ? hostHeader : hostHeader.substring(0, end + 1);
        } else {
            int colon = hostHeader.lastIndexOf(':');
            host = colon < 0 ? hostHeader : hostHeader.substring(0, colon);
        }
        return host.toLowerCase(Locale.ROOT);
    }

    /** A request refused before any handler ran, with its status code. */
    static final class Refused extends RuntimeException {
        private static final long serialVersionUID = 1L;
        final int status;

        Refused(int status, String message) {
            super(message);
            this.status = status;
        }
    }

    /** A request the API cannot serve as sent. */
    static final class BadRequest extends RuntimeException {
        private static final long serialVersionUID = 1L;

        BadRequest(String message) {
            super(message);
        }
    }
}
