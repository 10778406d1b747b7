package dev.sluice.server;

import java.time.Duration;

/**
 * Limits and timeouts of the HTTP ingest API ({@code POST /api/v1/streams/{stream}/events}).
 *
 * @param maxBodySize          {@code ingest.max-body-size}: bytes of request body as sent (compressed or not); larger
 *                             bodies are answered 413 without being read to the end
 * @param maxDecompressedSize  {@code ingest.max-decompressed-size}: bytes a gzip body may inflate to; beyond, 413 (a
 *                             guard against gzip bombs)
 * @param timeout              {@code ingest.timeout}: how long a request may wait for the broker to acknowledge its records;
 *                             beyond, 503 with {@code Retry-After} and nothing of the request is visible to readers
 * @param rateLimit            {@code ingest.rate-limit}: records per second each API key may send (one second's worth may
 *                             come at once); 0 for no limit. A key's own {@code rate=N} overrides it
 * @param idempotencyRetention {@code ingest.idempotency-retention}: how long an {@code Idempotency-Key} is remembered
 *                             (in memory and in the topic {@value #IDEMPOTENCY_TOPIC})
 * @param producers            transactional producers that write concurrently (requests beyond wait for one)
 */
public record IngestSettings(long maxBodySize, long maxDecompressedSize, Duration timeout, double rateLimit,
        Duration idempotencyRetention, int producers) {

    /** The compacted topic that holds the responses of requests sent with an {@code Idempotency-Key}. */
    public static final String IDEMPOTENCY_TOPIC = "sluice.ingest.idempotency";

    public IngestSettings {
        if (maxBodySize < 1) {
            throw new IllegalArgumentException("ingest.max-body-size must be at least 1 byte, got " + maxBodySize);
        }
        if (maxDecompressedSize < maxBodySize) {
            throw new IllegalArgumentException("ingest.max-decompressed-size (" + maxDecompressedSize
                    + ") must be at least ingest.max-body-size (" + maxBodySize + ")");
        }
        if (timeout.isNegative() || timeout.isZero()) {
            throw new IllegalArgumentException("ingest.timeout must be positive, got " + timeout);
        }
        if (!(rateLimit >= 0) || !Double.isFinite(rateLimit)) {
            throw new IllegalArgumentException("ingest.rate-limit must be records per second, at least 0, got " + rateLimit);
        }
        if (idempotencyRetention.toMinutes() < 1) {
            throw new IllegalArgumentException("ingest.idempotency-retention must be at least 1m, got " + idempotencyRetention);
        }
        if (producers < 1) {
            throw new IllegalArgumentException("ingest producers must be at least 1, got " + producers);
        }
    }

    /** 10 MB bodies, 100 MB decompressed, 5 s timeout, no rate limit, keys remembered for 24 h, 4 producers. */
    public static IngestSettings defaults() {
        return new IngestSettings(10_000_000L, 100_000_000L, Duration.ofSeconds(5), 0, Duration.ofHours(24), 4);
    }

    public IngestSettings withMaxBodySize(long bytes) {
        return new IngestSettings(bytes, Math.max(bytes, maxDecompressedSize), timeout, rateLimit, idempotencyRetention, producers);
    }

    public IngestSettings withMaxDecompressedSize(long bytes) {
        return new IngestSettings(maxBodySize, bytes, timeout, rateLimit, idempotencyRetention, producers);
    }

    public IngestSettings withTimeout(Duration value) {
        return new IngestSettings(maxBodySize, maxDecompressedSize, value, rateLimit, idempotencyRetention, producers);
    }

    public IngestSettings withRateLimit(double recordsPerSecond) {
        return new IngestSettings(maxBodySize, maxDecompressedSize, timeout, recordsPerSecond, idempotencyRetention, producers);
    }

    public IngestSettings withIdempotencyRetention(Duration value) {
        return new IngestSettings(maxBodySize, maxDecompressedSize, timeout, rateLimit, value, producers);
    }
}
