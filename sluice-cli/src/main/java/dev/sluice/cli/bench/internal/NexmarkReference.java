package dev.sluice.cli.bench.internal;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.sluice.SluiceException;
import java.io.IOException;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.flink.api.common.eventtime.WatermarkStrategy;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.common.serialization.AbstractDeserializationSchema;
import org.apache.flink.connector.kafka.source.KafkaSource;
import org.apache.flink.connector.kafka.source.enumerator.initializer.OffsetsInitializer;
import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.table.api.DataTypes;
import org.apache.flink.table.api.Schema;
import org.apache.flink.table.api.bridge.java.StreamTableEnvironment;
import org.apache.flink.table.runtime.typeutils.ExternalTypeInfo;
import org.apache.flink.table.types.DataType;
import org.apache.flink.types.Row;
import org.apache.flink.types.RowKind;
import org.apache.flink.util.CloseableIterator;

/**
 * Plain Flink SQL on the Nexmark topics, outside Sluice's compiler: each topic read to its end by a bounded Kafka source,
 * its JSON turned into rows with Jackson, with the same watermark as Sluice's sources (5 s, per partition, in the source),
 * registered as a table that takes the source's watermarks, and
 * the scenario's query run on it. The changelog it produces is applied to a multiset: the final rows, as a table that
 * applies every change would hold them.
 */
final class NexmarkReference {
    private static final Map<String, LinkedHashMap<String, DataType>> SCHEMAS = new HashMap<>();

    static {
        LinkedHashMap<String, DataType> person = new LinkedHashMap<>();
        person.put("id", DataTypes.BIGINT());
        person.put("name", DataTypes.STRING());
        person.put("email_address", DataTypes.STRING());
        person.put("credit_card", DataTypes.STRING());
        person.put("city", DataTypes.STRING());
        person.put("state", DataTypes.STRING());
        person.put("date_time", DataTypes.TIMESTAMP(3));
        person.put("extra", DataTypes.STRING());
        LinkedHashMap<String, DataType> auction = new LinkedHashMap<>();
        auction.put("id", DataTypes.BIGINT());
        auction.put("item_name", DataTypes.STRING());
        auction.put("description", DataTypes.STRING());
        auction.put("initial_bid", DataTypes.BIGINT());
        auction.put("reserve", DataTypes.BIGINT());
        auction.put("date_time", DataTypes.TIMESTAMP(3));
        auction.put("expires", DataTypes.TIMESTAMP(3));
        auction.put("seller", DataTypes.BIGINT());
        auction.put("category", DataTypes.BIGINT());
        auction.put("extra", DataTypes.STRING());
        LinkedHashMap<String, DataType> bid = new LinkedHashMap<>();
        bid.put("auction", DataTypes.BIGINT());
        bid.put("bidder", DataTypes.BIGINT());
        bid.put("price", DataTypes.BIGINT());
        bid.put("channel", DataTypes.STRING());
        bid.put("url", DataTypes.STRING());
        bid.put("date_time", DataTypes.TIMESTAMP(3));
        bid.put("extra", DataTypes.STRING());
        SCHEMAS.put("person", person);
        SCHEMAS.put("auction", auction);
        SCHEMAS.put("bid", bid);
    }

    private NexmarkReference() {}

    /** The source schema of {@code topic} as the pipeline file writes it ({@code name: TYPE} lines, indented). */
    static String yamlSchema(String topic, String indent) {
        StringBuilder out = new StringBuilder();
        SCHEMAS.get(topic).forEach((name, type) -> out.append(indent).append(name).append(": ").append(type.toString()
                .replace(" NOT NULL", "")).append('\n'));
        return out.toString();
    }

