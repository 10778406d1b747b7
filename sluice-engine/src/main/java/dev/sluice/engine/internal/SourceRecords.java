package dev.sluice.engine.internal;

import java.io.Serializable;
import java.util.Arrays;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.connector.kafka.source.reader.deserializer.KafkaRecordDeserializationSchema;
import org.apache.flink.table.api.DataTypes;
import org.apache.flink.table.data.GenericRowData;
import org.apache.flink.table.data.RowData;
import org.apache.flink.table.runtime.typeutils.InternalTypeInfo;
import org.apache.flink.table.types.logical.LogicalType;
import org.apache.flink.table.types.logical.RowType;
import org.apache.flink.util.Collector;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Turns Kafka records of one source into rows that carry the parsed columns followed by the record's
 * coordinates ({@link #META} fields). Rows are Flink's internal {@link RowData} (StringData, DecimalData,
 * TimestampData, ...), which the Table API takes as they are: no conversion per row at the bridge into the SQL. A record that does not parse still produces a row, with the dead-letter
 * JSON in the first meta field and every column null, so that bad input flows on to the dead-letter topic instead
 * of failing the job. That holds for any exception while reading a record, not only the rules the parser checks:
 * whatever one record does, it is that record's problem, never the job's (unless the source says
 * {@code on-error: fail}, which the router applies to dead letters).
 */
public final class SourceRecords implements KafkaRecordDeserializationSchema<RowData> {
    private static final long serialVersionUID = 1L;
    private static final Logger LOG = LoggerFactory.getLogger(SourceRecords.class);

    /** Meta fields appended after the source's columns. */
    public static final int META = 6;

    /** Reads a record's value into the columns of a row, or says why it cannot. */
    public interface RowParser extends Serializable {
        /** Fills {@code values[0 .. columns)}; positions after the columns must be left alone. */
        void parse(byte[] value, Object[] values) throws JsonRecordParser.BadRecordException;

        /** Whether the values are Flink's internal ones already; otherwise they are converted ({@link InternalValues}). */
        default boolean internalValues() {
            return false;
        }
    }

    private final String sourceName;
    private final RecordSchema schema;
    private final RowParser parser;
    private final int n;
    private final LogicalType[] types;
    private final boolean internalValues;
    private transient boolean unexpectedLogged;
    /** The parser's scratch array: the row gets the internal values, so it can be reused for the next record. */
    private transient Object[] values;

    /** Rows from {@code parser}'s records, which it reads straight into internal values ({@link JsonRecordParser#internal}). */
    public SourceRecords(String sourceName, JsonRecordParser parser) {
        this(sourceName, parser.schema(), parser.internal());
    }

    public SourceRecords(String sourceName, RecordSchema schema, RowParser parser) {
        this.sourceName = sourceName;
        this.schema = schema;
        this.parser = parser;
        this.n = schema.size();
        this.internalValues = parser.internalValues();
        this.types = new LogicalType[n];
        for (int i = 0; i < n; i++) {
            types[i] = schema.type(i);
        }
    }

    /** The type of rows emitted: the schema's columns plus the meta fields. */
    public static InternalTypeInfo<RowData> rowType(RecordSchema schema) {
        DataTypes.Field[] columns = schema.fields();
        DataTypes.Field[] all = Arrays.copyOf(columns, columns.length + META);
        all[columns.length] = DataTypes.FIELD("__dead_letter", DataTypes.BYTES());
        all[columns.length + 1] = DataTypes.FIELD("__partition", DataTypes.INT());
        all[columns.length + 2] = DataTypes.FIELD("__offset", DataTypes.BIGINT());
        all[columns.length + 3] = DataTypes.FIELD("__timestamp", DataTypes.BIGINT());
        all[columns.length + 4] = DataTypes.FIELD("__key", DataTypes.BYTES());
        all[columns.length + 5] = DataTypes.FIELD("__value", DataTypes.BYTES());
        return InternalTypeInfo.of((RowType) DataTypes.ROW(all).getLogicalType());
    }

    /** The type of rows with the schema's columns only, as the router passes them on. */
    public static InternalTypeInfo<RowData> columnsType(RecordSchema schema) {
        return InternalTypeInfo.of((RowType) DataTypes.ROW(schema.fields()).getLogicalType());
    }

    @Override
    public void deserialize(ConsumerRecord<byte[], byte[]> record, Collector<RowData> out) {
        if (values == null) {
            values = new Object[n];
        }
        GenericRowData row = new GenericRowData(n + META);
        String reason = null;
        try {
            parser.parse(record.value(), values);
            for (int i = 0; i < n; i++) {
                row.setField(i, internalValues ? values[i] : InternalValues.toInternal(values[i], types[i]));
            }
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
            for (int i = 0; i < n; i++) {
                row.setField(i, null);
            }
            row.setField(n, RejectedRecord.toJson(sourceName, record.topic(), record.partition(), record.offset(),
                    record.timestamp(), record.key(), record.value(), reason));
        }
        row.setField(n + 1, record.partition());
        row.setField(n + 2, record.offset());
        row.setField(n + 3, record.timestamp());
        row.setField(n + 4, record.key());
        row.setField(n + 5, record.value());
        out.collect(row);
    }

    /**
     * Event time of a row emitted by this schema, in epoch milliseconds; dead letters get no time so they never move
     * the watermark. The parser has checked the time against the source's range (years 0000 to 9999), so it is exact.
     */
    public static long eventTime(RowData row, int eventTimeIndex, int precision) {
        if (row.isNullAt(eventTimeIndex)) {
            return Long.MIN_VALUE;
        }
        return row.getTimestamp(eventTimeIndex, precision).getMillisecond();
    }

    @Override
    public TypeInformation<RowData> getProducedType() {
        return rowType(schema);
    }
}
