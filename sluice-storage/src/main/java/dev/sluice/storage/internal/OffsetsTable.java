package dev.sluice.storage.internal;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.util.Map;
import org.apache.kafka.common.TopicPartition;

/**
 * The table in which a store keeps the next offset to load of every result-topic partition, written in the same
 * transaction as the rows of those offsets. DuckDB and PostgreSQL take the same SQL for it.
 */
public final class OffsetsTable {
    /** The table's name, in the store's default schema. */
    public static final String NAME = "_sluice_offsets";

    private OffsetsTable() {}

    /** Sets the next offsets of these partitions in {@code table} (schema-qualified), inside the caller's transaction. */
    public static void upsert(Connection connection, String table, Map<TopicPartition, Long> offsets) throws SQLException {
        if (offsets.isEmpty()) {
            return;
        }
        StringBuilder sql = new StringBuilder("INSERT INTO " + table + " (topic, \"partition\", next_offset) VALUES ");
        for (int i = 0; i < offsets.size(); i++) {
            sql.append(i == 0 ? "" : ", ").append("(?, ?, ?)");
        }
        sql.append(" ON CONFLICT (topic, \"partition\") DO UPDATE SET next_offset = EXCLUDED.next_offset");
        try (PreparedStatement ps = connection.prepareStatement(sql.toString())) {
            int p = 1;
            for (Map.Entry<TopicPartition, Long> e : offsets.entrySet()) {
                ps.setString(p++, e.getKey().topic());
                ps.setInt(p++, e.getKey().partition());
                ps.setLong(p++, e.getValue());
            }
            ps.execute();
        }
    }
}
