package dev.sluice.storage.internal;

import dev.sluice.spec.ColumnSpec;
import dev.sluice.spec.SinkSpec;
import java.util.ArrayList;
import java.util.List;

/**
 * The SQL one storage table needs, built once per table: its DDL, a per-connection staging table of VARCHAR columns
 * that the Appender fills, and the set-based statements that move a staged batch into the table.
 *
 * <p>The staging table has {@code _sluice_seq} (the record's position in the batch), {@code _sluice_deleted} (tombstone) and one
 * VARCHAR per column. For upsert tables the batch is reduced to the last operation per key
 * ({@code QUALIFY row_number() OVER (PARTITION BY key ORDER BY _sluice_seq DESC) = 1}), because DuckDB refuses an
 * {@code ON CONFLICT DO UPDATE} that touches a row twice; keys whose last operation is a tombstone are deleted and the
 * others are upserted. That gives the same result as applying the records one by one in order.
 *
 * <p>A deduplicated append table has one more column, {@code _sluice_row_id} (a UUID computed from the row's values, see
 * {@link RowIds}); its staging table carries the id as a UUID (appended as two longs, no text). The store drops the rows
 * a replay brings again before it stages them (see {@link ReplayWindow}), so the insert is a plain one. Tables created
 * before that have the row id as their primary key; their insert keeps {@code ON CONFLICT DO NOTHING} on it
 * ({@code keyedRowIds}).
 */
public final class TableSql {
    private static final String ROW_ID = Sql.quote("_sluice_row_id");
    private final String name;
    private final String table;
    private final String staging;
    private final List<ColumnSpec> columns;
    private final List<ColumnType> types;
    private final List<String> primaryKey;
    private final SinkSpec.Mode mode;
    private final boolean deduplicate;
    private final boolean keyedRowIds;

    public TableSql(String schema, String table, List<ColumnSpec> columns, List<ColumnType> types, List<String> primaryKey,
            SinkSpec.Mode mode) {
        this(schema, table, columns, types, primaryKey, mode, false, false);
    }

    /**
     * @param deduplicate an append table whose rows are identified by a {@link RowIds row id} (see the class comment)
     * @param keyedRowIds the existing table has the row id as its primary key (created before the replay window)
     */
    public TableSql(String schema, String table, List<ColumnSpec> columns, List<ColumnType> types, List<String> primaryKey,
            SinkSpec.Mode mode, boolean deduplicate, boolean keyedRowIds) {
        // The dot keeps staging names apart where an underscore would not: schema a_b table c, schema a table b_c.
        this.name = schema + "." + table;
        this.table = Sql.quote(schema) + "." + Sql.quote(table);
        this.staging = "temp.main." + Sql.quote("_stage_" + name);
        this.columns = List.copyOf(columns);
        this.types = List.copyOf(types);
        this.primaryKey = List.copyOf(primaryKey);
        this.mode = mode;
        this.deduplicate = deduplicate;
        this.keyedRowIds = deduplicate && keyedRowIds;
    }

    /** The name of the staging table (catalog {@code temp}, schema {@code main}), for the Appender. */
    public String stagingName() {
        return "_stage_" + name;
    }

    public String createTable() {
        StringBuilder sql = new StringBuilder("CREATE TABLE IF NOT EXISTS ").append(table).append(" (");
        for (int i = 0; i < columns.size(); i++) {
            sql.append(i == 0 ? "" : ", ").append(Sql.quote(columns.get(i).name())).append(' ').append(types.get(i).duckDbType());
        }
        if (mode == SinkSpec.Mode.UPSERT) {
            sql.append(", PRIMARY KEY (").append(quotedList(primaryKey)).append(')');
        } else if (deduplicate) {
            sql.append(", ").append(ROW_ID).append(" UUID");
        }
        return sql.append(')').toString();
    }

