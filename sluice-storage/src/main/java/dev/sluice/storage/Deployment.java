package dev.sluice.storage;

import java.nio.charset.StandardCharsets;
import java.util.UUID;

/**
 * One deployment of a pipeline: the life of its state, from the moment the state is created until it is thrown away
 * (a fresh data directory, or a start over with {@code --allow-state-reset}). The engine writes the deployment's id in
 * the {@value #HEADER} header of every record it writes to the pipeline's result, dead-letter and late topics, and a
 * {@link ResultLoader} given a deployment (see {@link LoaderConfig#withDeployment}) stores only that deployment's
 * records. A broker outlives data directories: without this, a fresh data directory against a cluster that still holds
 * the result topics of an earlier run of the same pipeline would load that run's rows as its own.
 *
 * <pre>{@code
 * Deployment deployment = Deployment.create(false);
 * LoaderConfig config = LoaderConfig.of("sluice-loader-payments").withDeployment(deployment);
 * }</pre>
 *
 * @param id              the id carried in the header, a random UUID
 * @param acceptsUnmarked whether records without the header belong to this deployment too: true only for a pipeline
 *     whose state was created before Sluice marked its records, so that results its job wrote then and the loader had
 *     not stored yet are not lost
 */
public record Deployment(String id, boolean acceptsUnmarked) {
    /** The Kafka record header holding the id of the deployment that wrote a record. */
    public static final String HEADER = "sluice.deployment";

    public Deployment {
        if (id == null || id.isBlank() || id.length() > 64) {
            throw new IllegalArgumentException("A deployment id must be 1 to 64 characters, got '" + id + "'");
        }
    }

    /** A new deployment with a random id. */
    public static Deployment create(boolean acceptsUnmarked) {
        return new Deployment(UUID.randomUUID().toString(), acceptsUnmarked);
    }

    /** The header value: the id in UTF-8. */
    public byte[] headerValue() {
        return id.getBytes(StandardCharsets.UTF_8);
    }
}
