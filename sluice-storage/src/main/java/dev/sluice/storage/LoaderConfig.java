package dev.sluice.storage;

import java.time.Duration;
import java.util.Objects;

/**
 * How a {@link ResultLoader} batches. A batch is written when it holds {@code maxBatchRecords} records, when its first
 * record has waited {@code maxBatchWait}, or, once the loader has read every partition to its end (everything committed
 * so far), when its first record has waited {@code caughtUpWait}, whichever comes first. Larger batches load faster;
 * the caught-up rule makes rows visible as soon as there is nothing more to read, while a backlog is still loaded in
 * large batches.
 *
 * <p>Config keys: {@code storage.loader.group-id}, {@code storage.loader.max-batch-records} (default 50,000),
 * {@code storage.loader.max-batch-wait} (default 200 ms), {@code storage.loader.caught-up-wait} (default 0 ms: results
 * written in Kafka transactions arrive in one burst per checkpoint, which is written at once; pipelines with low-latency
 * delivery, whose results arrive continuously, use {@value #LOW_LATENCY_CAUGHT_UP_WAIT_MILLIS} ms so that a trickle of
 * rows does not cost a database commit each).
 *
 * <pre>{@code
 * LoaderConfig config = LoaderConfig.of("sluice-loader-payments").withMaxBatchWait(Duration.ofMillis(50));
 * }</pre>
 *
 * @param groupId the Kafka consumer group under which consumed offsets are also committed to Kafka, only so that
 *     Kafka tools show the loader's lag; the offsets stored in the database are the ones the loader resumes from
 * @param deployment the deployment whose records the loader stores (others are skipped and counted, see
 *     {@link ResultLoader#skippedRecords()}), or null to store every record of the topics
 */
public record LoaderConfig(String groupId, int maxBatchRecords, Duration maxBatchWait, Duration caughtUpWait,
        Deployment deployment) {
    public static final int DEFAULT_MAX_BATCH_RECORDS = 50_000;
    public static final Duration DEFAULT_MAX_BATCH_WAIT = Duration.ofMillis(200);
    public static final Duration DEFAULT_CAUGHT_UP_WAIT = Duration.ZERO;
    /** The caught-up wait for results written at-least-once (a pipeline's low-latency delivery), in milliseconds. */
    public static final long LOW_LATENCY_CAUGHT_UP_WAIT_MILLIS = 20;

    public LoaderConfig {
        if (groupId == null || groupId.isBlank()) {
            throw new IllegalArgumentException("storage.loader.group-id must not be blank, got '" + groupId + "'");
        }
        if (maxBatchRecords < 1) {
            throw new IllegalArgumentException("storage.loader.max-batch-records must be at least 1, got " + maxBatchRecords);
        }
        Objects.requireNonNull(maxBatchWait, "maxBatchWait");
        if (maxBatchWait.isNegative()) {
            throw new IllegalArgumentException("storage.loader.max-batch-wait must not be negative, got " + maxBatchWait);
        }
        Objects.requireNonNull(caughtUpWait, "caughtUpWait");
        if (caughtUpWait.isNegative() || caughtUpWait.compareTo(maxBatchWait) > 0) {
            throw new IllegalArgumentException("storage.loader.caught-up-wait must be from 0 to storage.loader.max-batch-wait ("
                    + maxBatchWait.toMillis() + " ms), got " + caughtUpWait.toMillis() + " ms");
        }
    }

    public LoaderConfig(String groupId, int maxBatchRecords, Duration maxBatchWait) {
        this(groupId, maxBatchRecords, maxBatchWait, min(DEFAULT_CAUGHT_UP_WAIT, maxBatchWait), null);
    }

    public LoaderConfig(String groupId, int maxBatchRecords, Duration maxBatchWait, Duration caughtUpWait) {
        this(groupId, maxBatchRecords, maxBatchWait, caughtUpWait, null);
    }

    /** The defaults with this group id, e.g. {@code "sluice-loader-<pipeline>"}. */
    public static LoaderConfig of(String groupId) {
        return new LoaderConfig(groupId, DEFAULT_MAX_BATCH_RECORDS, DEFAULT_MAX_BATCH_WAIT, DEFAULT_CAUGHT_UP_WAIT, null);
    }

    public LoaderConfig withMaxBatchRecords(int records) {
        return new LoaderConfig(groupId, records, maxBatchWait, caughtUpWait, deployment);
    }

    /** With this maximum wait; the caught-up wait is lowered to it when it was longer. */
    public LoaderConfig withMaxBatchWait(Duration wait) {
        return new LoaderConfig(groupId, maxBatchRecords, wait, min(caughtUpWait, wait), deployment);
    }

    public LoaderConfig withCaughtUpWait(Duration wait) {
        return new LoaderConfig(groupId, maxBatchRecords, maxBatchWait, wait, deployment);
    }

    /** Stores only the records this deployment wrote. */
    public LoaderConfig withDeployment(Deployment only) {
        return new LoaderConfig(groupId, maxBatchRecords, maxBatchWait, caughtUpWait, Objects.requireNonNull(only, "deployment"));
    }

    private static Duration min(Duration a, Duration b) {
        return a.compareTo(b) <= 0 ? a : b;
    }
}
