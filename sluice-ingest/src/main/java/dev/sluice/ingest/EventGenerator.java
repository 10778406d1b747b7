package dev.sluice.ingest;

/**
 * A source of synthetic events for one stream, driven by {@link GeneratorRunner}. Implementations are
 * single-threaded: the runner calls {@link #nextEvent()} from its one thread only.
 *
 * <p>Each stream (see {@link Generators}: clickstream, sensors, ticks, rides, payments) implements this
 * once, and the runner takes care of Kafka, pacing and shutdown.
 */
public interface EventGenerator {

    /**
     * Short lowercase name of the stream, such as {@code payments}; it names the runner's thread
     * ({@code sluice-generator-<name>}) and the producer's client id.
     */
    String name();

    /** The next event, already encoded. May be deliberately malformed if the generator is configured so. */
    EncodedEvent nextEvent();
}
