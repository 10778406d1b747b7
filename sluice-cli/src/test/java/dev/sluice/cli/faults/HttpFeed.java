package dev.sluice.cli.faults;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.TreeMap;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicReference;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.StringSerializer;

/**
 * Sends a {@link Workload} through Sluice's HTTP ingest API ({@code POST /api/v1/streams/<topic>/events?key=k}) as a
 * careful client would: NDJSON batches, one request in flight (so every partition stays in event-time order), each
 * batch with an {@code Idempotency-Key} of its own that its retries reuse. A batch is retried after a 503 or a 409
 * (waiting the {@code Retry-After}), a lost connection or no answer within {@link #REQUEST_TIMEOUT}, until it gets a 2xx;
 * only then are its events given to the {@link Oracle}. Any other answer, a 2xx that does not accept the whole batch,
 * or a batch still refused after {@link #GIVE_UP} fails the feed.
 *
 * <p>Every attempt is recorded ({@link Attempt}) so that a test can check what the API answered while the broker was
 * down. The flush events that close the last windows are sent with a Kafka producer to explicit partitions (the HTTP
 * API chooses partitions by key), after the stream.
 */
final class HttpFeed implements AutoCloseable {
    private static final ObjectMapper JSON = new ObjectMapper();
    /** How long the client waits for one answer before it treats the request as lost and retries it. */
    static final Duration REQUEST_TIMEOUT = Duration.ofSeconds(30);
    /** How long one batch is retried before the feed fails. */
    static final Duration GIVE_UP = Duration.ofMinutes(3);

    /** One request: when it started and ended ({@link System#nanoTime}), its status (0 when no answer came) and whether it was a retry. */
    record Attempt(long startNanos, long endNanos, int status, boolean retry, boolean replayed, String retryAfter) {
        long millis() {
            return (endNanos - startNanos) / 1_000_000;
        }
    }

