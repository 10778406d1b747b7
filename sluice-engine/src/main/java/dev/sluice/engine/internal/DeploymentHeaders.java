package dev.sluice.engine.internal;

import dev.sluice.storage.Deployment;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.header.Headers;
import org.apache.kafka.common.header.internals.RecordHeader;
import org.apache.kafka.common.header.internals.RecordHeaders;

/** The headers of every record a pipeline writes: its deployment. */
final class DeploymentHeaders {
    private DeploymentHeaders() {}

    /**
     * Read-only headers holding the deployment id, shared by all records of one writer: the producer only reads the
     * headers of a record it sends, so one instance serves them all without an allocation per record.
     */
    static Headers of(byte[] deployment) {
        RecordHeaders headers = new RecordHeaders(new Header[] {new RecordHeader(Deployment.HEADER, deployment)});
        headers.setReadOnly();
        return headers;
    }
}
