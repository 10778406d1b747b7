package dev.sluice.server;

import dev.sluice.spec.DashboardSpec;
import dev.sluice.spec.PanelSpec;
import io.javalin.Javalin;
import io.javalin.http.Context;
import io.javalin.http.sse.SseClient;
import io.javalin.http.sse.SseHandler;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeSet;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The dashboards' HTTP routes, thin over {@link DashboardHub}: the definitions of a pipeline's dashboards, the current
 * data of one, and its live updates as server-sent events ({@code text/event-stream}, one JSON object per event; see
 * {@link DashboardHub.Subscription}). Idle streams get a comment every {@link #KEEP_ALIVE} so that a closed page is
 * noticed and its subscription freed.
 */
final class DashboardRoutes {
    private static final Logger LOG = LoggerFactory.getLogger(DashboardRoutes.class);
    static final Duration KEEP_ALIVE = Duration.ofSeconds(15);
    private static final String DASHBOARDS = ApiServer.PIPELINES + "/{name}/dashboards";

    private DashboardRoutes() {
    }

    static void register(Javalin app, StatusSource status, DashboardHub hub) {
        app.get(DASHBOARDS, ctx -> {
            String pipeline = pipeline(ctx, status);
            Map<String, Object> json = new LinkedHashMap<>();
            json.put("pipeline", pipeline);
            json.put("dashboards", hub.dashboards(pipeline).stream().map(DashboardRoutes::definition).toList());
            ctx.json(json);
        });
        app.get(DASHBOARDS + "/{dashboard}", ctx -> {
            String pipeline = pipeline(ctx, status);
            String current = hub.current(pipeline, ctx.pathParam("dashboard"))
                    .orElseThrow(() -> noSuchDashboard(hub, pipeline, ctx.pathParam("dashboard")));
            ctx.contentType("application/json").result(current);
        });
        app.get(DASHBOARDS + "/{dashboard}/events", ctx -> {
            String pipeline = pipeline(ctx, status);
            String dashboard = ctx.pathParam("dashboard");
            Optional<DashboardHub.Subscription> subscription;
            try {
                subscription = hub.subscribe(pipeline, dashboard);
            } catch (DashboardHub.TooManySubscribersException e) {
                ctx.header("Retry-After", "5");
                throw new ApiServer.Refused(503, e.getMessage());
            }
            DashboardHub.Subscription s = subscription.orElseThrow(() -> noSuchDashboard(hub, pipeline, dashboard));
            try {
                new SseHandler(client -> stream(client, s)).handle(ctx);
            } catch (RuntimeException e) {
                s.close();
                throw e;
            }
        });
        app.exception(NoSuchDashboardException.class, (e, ctx) ->
                ctx.status(404).json(Map.of("error", "no such dashboard", "detail", e.getMessage())));
    }

    /** Sends the subscription's events until the page goes away or the dashboard is redeployed; on its own thread. */
    private static void stream(SseClient client, DashboardHub.Subscription s) {
        try (s) {
            client.onClose(s::close);
            while (!client.terminated() && !s.isClosed()) {
                String event = s.next(KEEP_ALIVE);
                if (event != null) {
                    client.sendEvent("message", event);
                } else if (!s.isClosed()) {
                    client.sendComment("keep-alive");
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (RuntimeException e) {
            LOG.debug("A dashboard event stream ended: {}", e.toString());
        } finally {
            client.close();
        }
    }

    private static String pipeline(Context ctx, StatusSource status) {
        String name = ctx.pathParam("name");
        if (!status.pipelineNames().contains(name)) {
            throw new NoSuchPipelineException("no pipeline '" + name + "' is running; pipelines are: "
                    + String.join(", ", new TreeSet<>(status.pipelineNames())));
        }
        return name;
    }

    private static NoSuchDashboardException noSuchDashboard(DashboardHub hub, String pipeline, String dashboard) {
        List<String> names = hub.dashboards(pipeline).stream().map(DashboardSpec::name).toList();
        return new NoSuchDashboardException("pipeline '" + pipeline + "' has no dashboard '" + dashboard + "'; "
                + (names.isEmpty() ? "it has no dashboards (add a dashboards: section to its file)" : "its dashboards are: " + String.join(", ", names)));
    }

    private static Map<String, Object> definition(DashboardSpec d) {
        Map<String, Object> json = new LinkedHashMap<>();
        json.put("name", d.name());
        json.put("title", d.title());
        List<Object> panels = new ArrayList<>();
        for (int i = 0; i < d.panels().size(); i++) {
            PanelSpec p = d.panels().get(i);
            Map<String, Object> panel = new LinkedHashMap<>();
            panel.put("id", "p" + i);
            panel.put("title", p.title());
            panel.put("visual", p.visual().key());
            panel.put("sql", p.sql());
            panel.put("options", DashboardHub.options(p.options()));
            panels.add(panel);
        }
        json.put("panels", panels);
        return json;
    }

    /** A pipeline without the dashboard asked for. */
    static final class NoSuchDashboardException extends dev.sluice.SluiceException {
        private static final long serialVersionUID = 1L;

        NoSuchDashboardException(String message) {
            super(message);
        }
    }
}
