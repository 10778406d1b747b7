package dev.sluice.storage;

import dev.sluice.spec.ColumnSpec;
import dev.sluice.spec.SinkSpec;
import dev.sluice.storage.internal.ColumnType;
import java.util.HashSet;
import java.util.List;
import java.util.Objects;
import java.util.Set;

/**
 * A storage table fed by a result topic: which topic, which columns (Flink SQL types), which primary key, and
 * whether rows are upserted or appended. The engine produces one per sink; {@link ResultStore#ensureTable} creates
 * the table and {@link ResultLoader} fills it.
 *
 * <h2>Result topic wire format</h2>
 * The engine writes exactly this, and the loader accepts nothing else:
 * <ul>
 *   <li><b>Key</b>: for {@link SinkSpec.Mode#UPSERT} tables, a JSON object of the primary-key columns, e.g.
 *       {@code {"merchant_id":"m-1","window_start":"2026-11-24T15:00:00"}}; for {@link SinkSpec.Mode#APPEND} tables
 *       the key is null.</li>
 *   <li><b>Value</b>: a JSON object column name to value for every column. A null value (tombstone) deletes the row
 *       with that key (upsert tables only). A missing column is NULL; a missing or null primary-key column makes the
 *       record invalid. Unknown fields are ignored.</li>
 *   <li><b>Encodings</b>: STRING, VARCHAR, CHAR as a JSON string; BOOLEAN as {@code true}/{@code false}; TINYINT,
 *       SMALLINT, INT, BIGINT as a JSON integer within range; FLOAT, DOUBLE as a JSON number (or the strings
 *       {@code "NaN"}, {@code "Infinity"}, {@code "-Infinity"}); DECIMAL(p, s) as a JSON number written exactly, with
 *       at most s fractional and p - s integer digits (read as {@link java.math.BigDecimal}, never through double);
 *       DATE as {@code "2026-11-24"}; TIME as {@code "15:00:00"}; TIMESTAMP(p) as {@code "2026-11-24T15:00:00.123"}
 *       (ISO local time, no zone, meaning UTC); TIMESTAMP_LTZ(p) as {@code "2026-11-24T15:00:00.123Z"}. A space instead
 *       of the {@code T} (Flink's SQL timestamp format) is accepted too. JSON null is SQL NULL.</li>
 * </ul>
 * A record that does not follow this is not loaded; it goes to the {@code _sluice_rejected} table with the reason.
 *
 * <h2>DuckDB types</h2>
 * STRING/VARCHAR/CHAR become VARCHAR, INT becomes INTEGER, FLOAT becomes REAL, DECIMAL(p, s) stays DECIMAL(p, s),
 * TIMESTAMP(p) becomes TIMESTAMP and TIMESTAMP_LTZ(p) becomes TIMESTAMPTZ (both with microsecond precision; finer
 * digits are truncated); the others keep their names. Upsert tables get a PRIMARY KEY; on append tables a primary
 * key is documentation only, because an append view may emit the same key twice.
 *
 * @param schema the storage schema that holds the table: one per pipeline (its name), so that two pipelines may both
 *     have a table {@code alerts}; {@value #DEFAULT_SCHEMA} for tables that belong to no pipeline
 * @param name the table name in storage; names starting with {@code _sluice} are reserved
 * @param topic the result topic that feeds it
 * @param columns the columns in table order, with canonical Flink SQL types
 * @param primaryKey the primary-key columns; required for upsert tables
 * @param mode whether a row replaces the row with the same key or is added
 * @param deduplicate append tables only: each row is identified by its content (all its values), kept in an extra
 *     column {@value #ROW_ID_COLUMN} that is the table's primary key, and a row whose id is already stored is dropped.
 *     That makes loading idempotent for results written at-least-once (a pipeline's low-latency delivery): rows replayed
 *     after a restart are not stored twice. Two equal rows are stored once, so the view should select a column that
 *     tells its rows apart (an event id, a window's bounds).
 */
