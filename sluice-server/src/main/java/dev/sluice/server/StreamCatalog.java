package dev.sluice.server;

import dev.sluice.spec.SourceSpec;
import java.util.List;

/**
 * Which running pipelines read a stream. A stream is a raw Kafka topic; several pipelines (and several sources) may
 * read one, each with its own schema. The HTTP ingest API accepts a record only when every one of them would.
 */
public interface StreamCatalog {
    /** A source of a running pipeline. */
    record Reader(String pipeline, SourceSpec source) {}

    /** The sources of running pipelines that read {@code stream}; empty when none does. */
    List<Reader> readers(String stream);

    /** The streams running pipelines read, sorted. */
    List<String> streams();

    /** Why new input is refused now (low disk space on the data directory), if it is. */
    default java.util.Optional<String> inputRefusal() {
        return java.util.Optional.empty();
    }
}
