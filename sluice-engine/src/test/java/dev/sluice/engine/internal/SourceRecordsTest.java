package dev.sluice.engine.internal;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.sluice.spec.ColumnSpec;
import java.nio.charset.StandardCharsets;
import java.time.LocalDateTime;
import java.util.ArrayList;
import java.util.List;
import org.apache.flink.types.Row;
import org.apache.flink.util.Collector;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.Test;

class SourceRecordsTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final RecordSchema SCHEMA = RecordSchema.of(List.of(
            new ColumnSpec("id", "STRING", null),
            new ColumnSpec("amount", "DECIMAL(6, 2)", null),
            new ColumnSpec("ts", "TIMESTAMP(3)", null)));

    private static final class Rows implements Collector<Row> {
        final List<Row> rows = new ArrayList<>();

        @Override
        public void collect(Row row) {
            rows.add(row);
        }

        @Override
        public void close() {}
    }

    private static Row deserialize(SourceRecords records, String value) {
        Rows out = new Rows();
        records.deserialize(new ConsumerRecord<>("payments", 1, 7, "k".getBytes(StandardCharsets.UTF_8),
                value == null ? null : value.getBytes(StandardCharsets.UTF_8)), out);
        assertThat(out.rows).hasSize(1);
        return out.rows.get(0);
    }

    private static JsonNode deadLetter(Row row) throws Exception {
        byte[] json = (byte[]) row.getField(SCHEMA.size());
        assertThat(json).as("a dead letter").isNotNull();
        for (int i = 0; i < SCHEMA.size(); i++) {
            assertThat(row.getField(i)).as("column " + i + " of a dead letter").isNull();
        }
        return JSON.readTree(json);
    }

    private final SourceRecords records = new SourceRecords("payments", new JsonRecordParser(SCHEMA, "ts"));

    @Test
    void aGoodRecordBecomesItsColumnsAndCoordinates() {
        Row row = deserialize(records, "{\"id\":\"a\",\"amount\":1.5,\"ts\":\"2026-01-01T00:00:00Z\"}");
        assertThat(row.getArity()).isEqualTo(SCHEMA.size() + SourceRecords.META);
        assertThat(row.getField(0)).isEqualTo("a");
        assertThat(row.getField(3)).isNull();
        assertThat(row.getField(4)).isEqualTo(1);
        assertThat(row.getField(5)).isEqualTo(7L);
        assertThat(SourceRecords.eventTime(row, 2)).isEqualTo(1767225600000L);
        assertThat(row.getField(2)).isEqualTo(LocalDateTime.parse("2026-01-01T00:00:00"));
    }

    @Test
    void aHugeDecimalExponentInTextIsADeadLetter() throws Exception {
        JsonNode d = deadLetter(deserialize(records, "{\"id\":\"a\",\"amount\":\"1e999999999\",\"ts\":\"2026-01-01T00:00:00Z\"}"));
        assertThat(d.get("reason").asText()).isEqualTo("field 'amount': number \"1e999999999\" is out of range for DECIMAL(6, 2)");
        assertThat(d.get("kafka_offset").asLong()).isEqualTo(7);
    }

    @Test
    void anEventTimeBeyondTheRangeIsADeadLetterBeforeTheTimestampAssignerSeesIt() throws Exception {
        Row row = deserialize(records, "{\"id\":\"a\",\"ts\":\"+999999999-12-31T23:59:59\"}");
        assertThat(SourceRecords.eventTime(row, 2)).isEqualTo(Long.MIN_VALUE);
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
