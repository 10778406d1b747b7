package dev.sluice.ingest;

/**
 * Where and how fast a {@link GeneratorRunner} sends: the topic, the rate in events per second ({@code 0} = as
 * fast as possible) and an optional total after which it stops. Immutable; start from {@link #to(String)} and
 * refine with the {@code with...} copies.
 *
 * <pre>{@code
 * GeneratorSettings settings = GeneratorSettings.to("payments").withEventsPerSecond(5_000).withMaxEvents(1_000_000);
 * }</pre>
 *
 * @param topic           Kafka topic to write to
 * @param eventsPerSecond target rate, {@code 0} for as fast as possible
 * @param maxEvents       stop after handing this many events to the producer; {@link #UNLIMITED} for no limit
 */
public record GeneratorSettings(String topic, double eventsPerSecond, long maxEvents) {

    /** {@link #maxEvents()} value meaning "until closed". */
    public static final long UNLIMITED = Long.MAX_VALUE;

    public GeneratorSettings {
        if (topic == null || topic.isBlank()) {
            throw new IllegalArgumentException("Generator topic must be a non-blank Kafka topic name, got '"
                    + topic + "'");
        }
        if (!(eventsPerSecond >= 0.0) || Double.isInfinite(eventsPerSecond)) {
            throw new IllegalArgumentException("Generator events per second must be a finite number >= 0"
                    + " (0 = as fast as possible), got " + eventsPerSecond + " for topic " + topic);
        }
        if (maxEvents < 1) {
            throw new IllegalArgumentException("Generator max events must be >= 1 (or UNLIMITED), got " + maxEvents
                    + " for topic " + topic);
        }
    }

    /** Sends to {@code topic} as fast as possible until closed. */
    public static GeneratorSettings to(String topic) {
        return new GeneratorSettings(topic, 0.0, UNLIMITED);
    }

    public GeneratorSettings withEventsPerSecond(double eventsPerSecond) {
        return new GeneratorSettings(topic, eventsPerSecond, maxEvents);
    }

    public GeneratorSettings withMaxEvents(long maxEvents) {
        return new GeneratorSettings(topic, eventsPerSecond, maxEvents);
    }
}
