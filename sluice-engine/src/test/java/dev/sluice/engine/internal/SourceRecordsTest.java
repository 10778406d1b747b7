package dev.sluice.engine.internal;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.sluice.spec.ColumnSpec;
import java.nio.charset.StandardCharsets;
import java.time.LocalDateTime;
import java.util.ArrayList;
import java.util.List;
import org.apache.flink.table.data.DecimalData;
import org.apache.flink.table.data.RowData;
import org.apache.flink.table.data.StringData;
import org.apache.flink.table.data.TimestampData;
import java.math.BigDecimal;
import org.apache.flink.util.Collector;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.Test;

class SourceRecordsTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final RecordSchema SCHEMA = RecordSchema.of(List.of(
            new ColumnSpec("id", "STRING", null),
            new ColumnSpec("amount", "DECIMAL(6, 2)", null),
            new ColumnSpec("ts", "TIMESTAMP(3)", null)));

    private static final class Rows implements Collector<RowData> {
        final List<RowData> rows = new ArrayList<>();

        @Override
        public void collect(RowData row) {
            rows.add(row);
        }

        @Override
        public void close() {}
    }

    private static RowData deserialize(SourceRecords records, String value) {
        Rows out = new Rows();
        records.deserialize(new ConsumerRecord<>("payments", 1, 7, "k".getBytes(StandardCharsets.UTF_8),
                value == null ? null : value.getBytes(StandardCharsets.UTF_8)), out);
        assertThat(out.rows).hasSize(1);
        return out.rows.get(0);
    }

    private static JsonNode deadLetter(RowData row) throws Exception {
        assertThat(row.isNullAt(SCHEMA.size())).as("a dead letter").isFalse();
        byte[] json = row.getBinary(SCHEMA.size());
        for (int i = 0; i < SCHEMA.size(); i++) {
            assertThat(row.isNullAt(i)).as("column " + i + " of a dead letter").isTrue();
        }
        return JSON.readTree(json);
    }

    private final SourceRecords records = new SourceRecords("payments", new JsonRecordParser(SCHEMA, "ts"));

    @Test
    void aGoodRecordBecomesItsColumnsInFlinksInternalFormAndItsCoordinates() {
        RowData row = deserialize(records, "{\"id\":\"a\",\"amount\":1.5,\"ts\":\"2026-01-01T00:00:00.123Z\"}");
        assertThat(row.getArity()).isEqualTo(SCHEMA.size() + SourceRecords.META);
        assertThat(row.getString(0)).isEqualTo(StringData.fromString("a"));
        assertThat(row.getDecimal(1, 6, 2)).isEqualTo(DecimalData.fromBigDecimal(new BigDecimal("1.50"), 6, 2));
        assertThat(row.getTimestamp(2, 3)).isEqualTo(TimestampData.fromLocalDateTime(LocalDateTime.parse("2026-01-01T00:00:00.123")));
        assertThat(row.isNullAt(3)).as("no dead letter").isTrue();
        assertThat(row.getInt(4)).isEqualTo(1);
        assertThat(row.getLong(5)).isEqualTo(7L);
        assertThat(row.getBinary(7)).isEqualTo("k".getBytes(StandardCharsets.UTF_8));
        assertThat(SourceRecords.eventTime(row, 2, 3)).isEqualTo(1767225600123L);
    }

    @Test
    void aHugeDecimalExponentInTextIsADeadLetter() throws Exception {
        JsonNode d = deadLetter(deserialize(records, "{\"id\":\"a\",\"amount\":\"1e999999999\",\"ts\":\"2026-01-01T00:00:00Z\"}"));
        assertThat(d.get("reason").asText()).isEqualTo("field 'amount': number \"1e999999999\" is out of range for DECIMAL(6, 2)");
        assertThat(d.get("kafka_offset").asLong()).isEqualTo(7);
    }

    @Test
    void anEventTimeBeyondTheRangeIsADeadLetterBeforeTheTimestampAssignerSeesIt() throws Exception {
        RowData row = deserialize(records, "{\"id\":\"a\",\"ts\":\"+999999999-12-31T23:59:59\"}");
        assertThat(SourceRecords.eventTime(row, 2, 3)).isEqualTo(Long.MIN_VALUE);
        assertThat(deadLetter(row).get("reason").asText())
                .isEqualTo("field 'ts': value \"+999999999-12-31T23:59:59\" is out of range for TIMESTAMP(3) (years 0000 to 9999)");
    }

    @Test
    void anyExceptionWhileReadingARecordIsADeadLetterNamingIt() throws Exception {
        SourceRecords failing = new SourceRecords("payments", SCHEMA, (value, values) -> {
            values[0] = "half-read";
            throw new IllegalStateException("something no rule foresaw");
        });
        JsonNode d = deadLetter(deserialize(failing, "{}"));
        assertThat(d.get("reason").asText())
                .isEqualTo("cannot read the record: java.lang.IllegalStateException: something no rule foresaw");
    }
}
