package dev.sluice.engine.internal;

import java.util.Arrays;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.connector.kafka.source.reader.deserializer.KafkaRecordDeserializationSchema;
import org.apache.flink.table.api.DataTypes;
import org.apache.flink.table.runtime.typeutils.ExternalTypeInfo;
import org.apache.flink.types.Row;
import org.apache.flink.util.Collector;
import org.apache.kafka.clients.consumer.ConsumerRecord;

/**
 * Turns Kafka records of one source into rows that carry the parsed columns followed by the record's
 * coordinates ({@link #META} fields). A record that does not parse still produces a row, with the dead-letter
 * JSON in the first meta field, so that bad input flows on to the dead-letter topic instead of failing the job.
 */
public final class SourceRecords implements KafkaRecordDeserializationSchema<Row> {
    private static final long serialVersionUID = 1L;

    /** Meta fields appended after the source's columns. */
    public static final int META = 6;

    private final String sourceName;
    private final JsonRecordParser parser;
    private final int n;

    public SourceRecords(String sourceName, JsonRecordParser parser) {
        this.sourceName = sourceName;
        this.parser = parser;
        this.n = parser.schema().size();
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
        Object[] columns = new Object[n];
        try {
            parser.parse(record.value(), columns);
            System.arraycopy(columns, 0, values, 0, n);
        } catch (JsonRecordParser.BadRecordException e) {
            values[n] = RejectedRecord.toJson(sourceName, record.topic(), record.partition(), record.offset(),
                    record.timestamp(), record.key(), record.value(), e.getMessage());
        }
        values[n + 1] = record.partition();
        values[n + 2] = record.offset();
        values[n + 3] = record.timestamp();
        values[n + 4] = record.key();
        values[n + 5] = record.value();
        out.collect(Row.of(values));
    }

    /** Event time of a row emitted by this schema; dead letters get no time so they never move the watermark. */
    public static long eventTime(Row row, int eventTimeIndex) {
        Object t = row.getField(eventTimeIndex);
        return t == null ? Long.MIN_VALUE : ValueParser.epochMillis(t);
    }

    @Override
    public TypeInformation<Row> getProducedType() {
        return rowType(parser.schema());
    }
}
