package dev.sluice.engine.internal;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParseException;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import java.io.IOException;
import java.io.Serializable;

/**
 * Parses one JSON object into the values of a {@link RecordSchema}. Fields not in the schema are ignored; missing
 * fields are null, except the event-time column, without which an event cannot be placed in time. Any problem
 * becomes a {@link BadRecordException} whose message names the field, the expected type and the offending value,
 * which is what a dead letter carries as its reason.
 */
public final class JsonRecordParser implements Serializable {
    private static final long serialVersionUID = 1L;

    private final RecordSchema schema;
    private final int eventTimeIndex;
    private transient JsonFactory factory;

    public JsonRecordParser(RecordSchema schema, String eventTimeColumn) {
        this.schema = schema;
        this.eventTimeIndex = schema.indexOf(eventTimeColumn);
        if (eventTimeIndex < 0) {
            throw new IllegalArgumentException("event-time column '" + eventTimeColumn + "' is not in the schema");
        }
    }

    public RecordSchema schema() {
        return schema;
    }

    public int eventTimeIndex() {
        return eventTimeIndex;
    }

    /** Fills {@code values} (length = schema size) from {@code json}. */
    public void parse(byte[] json, Object[] values) throws BadRecordException {
        if (json == null) {
            throw new BadRecordException("record has no value (null)");
        }
        if (factory == null) {
            factory = new JsonFactory();
        }
        java.util.Arrays.fill(values, null);
        try (JsonParser p = factory.createParser(json)) {
            if (p.nextToken() != JsonToken.START_OBJECT) {
                throw new BadRecordException("expected a JSON object, got " + describe(p.currentToken(), p));
            }
            JsonToken t;
            while ((t = p.nextToken()) == JsonToken.FIELD_NAME) {
                String field = p.currentName();
                JsonToken valueToken = p.nextToken();
                int i = schema.indexOf(field);
                if (i < 0) {
                    p.skipChildren();
                    continue;
                }
                values[i] = value(p, valueToken, i);
            }
            if (t != JsonToken.END_OBJECT) {
                throw new BadRecordException("malformed JSON object");
            }
            if (p.nextToken() != null) {
                throw new BadRecordException("unexpected data after the JSON object at byte "
                        + (p.currentTokenLocation().getByteOffset() + 1));
            }
        } catch (JsonParseException e) {
            throw new BadRecordException("invalid JSON: " + e.getOriginalMessage() + " at byte "
                    + Math.max(1, e.getLocation().getByteOffset()));
        } catch (IOException e) {
            throw new BadRecordException("unreadable JSON: " + e.getMessage());
        }
        if (values[eventTimeIndex] == null) {
            throw new BadRecordException("event-time field '" + schema.name(eventTimeIndex) + "' is missing or null");
        }
    }

    private Object value(JsonParser p, JsonToken token, int i) throws IOException, BadRecordException {
        try {
            switch (token) {
                case VALUE_NULL:
                    return null;
                case VALUE_STRING:
                    return ValueParser.fromText(p.getText(), schema.type(i));
                case VALUE_NUMBER_INT:
                case VALUE_NUMBER_FLOAT:
                    return ValueParser.fromNumber(p.getDecimalValue(), schema.type(i));
                case VALUE_TRUE:
                case VALUE_FALSE:
                    return ValueParser.fromText(p.getText(), schema.type(i));
                default:
                    p.skipChildren();
                    throw ValueParser.mismatch(schema.type(i), token == JsonToken.START_ARRAY ? "an array" : "an object");
            }
        } catch (IllegalArgumentException e) {
            throw new BadRecordException("field '" + schema.name(i) + "': " + e.getMessage());
        }
    }

    private static String describe(JsonToken token, JsonParser p) throws IOException {
        if (token == null) {
            return "nothing";
        }
        return switch (token) {
            case START_ARRAY -> "an array";
            case VALUE_STRING -> "a string";
            case VALUE_NUMBER_INT, VALUE_NUMBER_FLOAT -> "a number";
            default -> p.getText();
        };
    }

    /** A record that cannot be turned into a row; the message is the dead-letter reason. */
    public static final class BadRecordException extends Exception {
        private static final long serialVersionUID = 1L;

        public BadRecordException(String reason) {
            super(reason, null, false, false);
        }
    }
}
