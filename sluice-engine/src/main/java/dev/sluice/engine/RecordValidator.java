package dev.sluice.engine;

import dev.sluice.engine.internal.JsonRecordParser;
import dev.sluice.spec.SourceSpec;
import java.time.Clock;
import java.util.Optional;

/**
 * Checks a record against a source exactly as the pipeline's Flink job will read it: the same parser
 * ({@code JsonRecordParser}), schema, required columns and range of event times. The HTTP ingest API uses it, so a
 * record it accepts is never a dead letter for a parse reason in the job, and a record it rejects would have been
 * one, with the same reason.
 *
 * <pre>{@code
 * RecordValidator validator = RecordValidator.of(source, Clock.systemUTC());
 * Optional<String> reason = validator.rejection(bytes); // empty: the job will accept it
 * }</pre>
 *
 * <p>Not thread-safe (the parser keeps scratch space between records); use one per thread or per request.
 */
public final class RecordValidator {
    private final JsonRecordParser parser;
    private final Object[] values;

    private RecordValidator(JsonRecordParser parser) {
        this.parser = parser;
        this.values = new Object[parser.schema().size()];
    }

    /** The validator of {@code source}, judging event times against {@code clock}. */
    public static RecordValidator of(SourceSpec source, Clock clock) {
        return new RecordValidator(JsonRecordParser.forSource(source, clock));
    }

    /** Whether the source's schema has the column {@code name}. */
    public boolean hasColumn(String name) {
        return parser.schema().indexOf(name) >= 0;
    }

    /**
     * The value of column {@code name} in the record last accepted by {@link #rejection}, as text (ISO-8601 for
     * times); null when it is null or absent.
     */
    public String text(String name) {
        Object value = values[parser.schema().indexOf(name)];
        return value == null ? null : value instanceof java.math.BigDecimal d ? d.toPlainString() : value.toString();
    }

    /** Empty when the job accepts {@code json} as a row; otherwise the reason its dead letter would carry. */
    public Optional<String> rejection(byte[] json) {
        try {
            parser.parse(json, values);
            return Optional.empty();
        } catch (JsonRecordParser.BadRecordException e) {
            return Optional.of(e.getMessage());
        } catch (RuntimeException e) {
            return Optional.of("cannot read the record: " + e);
        }
    }
}
