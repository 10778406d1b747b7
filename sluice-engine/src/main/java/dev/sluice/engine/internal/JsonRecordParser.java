package dev.sluice.engine.internal;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonLocation;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.core.StreamReadConstraints;
import dev.sluice.spec.SourceSpec;
import java.io.IOException;
import java.math.BigDecimal;
import java.time.Clock;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import org.apache.flink.table.data.StringData;
import org.apache.flink.table.types.logical.LogicalType;
import org.apache.flink.table.types.logical.LogicalTypeRoot;

/**
 * Parses one JSON object into the values of a {@link RecordSchema}. Fields not in the schema are ignored; missing
 * fields are null, except the event-time column, without which an event cannot be placed in time. Any problem
 * becomes a {@link BadRecordException} whose message names the field, the expected type and the offending value,
 * which is what a dead letter carries as its reason.
 *
 * <p>What a record must be, in the order it is checked:
 * <ol>
 *   <li>a value (not null) of well-formed UTF-8 ({@link Utf8}), also in fields outside the schema;
 *   <li>one JSON object and nothing after it, nested at most {@value #MAX_NESTING} levels deep (arrays and objects
 *       in fields outside the schema count), with numbers of at most {@value ValueParser#MAX_NUMBER_LENGTH}
 *       characters and no NaN or Infinity tokens;
 *   <li>each schema field at most once (a repeated field would mean different things to different readers; a
 *       repeated field outside the schema is not read and so not checked);
 *   <li>each schema field's value of its column's type ({@link ValueParser}); STRING values free of unpaired
 *       surrogate escapes (a backslash-u escape of D800 to DFFF without its partner), which are not Unicode text;
 *   <li>the event-time field present, not null, and within the source's {@link EventTimeRange};
 *   <li>every required field ({@code NOT NULL} in the schema, the event-id column) present and not null.
 * </ol>
 *
 * <p>Values are the Java values of {@link ValueParser} (String, BigDecimal, LocalDateTime, ...), or with
 * {@link #internal()} Flink's internal data structures ({@link InternalValues}), which the source's rows carry: a
 * string then goes from the parser's character buffer to UTF-8 bytes without a {@code String} in between.
 *
 * <p>One parser serves one source subtask: it keeps a small scratch array between records and is not thread-safe.
 */
public final class JsonRecordParser implements SourceRecords.RowParser {
    private static final long serialVersionUID = 1L;

    /** How deep arrays and objects may nest; a schema is flat, so only ignored fields can nest at all. */
    static final int MAX_NESTING = 1000;

    private final RecordSchema schema;
    private final int eventTimeIndex;
    private final EventTimeRange eventTimes;
    /** Whether values are Flink's internal data structures instead of Java values. */
    private final boolean internal;
    private transient JsonFactory factory;
    /** Which schema fields the current record has set; reset per record. */
    private transient boolean[] seen;
    /** The schema's column names, interned as Jackson interns field names, for {@link #column}. */
    private transient String[] names;

    /** The parser of a source as the spec declares it: its schema, required columns and range of event times. */
    public static JsonRecordParser forSource(SourceSpec source, Clock clock) {
        return new JsonRecordParser(RecordSchema.of(source.schema(), source.requiredColumns()), source.eventTime().column(),
                EventTimeRange.of(source.eventTime(), clock));
    }

    /** A parser that accepts event times from 1970 to one hour ahead of the system clock. */
    public JsonRecordParser(RecordSchema schema, String eventTimeColumn) {
        this(schema, eventTimeColumn, EventTimeRange.defaults(Clock.systemUTC()));
    }

    public JsonRecordParser(RecordSchema schema, String eventTimeColumn, EventTimeRange eventTimes) {
        this(schema, schema.indexOf(eventTimeColumn), eventTimes, false);
        if (eventTimeIndex < 0) {
            throw new IllegalArgumentException("event-time column '" + eventTimeColumn + "' is not in the schema");
        }
    }

    private JsonRecordParser(RecordSchema schema, int eventTimeIndex, EventTimeRange eventTimes, boolean internal) {
        this.schema = schema;
        this.eventTimeIndex = eventTimeIndex;
        this.eventTimes = eventTimes;
        this.internal = internal;
    }

    /** The same parser, filling Flink's internal values ({@link InternalValues#toInternal}) instead of Java values. */
    public JsonRecordParser internal() {
        return new JsonRecordParser(schema, eventTimeIndex, eventTimes, true);
    }