    private final HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(10)).build();
    private final URI endpoint;
    private final FaultPipeline pipeline;
    private final Workload workload;
    private final Oracle oracle;
    private final double eventsPerSecond;
    private final int batchSize;
    private final List<Attempt> attempts = new ArrayList<>();
    private final AtomicReference<Throwable> failure = new AtomicReference<>();
    private final Thread thread;
    private volatile boolean stop;
    private long acknowledgedEvents;
    private long batches;
    private long retriedBatches;

    HttpFeed(int httpPort, FaultPipeline pipeline, Workload workload, Oracle oracle, double eventsPerSecond, int batchSize) {
        this.endpoint = URI.create("http://localhost:" + httpPort + "/api/v1/streams/" + pipeline.topic() + "/events?key=k");
        this.pipeline = pipeline;
        this.workload = workload;
        this.oracle = oracle;
        this.eventsPerSecond = eventsPerSecond;
        this.batchSize = batchSize;
        this.thread = new Thread(this::run, "fault-http-feed");
    }

    HttpFeed start() {
        thread.start();
        return this;
    }

    private void run() {
        long started = System.nanoTime();
        long sent = 0;
        try {
            while (workload.hasNext() && !stop) {
                List<Workload.Event> batch = new ArrayList<>(batchSize);
                StringBuilder body = new StringBuilder(batchSize * 80);
                while (batch.size() < batchSize && workload.hasNext()) {
                    Workload.Record r = workload.next();
                    if (r.event() == null) {
                        throw new IllegalStateException("the HTTP feed sends valid events only; the API would reject malformed ones");
                    }
                    batch.add(r.event());
                    body.append(r.json()).append('\n');
                }
                send(batch, body.toString());
                sent += batch.size();
                long due = started + (long) (sent / eventsPerSecond * 1e9);
                long wait = due - System.nanoTime();
                if (wait > 0) {
                    Thread.sleep(wait / 1_000_000, (int) (wait % 1_000_000));
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (RuntimeException | IOException | AssertionError e) {
            failure.compareAndSet(null, e);
        }
    }

    private void send(List<Workload.Event> batch, String body) throws IOException, InterruptedException {
        String idempotencyKey = UUID.randomUUID().toString();
        long giveUp = System.nanoTime() + GIVE_UP.toNanos();
        boolean retry = false;
        while (true) {
            HttpRequest request = HttpRequest.newBuilder(endpoint).timeout(REQUEST_TIMEOUT)
                    .header("Content-Type", "application/x-ndjson").header("Idempotency-Key", idempotencyKey)
                    .POST(HttpRequest.BodyPublishers.ofString(body, StandardCharsets.UTF_8)).build();
            long start = System.nanoTime();
            long waitSeconds = 1;
            String problem;
            try {
                HttpResponse<String> r = client.send(request, HttpResponse.BodyHandlers.ofString());
                String retryAfter = r.headers().firstValue("Retry-After").orElse(null);
                boolean replayed = r.headers().firstValue("Idempotent-Replayed").isPresent();
                record(new Attempt(start, System.nanoTime(), r.statusCode(), retry, replayed, retryAfter));
                if (r.statusCode() == 200) {
                    JsonNode answer = JSON.readTree(r.body());
                    if (answer.path("accepted").asLong() != batch.size() || answer.path("rejected").asLong() != 0) {
                        throw new AssertionError("a batch of " + batch.size() + " valid events got 200 with " + r.body());
                    }
                    synchronized (this) {
                        for (Workload.Event e : batch) {
                            oracle.sentInWindow(e);
                        }
                        acknowledgedEvents += batch.size();
                        batches++;
                        retriedBatches += retry ? 1 : 0;
                    }
                    return;
                }
                if (r.statusCode() != 503 && r.statusCode() != 409) {
                    throw new AssertionError("POST " + endpoint + " answered " + r.statusCode() + ": " + r.body());
                }
                problem = r.statusCode() + " " + r.body();
                waitSeconds = retryAfter == null ? 1 : Long.parseLong(retryAfter);
            } catch (HttpTimeoutException e) {
                record(new Attempt(start, System.nanoTime(), 0, retry, false, null));
                problem = "no answer within " + REQUEST_TIMEOUT.toSeconds() + " s";
            } catch (IOException e) {
                record(new Attempt(start, System.nanoTime(), -1, retry, false, null));
                problem = e.toString();
            }
            if (System.nanoTime() > giveUp) {
                throw new AssertionError("a batch of " + batch.size() + " events got no 2xx in " + GIVE_UP.toMinutes()
                        + " minutes of retries; last: " + problem);
            }
            retry = true;
            Thread.sleep(Math.max(1, Math.min(waitSeconds, 10)) * 1_000);
        }
    }

    private synchronized void record(Attempt attempt) {
        attempts.add(attempt);
    }

    synchronized List<Attempt> attempts() {
        return List.copyOf(attempts);
    }

    /** Events that got a 2xx so far. */
    synchronized long acknowledged() {
        return acknowledgedEvents;
    }

    /** True while the stream is still being sent. */
    boolean streaming() {
        return thread.isAlive();
    }

    /**
     * Ends the stream after the batch under way (retried until it gets its 2xx), then sends one flush event to each
     * partition with a Kafka producer; fails if the feed failed.
     */
    void finish(String bootstrap, Duration timeout) throws Exception {
        stop = true;
        thread.join(timeout.toMillis());
        if (thread.isAlive()) {
            throw new AssertionError("the HTTP feed did not stop within " + timeout);
        }
        if (failure.get() != null) {
            throw new AssertionError("the HTTP feed failed: " + failure.get(), failure.get());
        }
        Properties p = new Properties();
        p.setProperty(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        p.setProperty(ProducerConfig.ACKS_CONFIG, "all");
        p.setProperty(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, "true");
        try (KafkaProducer<String, String> producer = new KafkaProducer<>(p, new StringSerializer(), new StringSerializer())) {
            for (Workload.Event e : workload.flushEvents(pipeline.partitions(), pipeline.window().toMillis())) {
                producer.send(new ProducerRecord<>(pipeline.topic(), Integer.parseInt(e.key().substring(1)) - 900, e.key(), Workload.json(e)))
                        .get(timeout.toMillis(), java.util.concurrent.TimeUnit.MILLISECONDS);
                oracle.sent(e);
            }
        }
    }

    /** Requests, batches, 2xx, retries and the answers that were not 2xx, by status ({@code 0}: no answer, {@code -1}: connection lost). */
    synchronized String summary() {
        Map<Integer, Integer> byStatus = new TreeMap<>();
        long replayed = 0;
        long max503 = 0;
        List<Long> ok = new ArrayList<>();
        for (Attempt a : attempts) {
            byStatus.merge(a.status(), 1, Integer::sum);
            replayed += a.replayed() ? 1 : 0;
            if (a.status() == 503) {
                max503 = Math.max(max503, a.millis());
            } else if (a.status() == 200) {
                ok.add(a.millis());
            }
        }
        ok.sort(null);
        String latency = ok.isEmpty() ? "" : "; 200 in p50 " + ok.get(ok.size() / 2) + " ms, p99 " + ok.get(ok.size() * 99 / 100)
                + " ms, max " + ok.get(ok.size() - 1) + " ms";
        return attempts.size() + " requests for " + batches + " batches (" + acknowledgedEvents + " events) that got a 2xx, "
                + retriedBatches + " of them after a retry, " + replayed + " answered from the idempotency record; answers by status "
                + byStatus + "; slowest 503 " + max503 + " ms" + latency;
    }

    @Override
    public void close() {
        stop = true;
        thread.interrupt();
        try {
            thread.join(10_000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
