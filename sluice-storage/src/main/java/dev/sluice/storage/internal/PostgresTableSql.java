package dev.sluice.storage.internal;

import dev.sluice.spec.ColumnSpec;
import dev.sluice.spec.SinkSpec;
import java.util.ArrayList;
import java.util.List;

/**
 * The SQL one storage table needs in PostgreSQL, built once per table: its DDL, a session-local staging table of
 * {@code text} columns that {@code COPY} fills and that empties itself at every commit, and the set-based statements
 * that move a staged batch into the table.
 *
 * <p>As in DuckDB ({@link TableSql}), the staging table has {@code _sluice_seq} (the record's position in the batch),
 * {@code _sluice_deleted} (tombstone) and one column per table column. For upsert tables the batch is reduced to the
 * last operation per key with {@code DISTINCT ON (key) … ORDER BY key, _sluice_seq DESC}, because PostgreSQL refuses an
 * {@code ON CONFLICT DO UPDATE} that touches a row twice; keys whose last operation is a tombstone are deleted and the
 * others are upserted, which gives the same result as applying the records one by one in order.
 *
 * <p>A deduplicated append table (as in {@link TableSql}) has one more column, {@code _sluice_row_id} ({@code uuid},
 * the {@link RowIds row id} of its values), as its primary key; the staging table carries it as text, and a batch
 * inserts the first row of each id, in batch order, skipping ids already stored.
 */
public final class PostgresTableSql {
    private static final String ROW_ID = Sql.quote("_sluice_row_id");

    private final String table;
    private final String staging;
    private final List<ColumnSpec> columns;
    private final List<ColumnType> types;
    private final List<String> primaryKey;
    private final SinkSpec.Mode mode;
    private final boolean deduplicate;

    /**
     * @param staging     the name of this table's staging table in the writer's session, a plain identifier
     * @param deduplicate an append table whose rows are identified by their row id (see the class comment)
     */
    public PostgresTableSql(String schema, String table, String staging, List<ColumnSpec> columns, List<ColumnType> types,
            List<String> primaryKey, SinkSpec.Mode mode, boolean deduplicate) {
        this.table = Sql.quote(schema) + "." + Sql.quote(table);
        this.staging = Sql.quote(staging);
        this.columns = List.copyOf(columns);
        this.types = List.copyOf(types);
        this.primaryKey = List.copyOf(primaryKey);
        this.mode = mode;
        this.deduplicate = deduplicate;
    }

    public String createTable() {
        StringBuilder sql = new StringBuilder("CREATE TABLE IF NOT EXISTS ").append(table).append(" (");
        for (int i = 0; i < columns.size(); i++) {
            sql.append(i == 0 ? "" : ", ").append(Sql.quote(columns.get(i).name())).append(' ').append(types.get(i).postgresType());
        }
        if (mode == SinkSpec.Mode.UPSERT) {
            sql.append(", PRIMARY KEY (").append(quotedList(primaryKey)).append(')');
        } else if (deduplicate) {
            sql.append(", ").append(ROW_ID).append(" uuid PRIMARY KEY");
        }
        return sql.append(')').toString();
    }

    /** A temporary table of this session that the commit of every transaction empties. */
    public String createStaging() {
        StringBuilder sql = new StringBuilder("CREATE TEMP TABLE IF NOT EXISTS ").append(staging)
                .append(" (_sluice_seq bigint, _sluice_deleted boolean");
        for (ColumnSpec c : columns) {
            sql.append(", ").append(Sql.quote(c.name())).append(" text");
        }
        if (deduplicate) {
            sql.append(", ").append(ROW_ID).append(" text");
        }
        return sql.append(") ON COMMIT DELETE ROWS").toString();
    }

    /**
     * The {@code COPY} that reads CSV rows (sequence, tombstone flag, one field per column, then for a deduplicated table
     * the row id) into the staging table.
     */
    public String copyIntoStaging() {
        return "COPY " + staging + " FROM STDIN WITH (FORMAT csv)";
    }

    /** Deletes the keys whose last operation in the batch is a tombstone (upsert tables only). */
    public String deleteTombstoned() {
        StringBuilder sql = new StringBuilder("DELETE FROM ").append(table).append(" AS _target USING (").append(lastPerKey())
                .append(") AS _last WHERE _last._sluice_deleted");
        for (String k : primaryKey) {
            sql.append(" AND _target.").append(Sql.quote(k)).append(" = _last.").append(Sql.quote(k));
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
                updates.add(Sql.quote(c.name()) + " = EXCLUDED." + Sql.quote(c.name()));
            }
        }
        return updates.isEmpty() ? sql.append("NOTHING").toString() : sql.append("UPDATE SET ").append(String.join(", ", updates)).toString();
    }

    /**
     * Inserts every staged row in batch order (append tables only); for a deduplicated table only the first row of each
     * id, and none whose id is already stored.
     */
    public String appendRows() {
        if (deduplicate) {
            String names = quotedList(columnNames());
            return "INSERT INTO " + table + " (" + names + ", " + ROW_ID + ") SELECT " + names + ", " + ROW_ID
                    + " FROM (SELECT DISTINCT ON (" + ROW_ID + ") * FROM (" + typed() + ") AS _typed ORDER BY " + ROW_ID
                    + ", _sluice_seq) AS _first ORDER BY _sluice_seq ON CONFLICT (" + ROW_ID + ") DO NOTHING";
        }
        return "INSERT INTO " + table + " (" + quotedList(columnNames()) + ") SELECT " + quotedList(columnNames())
                + " FROM (" + typed() + ") AS _typed ORDER BY _sluice_seq";
    }

    private String typed() {
        StringBuilder sql = new StringBuilder("SELECT _sluice_seq, _sluice_deleted");
        for (int i = 0; i < columns.size(); i++) {
            String name = Sql.quote(columns.get(i).name());
            sql.append(", CAST(").append(name).append(" AS ").append(types.get(i).postgresType()).append(") AS ").append(name);
        }
        if (deduplicate) {
            sql.append(", CAST(").append(ROW_ID).append(" AS uuid) AS ").append(ROW_ID);
        }
        return sql.append(" FROM ").append(staging).toString();
    }

    private String lastPerKey() {
        // On the typed key, so that two spellings of one value still count as the same key.
        String key = quotedList(primaryKey);
        return "SELECT DISTINCT ON (" + key + ") * FROM (" + typed() + ") AS _typed ORDER BY " + key + ", _sluice_seq DESC";
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
