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
 */
public final class PostgresTableSql {
    private final String table;
    private final String staging;
    private final List<ColumnSpec> columns;
    private final List<ColumnType> types;
    private final List<String> primaryKey;
    private final SinkSpec.Mode mode;

    /** @param staging the name of this table's staging table in the writer's session, a plain identifier */
    public PostgresTableSql(String schema, String table, String staging, List<ColumnSpec> columns, List<ColumnType> types,
            List<String> primaryKey, SinkSpec.Mode mode) {
        this.table = Sql.quote(schema) + "." + Sql.quote(table);
        this.staging = Sql.quote(staging);
        this.columns = List.copyOf(columns);
        this.types = List.copyOf(types);
        this.primaryKey = List.copyOf(primaryKey);
        this.mode = mode;
    }

    public String createTable() {
        StringBuilder sql = new StringBuilder("CREATE TABLE IF NOT EXISTS ").append(table).append(" (");
        for (int i = 0; i < columns.size(); i++) {
            sql.append(i == 0 ? "" : ", ").append(Sql.quote(columns.get(i).name())).append(' ').append(types.get(i).postgresType());
        }
        if (mode == SinkSpec.Mode.UPSERT) {
            sql.append(", PRIMARY KEY (").append(quotedList(primaryKey)).append(')');
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
        return sql.append(") ON COMMIT DELETE ROWS").toString();
    }

    /** The {@code COPY} that reads CSV rows (sequence, tombstone flag, then one field per column) into the staging table. */
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

    /** Inserts every staged row in batch order (append tables only). */
    public String appendRows() {
        return "INSERT INTO " + table + " (" + quotedList(columnNames()) + ") SELECT " + quotedList(columnNames())
                + " FROM (" + typed() + ") AS _typed ORDER BY _sluice_seq";
    }

    private String typed() {
        StringBuilder sql = new StringBuilder("SELECT _sluice_seq, _sluice_deleted");
        for (int i = 0; i < columns.size(); i++) {
            String name = Sql.quote(columns.get(i).name());
            sql.append(", CAST(").append(name).append(" AS ").append(types.get(i).postgresType()).append(") AS ").append(name);
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
