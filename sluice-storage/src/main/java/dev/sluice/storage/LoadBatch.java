package dev.sluice.storage;

import java.util.ArrayList;
import java.util.BitSet;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import org.apache.kafka.common.TopicPartition;

/**
 * Everything one {@link ResultStore#write} applies in a single transaction: rows and tombstones for several tables,
 * records that were rejected, and the next offset to consume per topic partition. Because the offsets commit
 * together with the rows, a restart resumes exactly after the last written batch.
 *
 * <p>Values are canonical text (as {@link ResultLoader} produces from the wire format, see
 * {@link TableDefinition}); the store casts them to the column types in one set-based statement per table. Order
 * matters within a table: a tombstone followed by a row for the same key leaves the row, a row followed by a
 * tombstone leaves nothing. Tables are named as {@code schema.table} ({@link TableDefinition#qualifiedName()}), or by their
 * name alone for tables of the default schema.
 *
 * <pre>{@code
 * LoadBatch batch = LoadBatch.builder()
 *         .row("sales", "m-1", "2026-11-24T15:00:00", "12.50")
 *         .tombstone("sales", "m-2", "2026-11-24T15:00:00")
 *         .nextOffset(new TopicPartition("sales-results", 0), 42)
 *         .build();
 * store.write(batch);
 * }</pre>
 */
public final class LoadBatch {
    private final Map<String, TableChanges> changes;
    private final List<RejectedRecord> rejected;
    private final Map<TopicPartition, Long> nextOffsets;
    private final int rowCount;

    private LoadBatch(Builder b) {
        this.changes = Collections.unmodifiableMap(new LinkedHashMap<>(b.changes));
        this.rejected = List.copyOf(b.rejected);
        this.nextOffsets = Collections.unmodifiableMap(new LinkedHashMap<>(b.nextOffsets));
        int rows = 0;
        for (TableChanges c : changes.values()) {
            rows += c.size();
        }
        this.rowCount = rows;
    }

    public static Builder builder() {
        return new Builder();
    }

    /** The next offset to consume per partition, committed with the rows. */
    public Map<TopicPartition, Long> nextOffsets() {
        return nextOffsets;
    }

    public List<RejectedRecord> rejected() {
        return rejected;
    }

    /** Rows plus tombstones over all tables (rejected records not counted). */
    public int rowCount() {
        return rowCount;
    }

    /** Rows plus tombstones per table, in the order the tables were first used. */
    public Map<String, Integer> rowCounts() {
        Map<String, Integer> counts = new LinkedHashMap<>();
        changes.forEach((table, c) -> counts.put(table, c.size()));
        return counts;
    }

    /** True when there is nothing to write: no rows, no rejects, no offsets. */
    public boolean isEmpty() {
        return rowCount == 0 && rejected.isEmpty() && nextOffsets.isEmpty();
    }

    Map<String, TableChanges> changes() {
        return changes;
    }

    /** The changes to one table in arrival order; tombstones carry only the key values. */
    static final class TableChanges {
        final List<String[]> values = new ArrayList<>();
        final BitSet tombstones = new BitSet();

        int size() {
            return values.size();
        }
    }

    /** Collects one batch; not thread-safe, use once. */
    public static final class Builder {
        private final Map<String, TableChanges> changes = new LinkedHashMap<>();
        private final List<RejectedRecord> rejected = new ArrayList<>();
        private final Map<TopicPartition, Long> nextOffsets = new LinkedHashMap<>();

        private Builder() {}

        /**
         * A row for {@code table}: upserted by key in an upsert table, added in an append table.
         *
         * @param values canonical text per column in table order; null is SQL NULL
         */
        public Builder row(String table, String... values) {
            changes.computeIfAbsent(Objects.requireNonNull(table, "table"), t -> new TableChanges()).values.add(values.clone());
            return this;
        }

        /**
         * Deletes the row with this key from upsert table {@code table}.
         *
         * @param keyValues canonical text per primary-key column in primary-key order
         */
        public Builder tombstone(String table, String... keyValues) {
            TableChanges c = changes.computeIfAbsent(Objects.requireNonNull(table, "table"), t -> new TableChanges());
            c.tombstones.set(c.values.size());
            c.values.add(keyValues.clone());
            return this;
        }

        public Builder reject(RejectedRecord record) {
            rejected.add(Objects.requireNonNull(record, "record"));
            return this;
        }

        /** The offset of the next record to consume from {@code partition} once this batch is written. */
        public Builder nextOffset(TopicPartition partition, long nextOffset) {
            if (nextOffset < 0) {
                throw new IllegalArgumentException("next offset of " + partition + " must be >= 0, got " + nextOffset);
            }
            nextOffsets.put(Objects.requireNonNull(partition, "partition"), nextOffset);
            return this;
        }

        /** Rows plus tombstones added so far. */
        public int rowCount() {
            int rows = 0;
            for (TableChanges c : changes.values()) {
                rows += c.size();
            }
            return rows;
        }

        public LoadBatch build() {
            return new LoadBatch(this);
        }
    }
}
