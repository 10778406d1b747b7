package dev.sluice.server;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.sluice.broker.BrokerAdmin;
import dev.sluice.broker.TopicSpec;
import dev.sluice.engine.RecordValidator;
import dev.sluice.server.internal.IdempotencyStore;
import dev.sluice.server.internal.IngestBody;
import dev.sluice.server.internal.IngestWriter;
import dev.sluice.server.internal.RateLimiter;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The HTTP ingest API's logic, without HTTP: reads a request's records, checks each against every running source that
 * reads the stream (with the engine's {@link RecordValidator}, the parser the Flink job uses), writes the accepted ones
 * in one Kafka transaction and answers only after the broker acknowledged them. Handles idempotent retries, the
 * per-key rate limit and the counters. {@link IngestRoutes} adapts it to HTTP.
 *
 * <p>A stream is a raw Kafka topic ({@code POST /api/v1/streams/payments/events} writes to the topic {@code payments}).
 * Several pipelines may read one topic, each with its own schema; a record is accepted only if every source that reads
 * the topic accepts it, so no pipeline gets a dead letter for a parse reason from the API. Records are written without
 * a Kafka key, or with the value of the field the request names ({@code ?key=card_id}) so that one entity's events stay
 * on one partition, in order.
 */
public final class IngestService implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(IngestService.class);
    private static final ObjectMapper JSON = new ObjectMapper();
    /** Records larger than this are rejected: the broker refuses messages over about 1 MB by default. */
    static final int MAX_RECORD_BYTES = 1_000_000;
    /** The rate-limit bucket of requests when the server asks for no key. */
    private static final String ANONYMOUS = "-";

    private final StreamCatalog catalog;
    private final IngestSettings settings;
    private final IngestWriter writer;
    private final IdempotencyStore idempotency;
    private final RateLimiter limiter;
    private final IngestMetrics metrics = new IngestMetrics();
    private final Clock clock;

    /** What to answer: status, JSON body, and the seconds of a {@code Retry-After} (0 for none). */
    public record Reply(int status, Map<String, Object> body, long retryAfterSeconds, boolean replayed) {
        static Reply of(int status, Map<String, Object> body) {
            return new Reply(status, body, 0, false);
        }

        static Reply error(int status, String error, String detail, long retryAfter) {
            Map<String, Object> body = new LinkedHashMap<>();
            body.put("error", error);
            body.put("detail", detail);
            return new Reply(status, body, retryAfter, false);
        }
    }

    private IngestService(StreamCatalog catalog, IngestSettings settings, IngestWriter writer, IdempotencyStore idempotency,
            Clock clock) {
        this.catalog = catalog;
        this.settings = settings;
        this.writer = writer;
        this.idempotency = idempotency;
        this.limiter = new RateLimiter(clock);
        this.clock = clock;
    }

    /**
     * Creates the idempotency topic if missing, reads the stored responses from it, and prepares the producers.
     *
     * @param deploymentId distinguishes this server's transactional producers from another server's on the same cluster
     */
    public static IngestService start(String bootstrapServers, Properties clientProperties, BrokerAdmin admin, StreamCatalog catalog,
            IngestSettings settings, String deploymentId, Clock clock) {
        admin.ensureTopics(List.of(new TopicSpec(IngestSettings.IDEMPOTENCY_TOPIC, 4, Map.of(
                "cleanup.policy", "compact,delete",
                "retention.ms", String.valueOf(settings.idempotencyRetention().toMillis())))));
        IdempotencyStore store = new IdempotencyStore(bootstrapServers, clientProperties, IngestSettings.IDEMPOTENCY_TOPIC,
                settings.idempotencyRetention(), clock);
        // Reading to the end waits for transactions still open in the topic, such as one a crashed server left behind;
        // the broker aborts those after their transaction timeout.
        Duration loadTimeout = IngestWriter.transactionTimeout(settings).plusSeconds(15);
        store.load(loadTimeout.compareTo(settings.timeout().multipliedBy(6)) > 0 ? loadTimeout : settings.timeout().multipliedBy(6));
        IngestWriter writer = new IngestWriter(bootstrapServers, clientProperties, "sluice-ingest-" + deploymentId, settings);
        return new IngestService(catalog, settings, writer, store, clock);
    }

    public IngestMetrics metrics() {
        return metrics;
    }

    public IngestSettings settings() {
        return settings;
    }

    /**
     * Handles one request to {@code stream}.
     *
     * @param key            the API key that sent it; empty when the server asks for none
     * @param idempotencyKey the {@code Idempotency-Key} header, or null
     * @param form           the body's media type; null when it is neither JSON nor NDJSON
     * @param keyField       the column whose value becomes each record's Kafka key, or null for no key
     */
    public Reply ingest(String stream, Optional<ApiKeys.Key> key, String idempotencyKey, InputStream body, IngestBody.Form form,
            boolean gzip, String keyField) {
        long started = System.nanoTime();
        List<StreamCatalog.Reader> readers = catalog.readers(stream);
        if (readers.isEmpty()) {
            return Reply.error(404, "no such stream", "no running pipeline reads the stream '" + stream + "'; streams are: "
                    + String.join(", ", catalog.streams()), 0);
        }
        Optional<String> refusal = catalog.inputRefusal();
        if (refusal.isPresent()) {
            // The broker must not be fed past the point where its disk fills (docs/reliability.md).
            return Reply.error(507, "insufficient storage", refusal.get(), 30);
        }
        if (form == null) {
            return Reply.error(415, "refused", "send the events as application/json (an object or an array of objects) or "
                    + "application/x-ndjson (one object per line)", 0);
        }
        if (idempotencyKey != null && (idempotencyKey.isBlank() || idempotencyKey.length() > 255)) {
            return Reply.error(400, "bad request", "the Idempotency-Key header must be 1 to 255 characters, got "
                    + idempotencyKey.length(), 0);
        }
        if (keyField != null && !RecordValidator.of(readers.get(0).source(), clock).hasColumn(keyField)) {
            return Reply.error(400, "bad request", "key=" + keyField + " names no column of source '" + readers.get(0).source().name()
                    + "' of pipeline '" + readers.get(0).pipeline() + "'; name a column whose value should be the Kafka key", 0);
        }
        IngestBody.Records records;
        try {
            records = IngestBody.read(body, gzip, form, settings.maxBodySize(), settings.maxDecompressedSize());
        } catch (IngestBody.TooLarge e) {
            return Reply.error(413, "too large", e.getMessage(), 0);
        } catch (IngestBody.Malformed e) {
            return Reply.error(400, "bad request", e.getMessage(), 0);
        } catch (IOException e) {
            return Reply.error(400, "bad request", "the body could not be read: " + e.getMessage(), 0);
        }
        if (records.records().isEmpty()) {
            return Reply.error(400, "bad request", "the body holds no record; send a JSON object, a JSON array of objects, or NDJSON", 0);
        }
        String scope = key.map(ApiKeys.Key::id).orElse(ANONYMOUS);
        if (idempotencyKey == null) {
            return write(stream, key, scope, records, readers, keyField, null, null, started);
        }
        String storeKey = stream + "\n" + scope + "\n" + idempotencyKey;
        if (!idempotency.begin(storeKey)) {
            return Reply.error(409, "conflict", "a request with this Idempotency-Key is still in progress; retry after it ended", 1);
        }
        try {
            String hash = hash(records, keyField);
            Optional<IdempotencyStore.Response> stored;
            try {
                stored = idempotency.find(storeKey, settings.timeout());
            } catch (RuntimeException e) {
                return Reply.error(503, "unavailable", "cannot tell whether an earlier request with this Idempotency-Key went "
                        + "through: " + e.getMessage(), 1);
            }
            if (stored.isPresent()) {
                if (!stored.get().requestHash().equals(hash)) {
                    return Reply.error(422, "idempotency key reused", "this Idempotency-Key was used for a request with other "
                            + "records; use a new key for new records", 0);
                }
                return replay(stored.get());
            }
            return write(stream, key, scope, records, readers, keyField, storeKey, hash, started);
        } finally {
            idempotency.end(storeKey);
        }
    }

    private Reply write(String stream, Optional<ApiKeys.Key> key, String scope, IngestBody.Records records,
            List<StreamCatalog.Reader> readers, String keyField, String storeKey, String hash, long started) {
        int n = records.records().size();
        double rate = key.map(ApiKeys.Key::ratePerSecond).filter(r -> r > 0).orElse(settings.rateLimit());
        long wait = limiter.acquire(scope, rate, n);
        if (wait > 0) {
            return Reply.error(429, "too many records", "this API key may send " + rate + " records per second; retry after "
                    + wait + " s", wait);
        }
        List<RecordValidator> validators = new ArrayList<>(readers.size());
        for (StreamCatalog.Reader reader : readers) {
            validators.add(RecordValidator.of(reader.source(), clock));
        }
        List<byte[]> accepted = new ArrayList<>(n);
        List<byte[]> kafkaKeys = keyField == null ? null : new ArrayList<>(n);
        List<Map<String, Object>> rejections = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            byte[] record = records.records().get(i);
            String reason = null;
            if (record.length > MAX_RECORD_BYTES) {
                reason = "the record has " + record.length + " bytes; at most " + MAX_RECORD_BYTES + " are accepted";
            }
            for (int r = 0; r < validators.size() && reason == null; r++) {
                Optional<String> rejection = validators.get(r).rejection(record);
                if (rejection.isPresent()) {
                    reason = readers.size() == 1 ? rejection.get() : "pipeline '" + readers.get(r).pipeline() + "', source '"
                            + readers.get(r).source().name() + "': " + rejection.get();
                }
            }
            if (reason == null) {
                accepted.add(record);
                if (kafkaKeys != null) {
                    String text = validators.get(0).text(keyField);
                    kafkaKeys.add(text == null ? null : text.getBytes(StandardCharsets.UTF_8));
                }
            } else {
                Map<String, Object> rejection = new LinkedHashMap<>();
                rejection.put("index", i);
                if (records.lines() != null) {
                    rejection.put("line", records.lines()[i]);
                }
                rejection.put("reason", reason);
                rejections.add(rejection);
            }
        }
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("stream", stream);
        body.put("accepted", accepted.size());
        body.put("rejected", rejections.size());
        body.put("rejections", rejections);
        int status = accepted.isEmpty() ? 422 : 200;
        IdempotencyStore.Response response = null;
        if (storeKey != null) {
            response = idempotency.response(status, toJson(body), hash);
        }
        if (!accepted.isEmpty() || response != null) {
            try {
                writer.write(stream, accepted, kafkaKeys, response == null ? null : idempotency.record(storeKey, response));
            } catch (IngestWriter.Unavailable e) {
                if (storeKey != null) {
                    idempotency.doubt(storeKey);
                }
                LOG.warn("Ingest into stream '{}' answered 503: {}", stream, e.getMessage());
                metrics.record(stream, 0, 0, (System.nanoTime() - started) / 1_000_000);
                return Reply.error(503, "unavailable", e.getMessage() + "; none of the records is visible; retry with the same "
                        + "Idempotency-Key", 1);
            }
        }
        if (response != null) {
            idempotency.committed(storeKey, response);
        }
        metrics.record(stream, accepted.size(), rejections.size(), (System.nanoTime() - started) / 1_000_000);
        return Reply.of(status, body);
    }

    @SuppressWarnings("unchecked")
    private static Reply replay(IdempotencyStore.Response stored) {
        try {
            return new Reply(stored.status(), JSON.readValue(stored.body(), LinkedHashMap.class), 0, true);
        } catch (IOException e) {
            throw new IllegalStateException("a stored response is not JSON: " + e.getMessage(), e);
        }
    }

    private static String toJson(Map<String, Object> body) {
        try {
            return JSON.writeValueAsString(body);
        } catch (IOException e) {
            throw new IllegalStateException("cannot write a response as JSON: " + e.getMessage(), e);
        }
    }

    /** SHA-256 over the key field and the records, each preceded by its length: the identity of a request's content. */
    private static String hash(IngestBody.Records records, String keyField) {
        try {
            MessageDigest digest = MessageDigest.getInstance("SHA-256");
            digest.update(String.valueOf(keyField).getBytes(StandardCharsets.UTF_8));
            digest.update((byte) '\n');
            for (byte[] r : records.records()) {
                digest.update(String.valueOf(r.length).getBytes(StandardCharsets.US_ASCII));
                digest.update((byte) ':');
                digest.update(r);
            }
            return HexFormat.of().formatHex(digest.digest());
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every Java runtime has SHA-256", e);
        }
    }

    @Override
    public void close() {
        writer.close();
    }
}