    public String createStaging() {
        StringBuilder sql = new StringBuilder("CREATE OR REPLACE TEMP TABLE ").append(Sql.quote(stagingName()))
                .append(" (_sluice_seq BIGINT, _sluice_deleted BOOLEAN");
        for (ColumnSpec c : columns) {
            sql.append(", ").append(Sql.quote(c.name())).append(" VARCHAR");
        }
        if (deduplicate) {
            sql.append(", ").append(ROW_ID).append(" UUID");
        }
        return sql.append(')').toString();
    }

    public String clearStaging() {
        return "DELETE FROM " + staging;
    }

    /** Deletes the keys whose last operation in the batch is a tombstone (upsert tables only). */
    public String deleteTombstoned() {
        StringBuilder sql = new StringBuilder("DELETE FROM ").append(table).append(" USING (").append(lastPerKey())
                .append(") AS _last WHERE _last._sluice_deleted");
        for (String k : primaryKey) {
            sql.append(" AND ").append(table).append('.').append(Sql.quote(k)).append(" = _last.").append(Sql.quote(k));
        }
        return sql.toString();
    }

    /** Inserts or replaces the keys whose last operation in the batch is a row (upsert tables only). */
    public String upsertRows() {
        StringBuilder sql = new StringBuilder("INSERT INTO ").append(table).append(" (").append(quotedList(columnNames()))
                .append(") SELECT ").append(quotedList(columnNames())).append(" FROM (").append(lastPerKey())
                .append(") AS _last WHERE NOT _last._sluice_deleted ON CONFLICT (").append(quotedList(primaryKey)).append(") DO ");
        List<String> updates = new ArrayList<>();
        for (ColumnSpec c : columns) {
            if (!primaryKey.contains(c.name())) {
                updates.add(Sql.quote(c.name()) + " = excluded." + Sql.quote(c.name()));
            }
        }
        return updates.isEmpty() ? sql.append("NOTHING").toString() : sql.append("UPDATE SET ").append(String.join(", ", updates)).toString();
    }

    /**
     * Inserts every staged row in batch order (append tables only); for a deduplicated table with its row id, and, where
     * the row id is the table's primary key, only when the table does not hold that id yet.
     */
    public String appendRows() {
        if (deduplicate) {
            String names = quotedList(columnNames());
            return "INSERT INTO " + table + " (" + names + ", " + ROW_ID + ") SELECT " + names + ", " + ROW_ID + " FROM (" + typed()
                    + ") AS _typed" + (keyedRowIds ? " ON CONFLICT (" + ROW_ID + ") DO NOTHING" : " ORDER BY _sluice_seq");
        }
        return "INSERT INTO " + table + " (" + quotedList(columnNames()) + ") SELECT " + quotedList(columnNames())
                + " FROM (" + typed() + ") AS _typed ORDER BY _sluice_seq";
    }

    private String typed() {
        StringBuilder sql = new StringBuilder("SELECT _sluice_seq, _sluice_deleted");
        for (int i = 0; i < columns.size(); i++) {
            String name = Sql.quote(columns.get(i).name());
            sql.append(", CAST(").append(name).append(" AS ").append(types.get(i).duckDbType()).append(") AS ").append(name);
        }
        if (deduplicate) {
            sql.append(", ").append(ROW_ID);
        }
        return sql.append(" FROM ").append(staging).toString();
    }

    private String lastPerKey() {
        // Partition on the typed key, so that two spellings of one value still count as the same key.
        return "SELECT * FROM (" + typed() + ") AS _typed QUALIFY row_number() OVER (PARTITION BY "
                + quotedList(primaryKey) + " ORDER BY _sluice_seq DESC) = 1";
    }

    private List<String> columnNames() {
        List<String> names = new ArrayList<>(columns.size());
        for (ColumnSpec c : columns) {
            names.add(c.name());
        }
        return names;
    }

    private static String quotedList(List<String> names) {
        StringBuilder sql = new StringBuilder();
        for (int i = 0; i < names.size(); i++) {
            sql.append(i == 0 ? "" : ", ").append(Sql.quote(names.get(i)));
        }
        return sql.toString();
    }
}
