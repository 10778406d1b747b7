package dev.sluice.ingest;

import java.time.Duration;
import java.util.Optional;

/** A running producer of events ({@link GeneratorRunner} to Kafka, {@link HttpEventSender} over HTTP): progress and stop. */
public interface ProducerRun extends AutoCloseable {
    /** Records the destination acknowledged. */
    long sent();

    /** Records that failed for good (not acknowledged, after retries). */
    long errors();

    /** Records the destination refused as invalid (HTTP ingest only; 0 for Kafka). */
    default long rejected() {
        return 0;
    }

    /** The latest failure, if any. */
    Optional<Throwable> lastError();

    /** Waits until the run has ended by itself (limit reached); true if it has. */
    boolean awaitCompletion(Duration timeout) throws InterruptedException;

    /** Stops sending and releases everything. */
    @Override
    void close();
}
