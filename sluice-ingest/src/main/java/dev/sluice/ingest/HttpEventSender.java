package dev.sluice.ingest;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.sluice.ingest.internal.RatePacer;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Sends a generator's events to Sluice's HTTP ingest API ({@code POST <server>/api/v1/streams/<stream>/events}) as
 * NDJSON batches over keep-alive HTTP/1.1 connections, from a few threads of its own, at a steady rate
 * ({@link RatePacer}) until closed or until the configured number of events is out.
 *
 * <p>Each batch carries an {@code Idempotency-Key} of its own, and is retried with it after a 503, a 429 (waiting
 * the {@code Retry-After}), a 409 or a lost connection, so a retry never writes a batch twice. Records the server
 * rejects (malformed ones, for instance) are counted in {@link #rejected()}; a batch that still fails after
 * {@code maxRetryTime} counts its records as errors.
 *
 * <pre>{@code
 * try (HttpEventSender sender = HttpEventSender.start(URI.create("http://localhost:8080"), Optional.empty(), Optional.of("card_id"),
 *         GeneratorSettings.to("payments").withEventsPerSecond(5_000), new PaymentsGenerator(42, Clock.systemUTC()),
 *         500, 4)) { ... }
 * }</pre>
 */
public final class HttpEventSender implements ProducerRun {
    private static final Logger LOG = LoggerFactory.getLogger(HttpEventSender.class);
    private static final ObjectMapper JSON = new ObjectMapper();
    /** How long one batch is retried before its records count as errors. */
    static final Duration MAX_RETRY_TIME = Duration.ofSeconds(60);

    private final HttpClient client;
    private final URI endpoint;
    private final Optional<String> apiKey;
    private final GeneratorSettings settings;
    private final EventGenerator generator;
    private final int batchSize;
    private final RatePacer pacer;
    private final List<Thread> threads = new ArrayList<>();
    private final AtomicBoolean stop = new AtomicBoolean();
    private final CountDownLatch finished;
    private final AtomicLong sent = new AtomicLong();
    private final AtomicLong rejected = new AtomicLong();
    private final AtomicLong errors = new AtomicLong();
    private final AtomicReference<Throwable> lastError = new AtomicReference<>();
    /** Events taken from the generator; guarded by {@code this}. */
    private long taken;

    private HttpEventSender(URI server, Optional<String> apiKey, Optional<String> keyField, GeneratorSettings settings,
            EventGenerator generator, int batchSize, int connections) {
        this.client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).connectTimeout(Duration.ofSeconds(10)).build();
        String base = server.toString().replaceAll("/+$", "");
        this.endpoint = URI.create(base + "/api/v1/streams/" + settings.topic() + "/events"
                + keyField.map(f -> "?key=" + java.net.URLEncoder.encode(f, java.nio.charset.StandardCharsets.UTF_8)).orElse(""));
        this.apiKey = apiKey;
        this.settings = settings;
        this.generator = generator;
        this.batchSize = batchSize;
        this.pacer = new RatePacer(settings.eventsPerSecond(), System.nanoTime());
        this.finished = new CountDownLatch(connections);
        for (int i = 0; i < connections; i++) {
            threads.add(new Thread(this::run, "sluice-http-producer-" + generator.name() + "-" + i));
        }
    }

    /**
     * Starts sending.
     *
     * @param server      the Sluice server, e.g. {@code http://localhost:8080}
     * @param apiKey      sent as {@code Authorization: Bearer <key>} when present
     * @param keyField    the field whose value the server makes each record's Kafka key ({@code ?key=}), if any
     * @param batchSize   records per request, at most
     * @param connections requests in flight at once, each on a keep-alive connection of its own
     */
    public static HttpEventSender start(URI server, Optional<String> apiKey, Optional<String> keyField, GeneratorSettings settings,
            EventGenerator generator, int batchSize, int connections) {
        if (batchSize < 1 || connections < 1) {
            throw new IllegalArgumentException("batch size and connections must be at least 1, got " + batchSize + " and " + connections);
        }
        HttpEventSender sender = new HttpEventSender(server, apiKey, keyField, settings, generator, batchSize, connections);
        sender.threads.forEach(Thread::start);
        return sender;
    }

    private void run() {
        try {
            while (!stop.get()) {
                byte[] batch = nextBatch();
                if (batch == null) {
                    return;
                }
                if (batch.length > 0) {
                    send(batch);
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (RuntimeException e) {
            lastError.set(e);
            LOG.warn("The HTTP producer of {} stopped: {}", generator.name(), e.toString(), e);
        } finally {
            finished.countDown();
        }
    }

    /** The next batch as NDJSON; empty when none is due yet (after waiting a little), null when the limit is reached. */
    private byte[] nextBatch() throws InterruptedException {
        long wait;
        synchronized (this) {
            long remaining = settings.maxEvents() == GeneratorSettings.UNLIMITED ? Long.MAX_VALUE : settings.maxEvents() - taken;
            if (remaining <= 0) {
                return null;
            }
            long now = System.nanoTime();
            long n = Math.min(Math.min(pacer.due(now), batchSize), remaining);
            if (n > 0) {
                ByteArrayOutputStream out = new ByteArrayOutputStream((int) n * 160);
                for (long i = 0; i < n; i++) {
                    EncodedEvent event = generator.nextEvent();
                    out.writeBytes(event.value());
                    out.write('\n');
                }
                pacer.record(n);
                taken += n;
                return out.toByteArray();
            }
            wait = Math.max(TimeUnit.MILLISECONDS.toNanos(1), pacer.nanosUntilNextDue(now));
        }
        TimeUnit.NANOSECONDS.sleep(Math.min(wait, TimeUnit.MILLISECONDS.toNanos(50)));
        return new byte[0];
    }

    private void send(byte[] batch) throws InterruptedException {
        int records = count(batch);
        String idempotencyKey = UUID.randomUUID().toString();
        long giveUp = System.nanoTime() + MAX_RETRY_TIME.toNanos();
        while (true) {
            HttpRequest.Builder request = HttpRequest.newBuilder(endpoint)
                    .timeout(Duration.ofSeconds(30))
                    .header("Content-Type", "application/x-ndjson")
                    .header("Idempotency-Key", idempotencyKey)
                    .POST(HttpRequest.BodyPublishers.ofByteArray(batch));
            apiKey.ifPresent(k -> request.header("Authorization", "Bearer " + k));
            long retryAfterSeconds = 1;
            String problem;
            try {
                HttpResponse<byte[]> response = client.send(request.build(), HttpResponse.BodyHandlers.ofByteArray());
                int status = response.statusCode();
                if (status == 200 || status == 422) {
                    JsonNode body = JSON.readTree(response.body());
                    sent.addAndGet(body.path("accepted").asLong());
                    rejected.addAndGet(body.path("rejected").asLong());
                    return;
                }
                problem = "HTTP " + status + ": " + new String(response.body(), java.nio.charset.StandardCharsets.UTF_8);
                if (status != 503 && status != 429 && status != 409) {
                    fail(records, new IOException(problem));
                    return;
                }
                retryAfterSeconds = response.headers().firstValueAsLong("Retry-After").orElse(1);
            } catch (IOException e) {
                problem = e.toString();
            }
            if (stop.get() || System.nanoTime() > giveUp) {
                fail(records, new IOException("gave up after retrying for " + MAX_RETRY_TIME.toSeconds() + " s: " + problem));
                return;
            }
            TimeUnit.SECONDS.sleep(Math.max(1, Math.min(retryAfterSeconds, 10)));
        }
    }

    private void fail(int records, Throwable e) {
        errors.addAndGet(records);
        lastError.set(e);
        LOG.warn("A batch of {} records to {} failed: {}", records, endpoint, e.getMessage());
    }

    private static int count(byte[] ndjson) {
        int n = 0;
        for (byte b : ndjson) {
            if (b == '\n') {
                n++;
            }
        }
        return n;
    }

    @Override
    public long sent() {
        return sent.get();
    }

    @Override
    public long errors() {
        return errors.get();
    }

    @Override
    public long rejected() {
        return rejected.get();
    }

    @Override
    public Optional<Throwable> lastError() {
        return Optional.ofNullable(lastError.get());
    }

    @Override
    public boolean awaitCompletion(Duration timeout) throws InterruptedException {
        return finished.await(timeout.toNanos(), TimeUnit.NANOSECONDS);
    }

    @Override
    public void close() {
        stop.set(true);
        for (Thread t : threads) {
            try {
                t.join(Duration.ofSeconds(35).toMillis());
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
        }
    }
}