    @Override
    public boolean internalValues() {
        return internal;
    }

    public RecordSchema schema() {
        return schema;
    }

    public int eventTimeIndex() {
        return eventTimeIndex;
    }

    /** Fills {@code values[0 .. schema size)} from {@code json}; later positions are left alone. */
    @Override
    public void parse(byte[] json, Object[] values) throws BadRecordException {
        if (json == null) {
            throw new BadRecordException("record has no value (null)");
        }
        int invalid = Utf8.firstInvalid(json);
        if (invalid >= 0) {
            throw new BadRecordException("invalid UTF-8 at byte " + (invalid + 1) + ": a record must be UTF-8 text");
        }
        if (factory == null) {
            factory = JsonFactory.builder()
                    .recyclerPool(new SingleSlotRecyclerPool())
                    .streamReadConstraints(StreamReadConstraints.builder()
                            .maxNestingDepth(MAX_NESTING)
                            .maxNumberLength(ValueParser.MAX_NUMBER_LENGTH)
                            .build())
                    .build();
            seen = new boolean[schema.size()];
            names = new String[schema.size()];
            for (int i = 0; i < names.length; i++) {
                names[i] = schema.name(i).intern();
            }
        }
        int n = schema.size();
        Arrays.fill(values, 0, n, null);
        Arrays.fill(seen, false);
        JsonParser p = null;
        try {
            p = factory.createParser(json);
            if (p.nextToken() != JsonToken.START_OBJECT) {
                throw new BadRecordException("expected a JSON object, got " + describe(p.currentToken(), p));
            }
            JsonToken t;
            int expected = 0;
            while ((t = p.nextToken()) == JsonToken.FIELD_NAME) {
                String field = p.currentName();
                JsonToken valueToken = p.nextToken();
                int i = column(field, expected);
                expected = i + 1;
                if (i < 0) {
                    p.skipChildren();
                    continue;
                }
                if (seen[i]) {
                    throw new BadRecordException("field '" + field + "' appears more than once");
                }
                seen[i] = true;
                values[i] = value(p, valueToken, i);
            }
            if (t != JsonToken.END_OBJECT) {
                throw new BadRecordException("malformed JSON object");
            }
            if (p.nextToken() != null) {
                throw new BadRecordException("unexpected data after the JSON object at byte "
                        + (p.currentTokenLocation().getByteOffset() + 1));
            }
        } catch (JsonProcessingException e) {
            throw new BadRecordException("invalid JSON: " + jacksonReason(e) + " at byte " + errorByte(e, p));
        } catch (IOException e) {
            throw new BadRecordException("unreadable JSON: " + e.getMessage());
        } finally {
            if (p != null) {
                try {
                    p.close();
                } catch (IOException e) {
                    // Closing a parser over a byte array releases buffers only; nothing can be lost here.
                }
            }
        }
        Object eventTime = values[eventTimeIndex];
        if (eventTime == null) {
            throw new BadRecordException("event-time field '" + schema.name(eventTimeIndex) + "' is missing or null");
        }
        String outOfRange = eventTimes.violation(schema.name(eventTimeIndex), ValueParser.epochMillis(eventTime));
        if (outOfRange != null) {
            throw new BadRecordException(outOfRange);
        }
        int[] required = schema.required();
        for (int k = 0; k < required.length; k++) {
            int i = required[k];
            if (values[i] == null) {
                throw new BadRecordException("required field '" + schema.name(i) + "' is " + (seen[i] ? "null" : "missing")
                        + "; the schema declares it NOT NULL (or it is the event-id column)");
            }
        }
    }

    /**
     * Position of the column named {@code field}, or -1. Records of one producer list their fields in one order, so
     * the column after the previous one is tried first; Jackson interns field names, so a reference comparison
     * decides, and the schema's map is the fallback for anything else.
     */
    private int column(String field, int expected) {
        if (expected >= 0 && expected < names.length && names[expected] == field) {
            return expected;
        }
        return schema.indexOf(field);
    }