    /** Runs {@code sql} on the topics with plain Flink SQL; the final rows with their multiplicity, values normalised. */
    static Map<List<Object>, Integer> run(String bootstrapServers, String sql, int parallelism) {
        StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment();
        env.setParallelism(parallelism);
        StreamTableEnvironment tables = StreamTableEnvironment.create(env);
        tables.getConfig().set("table.local-time-zone", "UTC");
        for (String topic : NexmarkInput.TOPICS) {
            LinkedHashMap<String, DataType> schema = SCHEMAS.get(topic);
            List<DataTypes.Field> fields = new ArrayList<>();
            Schema.Builder tableSchema = Schema.newBuilder();
            schema.forEach((name, type) -> {
                fields.add(DataTypes.FIELD(name, type));
                tableSchema.column(name, type);
            });
            tableSchema.watermark("date_time", "SOURCE_WATERMARK()");
            // Watermarks per Kafka partition, in the source, as Sluice's sources make them: a watermark made after the
            // source would advance with whichever partition a reader fetched most and call the others' events late.
            int timeField = new ArrayList<>(schema.keySet()).indexOf("date_time");
            WatermarkStrategy<Row> watermarks = WatermarkStrategy.<Row>forBoundedOutOfOrderness(Duration.ofSeconds(5))
                    .withTimestampAssigner((row, previous) ->
                            ((LocalDateTime) row.getField(timeField)).toInstant(ZoneOffset.UTC).toEpochMilli());
            KafkaSource<Row> source = KafkaSource.<Row>builder()
                    .setBootstrapServers(bootstrapServers)
                    .setTopics(topic)
                    .setGroupId("sluice-bench-reference-" + topic)
                    .setStartingOffsets(OffsetsInitializer.earliest())
                    .setBounded(OffsetsInitializer.latest())
                    .setValueOnlyDeserializer(new ToRow(new ArrayList<>(schema.keySet()), topic,
                            ExternalTypeInfo.of(DataTypes.ROW(fields.toArray(DataTypes.Field[]::new)).bridgedTo(Row.class))))
                    .build();
            DataStream<Row> rows = env.fromSource(source, watermarks, "reference: " + topic);
            tables.createTemporaryView(topic, tables.fromDataStream(rows, tableSchema.build()));
        }
        Map<List<Object>, Integer> result = new HashMap<>();
        try (CloseableIterator<Row> changes = tables.sqlQuery(sql).execute().collect()) {
            while (changes.hasNext()) {
                Row r = changes.next();
                List<Object> values = new ArrayList<>(r.getArity());
                for (int i = 0; i < r.getArity(); i++) {
                    values.add(normal(r.getField(i)));
                }
                int delta = r.getKind() == RowKind.INSERT || r.getKind() == RowKind.UPDATE_AFTER ? 1 : -1;
                result.merge(values, delta, (a, b) -> a + b == 0 ? null : a + b);
            }
        } catch (Exception e) {
            throw new SluiceException("The plain Flink SQL reference run failed: " + e.getMessage(), e);
        }
        return result;
    }

    /** Timestamps as epoch millis (UTC), numbers as stripped decimals, everything else as it is. */
    static Object normal(Object value) {
        if (value instanceof LocalDateTime t) {
            return t.toInstant(ZoneOffset.UTC).toEpochMilli();
        }
        if (value instanceof java.sql.Timestamp t) {
            return t.toLocalDateTime().toInstant(ZoneOffset.UTC).toEpochMilli();
        }
        if (value instanceof java.time.OffsetDateTime t) {
            return t.toInstant().toEpochMilli();
        }
        Object n = Expected.normal(value);
        if (n instanceof java.math.BigDecimal || !(n instanceof Number number)) {
            return n;
        }
        return new java.math.BigDecimal(number.toString()).stripTrailingZeros();
    }

    /** JSON -> row of the topic's schema. */
    static final class ToRow extends AbstractDeserializationSchema<Row> {
        private final List<String> names;
        private final String topic;
        private transient ObjectMapper json;

        ToRow(List<String> names, String topic, TypeInformation<Row> type) {
            super(type);
            this.names = names;
            this.topic = topic;
        }

        @Override
        public Row deserialize(byte[] value) throws IOException {
            if (json == null) {
                json = new ObjectMapper();
            }
            JsonNode node = json.readTree(value);
            Row row = new Row(names.size());
            LinkedHashMap<String, DataType> schema = SCHEMAS.get(topic);
            for (int i = 0; i < names.size(); i++) {
                JsonNode v = node.get(names.get(i));
                DataType type = schema.get(names.get(i));
                if (v == null || v.isNull()) {
                    row.setField(i, null);
                } else if (type.getLogicalType().getTypeRoot().name().startsWith("TIMESTAMP")) {
                    row.setField(i, LocalDateTime.ofInstant(Instant.parse(v.asText()), ZoneOffset.UTC));
                } else if (type.getLogicalType().getTypeRoot().name().equals("BIGINT")) {
                    row.setField(i, v.asLong());
                } else {
                    row.setField(i, v.asText());
                }
            }
            return row;
        }
    }
}
