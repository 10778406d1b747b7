package dev.sluice.spec;

import java.time.Duration;
import java.time.Instant;
import java.util.List;

/**
 * A Kafka topic read by a pipeline. Records are parsed as {@code format} against {@code schema}; records that do
 * not parse or match go where {@code onError} says (by default the dead-letter topic
 * {@code sluice.<pipeline>.<source>.dlq}); records older than the watermark go to the late-events topic
 * {@code sluice.<pipeline>.<source>.late}. Both belong to one pipeline, so two pipelines that read the same topic never
 * write or load each other's dead letters.
 */
public record SourceSpec(
        String name,
        String topic,
        int partitions,
        Format format,
        List<ColumnSpec> schema,
        EventTime eventTime,
        ErrorPolicy onError,
        Location location,
        EventId eventId) {

    public SourceSpec {
        schema = List.copyOf(schema);
    }

    /** A source without an event-id column. */
    public SourceSpec(String name, String topic, int partitions, Format format, List<ColumnSpec> schema, EventTime eventTime,
            ErrorPolicy onError, Location location) {
        this(name, topic, partitions, format, schema, eventTime, onError, location, null);
    }

    /**
     * The names of the columns a record must have, not null: those declared {@code NOT NULL}, the event-time column
     * and the event-id column, in schema order.
     */
    public List<String> requiredColumns() {
        java.util.ArrayList<String> required = new java.util.ArrayList<>();
        for (ColumnSpec column : schema) {
            if (column.required() || (eventTime != null && column.name().equals(eventTime.column()))
                    || (eventId != null && column.name().equals(eventId.column()))) {
                required.add(column.name());
            }
        }
        return List.copyOf(required);
    }

    /** {@code sluice.<pipeline>.<source>.dlq}: this source's dead letters in the named pipeline. */
    public String deadLetterTopic(String pipeline) {
        return "sluice." + pipeline + "." + name + ".dlq";
    }

    /** {@code sluice.<pipeline>.<source>.late}: this source's late events in the named pipeline. */
    public String lateTopic(String pipeline) {
        return "sluice." + pipeline + "." + name + ".late";
    }

    /**
     * The column that identifies an event ({@code event-id: payment_id}): the Flink job drops a record whose id it has
     * already seen within {@code horizon} of processing time, so a producer's retries and duplicates are counted once.
     * The column is required. Its default horizon is {@link #DEFAULT_HORIZON}.
     */
    public record EventId(String column, Duration horizon) {
        /** How long an id is remembered unless the spec says otherwise. */
        public static final Duration DEFAULT_HORIZON = Duration.ofHours(1);
    }

    /** Wire format of a source topic. */
    public enum Format { JSON }

    /** What happens to a record that does not parse or does not match the schema. */
    public enum ErrorPolicy {
        /** Write it to {@code sluice.<pipeline>.<source>.dlq} with the reason and go on (default). */
        DEAD_LETTER,
        /** Fail the job; Flink's restart strategy decides what happens next. */
        FAIL
    }

    /**
     * The event-time column, how far out of order events may arrive before they count as late, and which event
     * times are accepted at all: from {@code earliest} to {@code maxFuture} ahead of the wall clock. A record with
     * a time outside that range is a dead letter, because an event stamped far in the future would move the
     * watermark past every later event.
     */
    public record EventTime(String column, Duration maxOutOfOrderness, Duration maxFuture, Instant earliest) {
        /**
         * How far ahead of the wall clock an event time may be unless the spec says otherwise: one hour, because
         * result topics carry event times as record timestamps, and Kafka brokers refuse record timestamps more than
         * {@code log.message.timestamp.after.max.ms} (one hour by default since Kafka 4.0) ahead of their clock.
         */
        public static final Duration DEFAULT_MAX_FUTURE = Duration.ofHours(1);
        /** The earliest event time accepted unless the spec says otherwise. */
        public static final Instant DEFAULT_EARLIEST = Instant.EPOCH;

        /** The default range of accepted event times: from 1970 to one hour ahead of the wall clock. */
        public EventTime(String column, Duration maxOutOfOrderness) {
            this(column, maxOutOfOrderness, DEFAULT_MAX_FUTURE, DEFAULT_EARLIEST);
        }
    }
}
