package dev.sluice.server;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.sluice.server.internal.PipelineMeters;
import dev.sluice.server.internal.StreamTaps;
import io.javalin.Javalin;
import io.javalin.http.sse.SseClient;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The operational routes: Prometheus metrics at {@code GET /metrics}, the live pipeline status as server-sent events at
 * {@code GET /api/v1/pipelines/{name}/live}, and live taps on a pipeline's topics at
 * {@code GET /api/v1/pipelines/{name}/streams/{topic}/tap}. All follow the API's rules (host check, API keys).
 *
 * <p>One sampler thread, {@code sluice-monitor}, computes each pipeline's status once a second while a page listens
 * (every {@link #IDLE_INTERVAL} otherwise) and pushes it to every open page of that pipeline: N open pages cost one
 * status a second, and pages never poll. {@code /metrics} reads the newest sample; it samples itself only when that
 * sample is older than {@link #IDLE_INTERVAL}.
 */
public final class MonitoringRoutes implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(MonitoringRoutes.class);
    static final Duration LIVE_INTERVAL = Duration.ofSeconds(1);
    static final Duration IDLE_INTERVAL = Duration.ofSeconds(5);
    static final int MAX_TAPS = 8;
    static final int TAP_RECORDS_PER_SECOND = 50;
    static final int TAP_MAX_VALUE_BYTES = 4096;

    private final StatusSource status;
    private final ObjectMapper mapper;
    private final PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    private final PipelineMeters meters = new PipelineMeters(registry);
    private final Map<String, Set<SseClient>> listeners = new ConcurrentHashMap<>();
    private final ScheduledExecutorService sampler = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread t = new Thread(r, "sluice-monitor");
        t.setDaemon(true);
        return t;
    });
    private final StreamTaps taps;
    private volatile long lastSampleNanos;

    private MonitoringRoutes(StatusSource status, ObjectMapper mapper) {
        this.status = status;
        this.mapper = mapper;
        Properties kafka = status.kafkaConsumerProperties();
        this.taps = new StreamTaps(kafka, MAX_TAPS, TAP_RECORDS_PER_SECOND, TAP_MAX_VALUE_BYTES);
        // Free space of the data directory (see DiskGuard): the levels an operator alerts on before input stops.
        io.micrometer.core.instrument.Gauge.builder("sluice.disk.free", status, s -> s.disk().map(d -> (double) d.freeBytes()).orElse(Double.NaN))
                .baseUnit("bytes").description("Usable space left on the data directory's filesystem").register(registry);
        io.micrometer.core.instrument.Gauge.builder("sluice.disk.low", status, s -> s.disk().map(d -> d.level() == DiskStatus.Level.OK ? 0.0 : 1.0).orElse(Double.NaN))
                .description("1 while free space is below the warning level").register(registry);
        io.micrometer.core.instrument.Gauge.builder("sluice.disk.input.stopped", status,
                        s -> s.disk().map(d -> d.level() == DiskStatus.Level.INPUT_STOPPED ? 1.0 : 0.0).orElse(Double.NaN))
                .description("1 while new input is refused because free space is below the stop level").register(registry);
    }

    /** Registers the routes on {@code app} and starts the sampler; close it with the server. */
    public static MonitoringRoutes register(Javalin app, StatusSource status, ObjectMapper mapper) {
        MonitoringRoutes routes = new MonitoringRoutes(status, mapper);
        app.get("/metrics", ctx -> {
            if (System.nanoTime() - routes.lastSampleNanos > IDLE_INTERVAL.toNanos()) {
                routes.sample();
            }
            ctx.contentType("text/plain; version=0.0.4; charset=utf-8").result(routes.registry.scrape());
        });
        // Unknown pipelines and topics are refused with a JSON 404 before the event stream starts.
        app.before(ApiServer.PIPELINES + "/{name}/live", ctx -> routes.topicsOf(ctx.pathParam("name")));
        app.sse(ApiServer.PIPELINES + "/{name}/live", client -> routes.listen(client, client.ctx().pathParam("name")));
        app.before(ApiServer.PIPELINES + "/{name}/streams/{topic}/tap", ctx -> routes.checkTopic(ctx.pathParam("name"), ctx.pathParam("topic")));
        app.get(ApiServer.PIPELINES + "/{name}/streams", ctx -> ctx.json(Map.of("pipeline", ctx.pathParam("name"),
                "topics", routes.topicsOf(ctx.pathParam("name")))));
        app.sse(ApiServer.PIPELINES + "/{name}/streams/{topic}/tap", client -> routes.tap(client, client.ctx().pathParam("topic")));
        app.exception(NoSuchTopicException.class, (e, ctx) -> ctx.status(404).json(Map.of("error", "no such topic",
                "detail", e.getMessage())));
        routes.sampler.scheduleWithFixedDelay(routes::tick, LIVE_INTERVAL.toMillis(), LIVE_INTERVAL.toMillis(), TimeUnit.MILLISECONDS);
        return routes;
    }

    private List<String> topicsOf(String pipeline) {
        if (!status.pipelineNames().contains(pipeline)) {
            throw new NoSuchPipelineException("no pipeline '" + pipeline + "' is running; pipelines are: "
                    + String.join(", ", new java.util.TreeSet<>(status.pipelineNames())));
        }
        return status.topics(pipeline);
    }

    private void checkTopic(String pipeline, String topic) {
        List<String> topics = topicsOf(pipeline);
        if (!topics.contains(topic)) {
            throw new NoSuchTopicException("topic '" + topic + "' does not belong to pipeline '" + pipeline
                    + "'; its topics are: " + String.join(", ", topics));
        }
    }

    private void listen(SseClient client, String pipeline) {
        if (!status.pipelineNames().contains(pipeline)) {
            client.sendEvent("failed", json(Map.of("error", "no such pipeline", "detail", "no pipeline '" + pipeline + "' is running")));
            client.close();
            return;
        }
        Set<SseClient> clients = listeners.computeIfAbsent(pipeline, p -> ConcurrentHashMap.newKeySet());
        clients.add(client);
        client.onClose(() -> clients.remove(client));
        client.keepAlive();
        // The first status without waiting for the next tick.
        sampler.execute(this::sample);
    }

    private void tap(SseClient client, String topic) {
        AutoCloseable tap;
        try {
            tap = taps.open(topic, new StreamTaps.Listener() {
                @Override
                public boolean send(String event, String json) {
                    if (client.terminated()) {
                        return false;
                    }
                    client.sendEvent(event, json);
                    return !client.terminated();
                }

                @Override
                public boolean ping() {
                    if (client.terminated()) {
                        return false;
                    }
                    client.sendComment("ping");
                    return !client.terminated();
                }
            });
        } catch (StreamTaps.TooManyTapsException e) {
            client.sendEvent("failed", json(Map.of("error", "too many taps", "detail", e.getMessage())));
            client.close();
            return;
        }
        client.onClose(() -> {
            try {
                tap.close();
            } catch (Exception e) {
                LOG.debug("Closing a stream tap failed: {}", e.toString());
            }
        });
        client.keepAlive();
    }

    /** Samples every pipeline once a second while a page listens, else every {@link #IDLE_INTERVAL}. */
    private void tick() {
        boolean live = listeners.values().stream().anyMatch(s -> !s.isEmpty());
        if (live || System.nanoTime() - lastSampleNanos >= IDLE_INTERVAL.toNanos()) {
            sample();
        }
    }

    private synchronized void sample() {
        try {
            List<PipelineStatus> statuses = new ArrayList<>();
            for (String name : status.pipelineNames()) {
                try {
                    status.pipelineStatus(name).ifPresent(statuses::add);
                } catch (RuntimeException e) {
                    // One pipeline's broker or storage trouble must not hide the others; its meters keep the last values.
                    LOG.warn("Sampling the status of pipeline '{}' failed: {}", name, e.toString());
                }
            }
            lastSampleNanos = System.nanoTime();
            meters.update(statuses);
            for (PipelineStatus s : statuses) {
                Set<SseClient> clients = listeners.get(s.name());
                if (clients == null || clients.isEmpty()) {
                    continue;
                }
                String json = mapper.writeValueAsString(s);
                for (SseClient client : clients) {
                    if (client.terminated()) {
                        clients.remove(client);
                    } else {
                        client.sendEvent("status", json);
                    }
                }
            }
        } catch (Exception e) {
            // A slow broker or a busy store must not stop the sampler; the next tick tries again.
            LOG.warn("Sampling the pipelines' status failed: {}", e.toString());
        }
    }

    private String json(Map<String, String> value) {
        try {
            return mapper.writeValueAsString(value);
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw new IllegalStateException("Cannot write " + value + " as JSON", e);
        }
    }

    @Override
    public void close() {
        sampler.shutdownNow();
        taps.close();
        listeners.values().forEach(s -> s.forEach(SseClient::close));
        registry.close();
    }
}
