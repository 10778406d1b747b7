package dev.sluice.engine.internal;

import java.io.Serializable;
import java.util.Arrays;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.connector.kafka.source.reader.deserializer.KafkaRecordDeserializationSchema;
import org.apache.flink.table.api.DataTypes;
import org.apache.flink.table.runtime.typeutils.ExternalTypeInfo;
import org.apache.flink.types.Row;
import org.apache.flink.util.Collector;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Turns Kafka records of one source into rows that carry the parsed columns followed by the record's
 * coordinates ({@link #META} fields). A record that does not parse still produces a row, with the dead-letter
 * JSON in the first meta field and every column null, so that bad input flows on to the dead-letter topic instead
 * of failing the job. That holds for any exception while reading a record, not only the rules the parser checks:
 * whatever one record does, it is that record's problem, never the job's (unless the source says
 * {@code on-error: fail}, which the router applies to dead letters).
 */
public final class SourceRecords implements KafkaRecordDeserializationSchema<Row> {
    private static final long serialVersionUID = 1L;
    private static final Logger LOG = LoggerFactory.getLogger(SourceRecords.class);

    /** Meta fields appended after the source's columns. */
    public static final int META = 6;

    /** Reads a record's value into the columns of a row, or says why it cannot. */
    public interface RowParser extends Serializable {
        /** Fills {@code values[0 .. columns)}; positions after the columns must be left alone. */
        void parse(byte[] value, Object[] values) throws JsonRecordParser.BadRecordException;
    }

    private final String sourceName;
    private final RecordSchema schema;
    private final RowParser parser;
    private final int n;
    private transient boolean unexpectedLogged;

    public SourceRecords(String sourceName, JsonRecordParser parser) {
        this(sourceName, parser.schema(), parser);
    }

    public SourceRecords(String sourceName, RecordSchema schema, RowParser parser) {
        this.sourceName = sourceName;
        this.schema = schema;
        this.parser = parser;
        this.n = schema.size();
    }

    /** The type of rows emitted: the schema's columns plus the meta fields. */
    public static TypeInformation<Row> rowType(RecordSchema schema) {
        DataTypes.Field[] columns = schema.fields();
        DataTypes.Field[] all = Arrays.copyOf(columns, columns.length + META);
        all[columns.length] = DataTypes.FIELD("__dead_letter", DataTypes.BYTES());
        all[columns.length + 1] = DataTypes.FIELD("__partition", DataTypes.INT());
        all[columns.length + 2] = DataTypes.FIELD("__offset", DataTypes.BIGINT());
        all[columns.length + 3] = DataTypes.FIELD("__timestamp", DataTypes.BIGINT());
        all[columns.length + 4] = DataTypes.FIELD("__key", DataTypes.BYTES());
        all[columns.length + 5] = DataTypes.FIELD("__value", DataTypes.BYTES());
        return ExternalTypeInfo.of(DataTypes.ROW(all).bridgedTo(Row.class));
    }

    @Override
    public void deserialize(ConsumerRecord<byte[], byte[]> record, Collector<Row> out) {
        Object[] values = new Object[n + META];
        String reason = null;
        try {
            parser.parse(record.value(), values);
        } catch (JsonRecordParser.BadRecordException e) {
            reason = e.getMessage();
        } catch (RuntimeException e) {
            // Input no rule foresaw, or a bug: still this record's problem. Logged once per subtask with the stack
            // trace, so the cause can be found without letting a flood of such records flood the log too.
            reason = "cannot read the record: " + e;
            if (!unexpectedLogged) {
                unexpectedLogged = true;
                LOG.warn("Source '{}' could not read the record at {}/{}@{} for a reason no rule names; it goes to the "
                        + "dead-letter topic, and so will further records like it without this log entry.",
                        sourceName, record.topic(), record.partition(), record.offset(), e);
            }
        }
        if (reason != null) {
            Arrays.fill(values, 0, n, null);
            values[n] = RejectedRecord.toJson(sourceName, record.topic(), record.partition(), record.offset(),
                    record.timestamp(), record.key(), record.value(), reason);
        }
        values[n + 1] = record.partition();
        values[n + 2] = record.offset();
        values[n + 3] = record.timestamp();
        values[n + 4] = record.key();
        values[n + 5] = record.value();
        out.collect(Row.of(values));
    }

    /**
     * Event time of a row emitted by this schema; dead letters get no time so they never move the watermark. The
     * parser has checked the time against the source's range, so the conversion cannot overflow; should it anyway,
     * the row gets no time rather than failing the timestamp assigner, which would fail the job.
     */
    public static long eventTime(Row row, int eventTimeIndex) {
        Object t = row.getField(eventTimeIndex);
        if (t == null) {
            return Long.MIN_VALUE;
        }
        try {
            return ValueParser.epochMillis(t);
        } catch (ArithmeticException e) {
            return Long.MIN_VALUE;
        }
    }

    @Override
    public TypeInformation<Row> getProducedType() {
        return rowType(schema);
    }
}