    private Object value(JsonParser p, JsonToken token, int i) throws IOException, BadRecordException {
        LogicalType type = schema.type(i);
        try {
            switch (token) {
                case VALUE_NULL:
                    return null;
                case VALUE_STRING:
                    if (internal && isString(type)) {
                        return utf8(p.getTextCharacters(), p.getTextOffset(), p.getTextLength(), type);
                    }
                    String text = p.getText();
                    Object value = ValueParser.fromText(text, type);
                    if (value == text) {
                        checkUnicode(text, type);
                    }
                    return internal ? InternalValues.toInternal(value, type) : value;
                case VALUE_NUMBER_INT:
                    JsonParser.NumberType size = p.getNumberType();
                    if (size == JsonParser.NumberType.INT || size == JsonParser.NumberType.LONG) {
                        return converted(ValueParser.fromLong(p.getLongValue(), type), type);
                    }
                    return converted(floatingOrDecimal(p, type), type);
                case VALUE_NUMBER_FLOAT:
                    return converted(floatingOrDecimal(p, type), type);
                case VALUE_TRUE:
                case VALUE_FALSE:
                    return converted(ValueParser.fromText(p.getText(), type), type);
                default:
                    p.skipChildren();
                    throw ValueParser.mismatch(type, token == JsonToken.START_ARRAY ? "an array" : "an object");
            }
        } catch (IllegalArgumentException e) {
            throw new BadRecordException("field '" + schema.name(i) + "': " + e.getMessage());
        }
    }

    private Object converted(Object value, LogicalType type) {
        return internal ? InternalValues.toInternal(value, type) : value;
    }

    private static boolean isString(LogicalType type) {
        LogicalTypeRoot root = type.getTypeRoot();
        return root == LogicalTypeRoot.VARCHAR || root == LogicalTypeRoot.CHAR;
    }

    /**
     * A STRING value as Flink's internal string, encoded to UTF-8 straight from the parser's characters; the same checks
     * as the Java value's path ({@link #checkUnicode}), so both accept and reject the same records.
     */
    private static StringData utf8(char[] chars, int offset, int length, LogicalType type) {
        byte[] bytes = new byte[length];
        for (int k = 0; k < length; k++) {
            char c = chars[offset + k];
            if (c >= 0x80) {
                String text = new String(chars, offset, length);
                checkUnicode(text, type);
                return StringData.fromBytes(text.getBytes(StandardCharsets.UTF_8));
            }
            bytes[k] = (byte) c;
        }
        return StringData.fromBytes(bytes);
    }

    private static Object floatingOrDecimal(JsonParser p, LogicalType type) throws IOException {
        switch (type.getTypeRoot()) {
            case FLOAT:
            case DOUBLE:
                return ValueParser.fromDouble(p.getDoubleValue(), p.getText(), type);
            default:
                BigDecimal number;
                try {
                    number = p.getDecimalValue();
                } catch (NumberFormatException e) {
                    // An exponent beyond an int (1e99999999999): BigDecimal cannot hold it at all.
                    throw new IllegalArgumentException("number " + ValueParser.quoted(p.getText())
                            + " is out of range for " + type.copy(true).asSummaryString());
                }
                return ValueParser.fromNumber(number, type);
        }
    }

    /** JSON escapes can spell lone surrogates (backslash-u D800); they are not text, and other readers replace or refuse them. */
    private static void checkUnicode(String text, LogicalType type) {
        int length = text.length();
        for (int k = 0; k < length; k++) {
            char c = text.charAt(k);
            if (Character.isSurrogate(c)) {
                if (Character.isHighSurrogate(c) && k + 1 < length && Character.isLowSurrogate(text.charAt(k + 1))) {
                    k++;
                    continue;
                }
                throw ValueParser.mismatch(type, "text with an unpaired surrogate \\u"
                        + Integer.toHexString(c).toUpperCase(java.util.Locale.ROOT) + " at character " + (k + 1) + " (not Unicode)");
            }
        }
    }

    /** Jackson's message without the pointer to its own API ("from `StreamReadConstraints...`"). */
    private static String jacksonReason(JsonProcessingException e) {
        String message = String.valueOf(e.getOriginalMessage());
        int from = message.indexOf(", from `");
        int closingQuote = from < 0 ? -1 : message.indexOf('`', from + ", from `".length());
        if (closingQuote > 0) {
            message = message.substring(0, from) + message.substring(closingQuote + 1);
        }
        return message;
    }

    private static long errorByte(JsonProcessingException e, JsonParser p) {
        JsonLocation at = e.getLocation();
        if (at == null && p != null) {
            at = p.currentLocation();
        }
        return at == null ? 1 : Math.max(1, at.getByteOffset());
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
