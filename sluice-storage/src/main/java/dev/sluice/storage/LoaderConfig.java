package dev.sluice.storage;

import java.time.Duration;
import java.util.Objects;

/**
 * How a {@link ResultLoader} batches. A batch is written when it holds {@code maxBatchRecords} records or its first
 * record has waited {@code maxBatchWait}, whichever comes first: larger batches load faster, shorter waits make rows
 * visible sooner.
 *
 * <p>Config keys: {@code storage.loader.group-id}, {@code storage.loader.max-batch-records} (default 50,000),
 * {@code storage.loader.max-batch-wait} (default 200 ms).
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
public record LoaderConfig(String groupId, int maxBatchRecords, Duration maxBatchWait, Deployment deployment) {
    public static final int DEFAULT_MAX_BATCH_RECORDS = 50_000;
    public static final Duration DEFAULT_MAX_BATCH_WAIT = Duration.ofMillis(200);

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
    }

    /** The defaults with this group id, e.g. {@code "sluice-loader-<pipeline>"}. */
    public static LoaderConfig of(String groupId) {
        return new LoaderConfig(groupId, DEFAULT_MAX_BATCH_RECORDS, DEFAULT_MAX_BATCH_WAIT, null);
    }

    public LoaderConfig withMaxBatchRecords(int records) {
        return new LoaderConfig(groupId, records, maxBatchWait, deployment);
    }

    public LoaderConfig withMaxBatchWait(Duration wait) {
        return new LoaderConfig(groupId, maxBatchRecords, wait, deployment);
    }

    /** Stores only the records this deployment wrote. */
    public LoaderConfig withDeployment(Deployment only) {
        return new LoaderConfig(groupId, maxBatchRecords, maxBatchWait, Objects.requireNonNull(only, "deployment"));
    }
}