public record TableDefinition(String schema, String name, String topic, List<ColumnSpec> columns, List<String> primaryKey,
        SinkSpec.Mode mode, boolean deduplicate) {
    /** The extra column of a {@linkplain #deduplicate() deduplicated} append table: the row's id, a hash of its values. */
    public static final String ROW_ID_COLUMN = "_sluice_row_id";
    /** DuckDB's default schema, which also holds Sluice's own tables ({@code _sluice_offsets}, {@code _sluice_rejected}). */
    public static final String DEFAULT_SCHEMA = "main";
    private static final java.util.regex.Pattern SCHEMA = java.util.regex.Pattern.compile("[a-z][a-z0-9_]{0,62}");

    public TableDefinition {
        Objects.requireNonNull(mode, "mode");
        if (schema == null || !SCHEMA.matcher(schema).matches() || schema.equals("temp") || schema.equals("information_schema")
                || schema.equals("pg_catalog")) {
            throw new StorageException("Table '" + name + "' has the schema " + (schema == null ? "null" : "'" + schema + "'")
                    + "; expected a lower-case name of letters, digits and underscores other than temp, information_schema and pg_catalog");
        }
        if (name == null || name.isBlank()) {
            throw new StorageException("A storage table needs a name; got " + (name == null ? "null" : "'" + name + "'"));
        }
        if (name.startsWith("_sluice")) {
            throw new StorageException("Table name '" + name + "' is reserved: names starting with '_sluice' are Sluice's own tables");
        }
        if (topic == null || topic.isBlank()) {
            throw new StorageException("Table '" + name + "' needs a result topic; got " + (topic == null ? "null" : "'" + topic + "'"));
        }
        columns = List.copyOf(columns);
        primaryKey = List.copyOf(primaryKey);
        if (columns.isEmpty()) {
            throw new StorageException("Table '" + name + "' needs at least one column");
        }
        Set<String> names = new HashSet<>();
        for (ColumnSpec c : columns) {
            String where = c.location() == null ? "" : " (at " + c.location() + ")";
            if (c.name() == null || c.name().isBlank() || c.name().startsWith("_sluice_")) {
                throw new StorageException("Table '" + name + "' has an invalid column name '" + c.name() + "'" + where
                        + "; expected a non-blank name not starting with '_sluice_'");
            }
            if (!names.add(c.name())) {
                throw new StorageException("Table '" + name + "' has column '" + c.name() + "' twice" + where);
            }
            if (ColumnType.parse(c.type()).isEmpty()) {
                throw new StorageException("Table '" + name + "' column '" + c.name() + "' has type '" + c.type() + "'" + where
                        + ", which storage does not support; expected one of STRING, VARCHAR(n), CHAR(n), BOOLEAN, TINYINT, "
                        + "SMALLINT, INT, BIGINT, FLOAT, DOUBLE, DECIMAL(p, s), DATE, TIME(p), TIMESTAMP(p), TIMESTAMP_LTZ(p)");
            }
        }
        for (String k : primaryKey) {
            if (!names.contains(k)) {
                throw new StorageException("Table '" + name + "' has primary-key column '" + k + "', which is not one of its columns "
                        + names.stream().sorted().toList());
            }
        }
        if (new HashSet<>(primaryKey).size() != primaryKey.size()) {
            throw new StorageException("Table '" + name + "' lists a primary-key column twice: " + primaryKey);
        }
        if (mode == SinkSpec.Mode.UPSERT && primaryKey.isEmpty()) {
            throw new StorageException("Upsert table '" + name + "' needs a primary key; rows are replaced by key");
        }
        if (deduplicate && mode != SinkSpec.Mode.APPEND) {
            throw new StorageException("Table '" + name + "' is a " + mode + " table and deduplicated; only append tables are"
                    + " deduplicated (an upsert table replaces rows by key, which is idempotent already)");
        }
    }

    /** A table that stores every row it is given (not {@linkplain #deduplicate() deduplicated}). */
    public TableDefinition(String schema, String name, String topic, List<ColumnSpec> columns, List<String> primaryKey,
            SinkSpec.Mode mode) {
        this(schema, name, topic, columns, primaryKey, mode, false);
    }

    /** A table in the default schema {@value #DEFAULT_SCHEMA}. */
    public TableDefinition(String name, String topic, List<ColumnSpec> columns, List<String> primaryKey, SinkSpec.Mode mode) {
        this(DEFAULT_SCHEMA, name, topic, columns, primaryKey, mode);
    }

    /** {@code schema.name}, the key of the table in a {@link LoadBatch}. */
    public String qualifiedName() {
        return schema + "." + name;
    }
}
