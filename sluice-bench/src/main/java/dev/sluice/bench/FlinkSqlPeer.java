package dev.sluice.bench;

import java.math.BigDecimal;
import java.time.LocalDateTime;
import java.time.ZoneOffset;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.flink.table.api.EnvironmentSettings;
import org.apache.flink.table.api.TableEnvironment;
import org.apache.flink.table.api.TableResult;
import org.apache.flink.types.Row;
import org.apache.flink.util.CloseableIterator;

/** Plain Flink SQL: the Kafka table connector with {@code 'format'='json'} and the same TUMBLE query as Sluice's pipeline. */
final class FlinkSqlPeer implements Peer {
    private final int parallelism;

    FlinkSqlPeer(int parallelism) {
        this.parallelism = parallelism;
    }

    @Override
    public String name() {
        return "Flink SQL ('format'='json')";
    }

    @Override
    public PeerRun run(String bootstrapServers, String topic, long events) throws Exception {
        long cpu = Cpu.nanos();
        long start = System.nanoTime();
        TableEnvironment tables = TableEnvironment.create(EnvironmentSettings.inStreamingMode());
        tables.getConfig().set("parallelism.default", Integer.toString(parallelism));
        tables.getConfig().set("table.local-time-zone", "UTC");
        tables.executeSql("CREATE TABLE payments (payment_id STRING, card_id STRING, merchant_id STRING, amount DECIMAL(12, 2),"
                + " currency STRING, country STRING, ts TIMESTAMP_LTZ(3), WATERMARK FOR ts AS ts - INTERVAL '5' SECOND) WITH ("
                + "'connector' = 'kafka', 'topic' = '" + topic + "', 'properties.bootstrap.servers' = '" + bootstrapServers + "',"
                + " 'properties.group.id' = 'peer-sql', 'scan.startup.mode' = 'earliest-offset',"
                + " 'scan.bounded.mode' = 'latest-offset', 'format' = 'json', 'json.timestamp-format.standard' = 'ISO-8601')");
        TableResult result = tables.executeSql("SELECT merchant_id, window_start, COUNT(*) AS payments, SUM(amount) AS revenue"
                + " FROM TABLE(TUMBLE(TABLE payments, DESCRIPTOR(ts), INTERVAL '10' SECOND))"
                + " GROUP BY window_start, window_end, merchant_id");
        Map<List<Object>, long[]> windows = new HashMap<>();
        try (CloseableIterator<Row> rows = result.collect()) {
            while (rows.hasNext()) {
                Row r = rows.next();
                long windowStart = ((LocalDateTime) r.getField(1)).toInstant(ZoneOffset.UTC).toEpochMilli();
                long cents = ((BigDecimal) r.getField(3)).movePointRight(2).longValueExact();
                windows.put(List.of((String) r.getField(0), windowStart), new long[] {(Long) r.getField(2), cents});
            }
        }
        return new PeerRun(windows, (System.nanoTime() - start) / 1e9, (Cpu.nanos() - cpu) / 1e9, "time includes SQL planning");
    }
}
