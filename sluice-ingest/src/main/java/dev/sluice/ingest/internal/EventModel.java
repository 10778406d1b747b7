package dev.sluice.ingest.internal;

/**
 * The valid events of one synthetic stream, without imperfections: {@link ImperfectStream} asks for the next
 * event, stamps it with an event time of its choosing (sometimes in the past) and may duplicate or corrupt it.
 * Implementations keep their own state (sessions, prices, positions) and draw all randomness from a seeded
 * {@link java.util.SplittableRandom}, so their output is a function of the seed and the times passed in.
 */
public interface EventModel {

    /**
     * Writes the next event, one JSON object, into {@code out} (already {@linkplain JsonObjectWriter#begin()
     * begun}; the model writes fields only) and returns its Kafka key.
     *
     * @param nowMillis   the generator's clock: advances the model's state (prices, positions, sessions)
     * @param eventMillis the event time to stamp; {@code nowMillis} or, for an out-of-order or late event, earlier
     */
    String next(long nowMillis, long eventMillis, JsonObjectWriter out);
}
