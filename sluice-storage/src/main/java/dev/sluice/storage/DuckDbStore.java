package dev.sluice.storage;

import dev.sluice.spec.ColumnSpec;
import dev.sluice.spec.SinkSpec;
import dev.sluice.storage.internal.ColumnType;
import dev.sluice.storage.internal.OffsetsTable;
import dev.sluice.storage.internal.ReplayWindow;
import dev.sluice.storage.internal.RowIds;
import dev.sluice.storage.internal.Sql;
import dev.sluice.storage.internal.TableSql;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import org.apache.kafka.common.TopicPartition;
import org.duckdb.DuckDBAppender;
import org.duckdb.DuckDBConnection;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Storage in one embedded DuckDB file: the tables fed by result topics, the consumed offsets
 * ({@code _sluice_offsets}) and the records that could not be loaded ({@code _sluice_rejected}).
 *
 * <p>{@link #write} applies a {@link LoadBatch} (rows of several tables, rejects, next offsets) in one transaction,
 * so that a restart neither loses nor duplicates rows. It is fast because it never writes row by row: the batch is
 * appended to per-table staging tables with the DuckDB Appender, then moved with one set-based
 * {@code INSERT … SELECT … ON CONFLICT DO UPDATE} (or plain {@code INSERT … SELECT}) per table.
 *
 * <p>Threads: one writer (the loader) uses the store's own connection; the methods that use it are synchronized.
 * Readers ({@link QueryService}, {@link #tables()}) get their own duplicated connections and never wait for a write.
 * The database is opened with external access disabled (no {@code read_csv}, {@code COPY}, {@code ATTACH}), without
 * extension installs or loads, with a memory limit and a thread count ({@link DuckDbSettings}), with time zone UTC, and
 * with its configuration locked, for every connection to it.
 *
 * <pre>{@code
 * try (DuckDbStore store = DuckDbStore.open(Path.of("sluice-data/sluice.duckdb"))) {
 *     store.ensureTable(salesTable);
 *     store.write(LoadBatch.builder().row("sales", "m-1", "12.50").nextOffset(new TopicPartition("sales-results", 0), 1).build());
 *     Map<TopicPartition, Long> resumeAt = store.committedOffsets();
 * }
 * }</pre>
 */
public final class DuckDbStore implements ResultStore {
    private static final Logger LOG = LoggerFactory.getLogger(DuckDbStore.class);
    static final String OFFSETS_TABLE = OffsetsTable.NAME;
    static final String REJECTED_TABLE = "_sluice_rejected";
    private static final String REJECTED_STAGING = "_stage__sluice_rejected";
    /** The ids of the rows of deduplicated append tables that a replay could still bring again (see {@link ReplayWindow}). */
    static final String ROW_IDS_TABLE = "_sluice_row_ids";
    /** Row ids per table above which the store warns that checkpoints do not let it forget them. */
    private static final int LARGE_WINDOW = 1_000_000;

    private final Path file;
    private final DuckDBConnection connection;
    /**
     * Never runs a statement: readers are duplicated from it, so that opening a reader never touches the writer's
     * connection object while the loader thread is using it (JDBC connections are not thread-safe).
     */
    private final DuckDBConnection readerSource;
    private final Map<String, Table> tables = new ConcurrentHashMap<>();
    private volatile WriteFaults faults = WriteFaults.NONE;
    /** Ids of the rows of deduplicated append tables; used by {@link #write} only, under the store's lock. */
    private final RowIds rowIds = new RowIds();
    /** Per deduplicated append table (qualified name), the ids a replay could still bring again; under the store's lock. */
    private final Map<String, ReplayWindow> windows = new HashMap<>();
    /** Per table, the window size at which the next warning is due; under the store's lock. */
    private final Map<String, Long> windowWarnings = new HashMap<>();

    private record Table(TableDefinition definition, TableSql sql) {}

    private DuckDbStore(Path file, DuckDBConnection connection) throws SQLException {
        this.file = file;
        this.connection = connection;
        this.readerSource = connection.duplicate();
    }

    /** Opens (or creates, with its parent directories) the DuckDB file with {@link DuckDbSettings#defaults()}. */
    public static DuckDbStore open(Path file) {
        return open(file, DuckDbSettings.defaults());
    }

    /**
     * Opens (or creates, with its parent directories) the DuckDB file and Sluice's own tables in it, and locks its
     * configuration: no extension is installed or loaded, no file but the database is read or written, memory and
     * threads are limited, and no connection can change any of that later.
     */
    public static DuckDbStore open(Path file, DuckDbSettings settings) {
        Path absolute = file.toAbsolutePath();
        try {
            if (absolute.getParent() != null) {
                Files.createDirectories(absolute.getParent());
            }
        } catch (IOException e) {
            throw new StorageException("Cannot create the directory " + absolute.getParent() + " for the DuckDB file: " + e.getMessage(), e);
        }
        DuckDBConnection connection;
        try {
            connection = (DuckDBConnection) DriverManager.getConnection("jdbc:duckdb:" + absolute, startupConfig(settings));
        } catch (SQLException e) {
            throw new StorageException("Cannot open the DuckDB file " + absolute + ": " + e.getMessage()
                    + ". Is another Sluice process using it?", e);
        }
        DuckDbStore store;
        try {
            store = new DuckDbStore(absolute, connection);
        } catch (SQLException e) {
            throw new StorageException("Cannot open a second connection to the DuckDB file " + absolute + ": " + e.getMessage(), e);
        }
        try (Statement s = connection.createStatement()) {
            s.execute("SET GLOBAL TimeZone = 'UTC'");
            // Nothing in storage reads or writes files other than the database itself; user queries must not either.
            s.execute("SET GLOBAL enable_external_access = false");
            s.execute("CREATE TABLE IF NOT EXISTS main." + OFFSETS_TABLE
                    + " (topic VARCHAR, \"partition\" INTEGER, next_offset BIGINT, PRIMARY KEY (topic, \"partition\"))");
            s.execute("CREATE TABLE IF NOT EXISTS main." + REJECTED_TABLE + " (topic VARCHAR, \"partition\" INTEGER, \"offset\" BIGINT,"
                    + " \"key\" VARCHAR, \"value\" VARCHAR, reason VARCHAR, rejected_at TIMESTAMPTZ)");
            s.execute("CREATE OR REPLACE TEMP TABLE " + REJECTED_STAGING + " (topic VARCHAR, \"partition\" VARCHAR,"
                    + " \"offset\" VARCHAR, \"key\" VARCHAR, \"value\" VARCHAR, reason VARCHAR, rejected_at VARCHAR)");
            // Last: from here on no connection, the loader's included, can SET or RESET anything.
            s.execute("SET GLOBAL lock_configuration = true");
        } catch (SQLException e) {
            store.close();
            throw new StorageException("Cannot prepare the DuckDB file " + absolute + ": " + e.getMessage(), e);
        }
        LOG.info("Opened the DuckDB store {} with a memory limit of {} and {} threads.", absolute, settings.memoryLimitSetting(),
                settings.threads());
        return store;
    }

    /**
     * Settings that must hold from the first statement on. DuckDB would otherwise download and load an extension
     * from the internet when a query names one of its functions, even with external access disabled.
     */
    private static Properties startupConfig(DuckDbSettings settings) {
        Properties config = new Properties();
        config.setProperty("autoinstall_known_extensions", "false");
        config.setProperty("autoload_known_extensions", "false");
        config.setProperty("allow_community_extensions", "false");
        config.setProperty("memory_limit", settings.memoryLimitSetting());
        config.setProperty("threads", Integer.toString(settings.threads()));
        return config;
    }

    public Path file() {
        return file;
    }

    @Override
    public String location() {
        return file.toString();
    }

    /**
     * Creates the table if it does not exist, or checks that the existing one has the same columns, types and
     * primary key. Must be called for every table before {@link #write} touches it.
     *
     * @throws StorageException when the table exists with a different schema; the message lists both
     */
    @Override
    public synchronized void ensureTable(TableDefinition table) {
        ensureTable(table, true);
    }

    /**
     * Checks, without creating anything, that {@link #ensureTable} would accept the table: it does not exist yet, or
     * exists with the same columns, types and primary key. Lets a caller refuse a new definition before it stops
     * whatever feeds the existing table.
     *
     * @throws StorageException when the table exists with a different schema; the message lists both
     */
    @Override
    public synchronized void checkTable(TableDefinition table) {
        ensureTable(table, false);
    }

    private void ensureTable(TableDefinition table, boolean create) {
        List<ColumnType> types = new ArrayList<>();
        for (ColumnSpec c : table.columns()) {
            types.add(ColumnType.parse(c.type()).orElseThrow());
        }
        String shown = table.schema().equals(TableDefinition.DEFAULT_SCHEMA) ? table.name() : table.qualifiedName();
        boolean keyedRowIds = false;
        try (Statement s = connection.createStatement()) {
            List<String> actual = existingColumns(table.schema(), table.name());
            List<String> expectedPk = table.mode() == SinkSpec.Mode.UPSERT ? table.primaryKey() : List.of();
            List<String> expected = new ArrayList<>();
            for (int i = 0; i < types.size(); i++) {
                expected.add(table.columns().get(i).name() + " " + types.get(i).duckDbReportedType());
            }
            if (table.deduplicate()) {
                expected.add(TableDefinition.ROW_ID_COLUMN + " UUID");
            }
            if (!actual.isEmpty()) {
                List<String> actualPk = primaryKey(table.schema(), table.name());
                // A deduplicated table created before the replay window has its row id as primary key; it is loaded as it is.
                keyedRowIds = table.deduplicate() && actualPk.equals(List.of(TableDefinition.ROW_ID_COLUMN));
                if (!actual.equals(expected) || !(actualPk.equals(expectedPk) || keyedRowIds)) {
                    throw new StorageException("Table '" + shown + "' in " + file + " exists with columns " + describe(actual, actualPk)
                            + " but its definition expects " + describe(expected, expectedPk)
                            + ". Drop or rename the table, or use another storage file, to load the new definition");
                }
            }
            if (!create) {
                return;
            }
            if (actual.isEmpty()) {
                boolean legacy = isLegacyTable(table, expected, expectedPk);
                TableSql created = tableSql(table, types, false);
                connection.setAutoCommit(false);
                try {
                    s.execute("CREATE SCHEMA IF NOT EXISTS " + Sql.quote(table.schema()));
                    s.execute(created.createTable());
                    if (legacy) {
                        s.execute("INSERT INTO " + Sql.quote(table.schema()) + "." + Sql.quote(table.name()) + " SELECT * FROM main."
                                + Sql.quote(table.name()));
                        s.execute("DROP TABLE main." + Sql.quote(table.name()));
                    }
                    connection.commit();
                } catch (SQLException e) {
                    connection.rollback();
                    throw e;
                } finally {
                    connection.setAutoCommit(true);
                }
                if (legacy) {
                    LOG.info("Moved table main.{} into the schema of its pipeline as {}: it was loaded from topic {} before pipelines had schemas.",
                            table.name(), shown, table.topic());
                } else {
                    LOG.info("Created table {} ({} mode) fed by topic {}.", shown, table.mode(), table.topic());
                }
            }
            TableSql sql = tableSql(table, types, keyedRowIds);
            s.execute(sql.createStaging());
            if (table.deduplicate()) {
                windows.put(table.qualifiedName(), loadWindow(s, table.qualifiedName()));
            }
            tables.put(table.qualifiedName(), new Table(table, sql));
        } catch (SQLException e) {
            throw new StorageException("Cannot create table '" + shown + "' in " + file + ": " + e.getMessage(), e);
        }
    }

    private static TableSql tableSql(TableDefinition table, List<ColumnType> types, boolean keyedRowIds) {
        return new TableSql(table.schema(), table.name(), table.columns(), types, table.primaryKey(), table.mode(),
                table.deduplicate(), keyedRowIds);
    }

    /** The replay window of a deduplicated table as the last commit left it, from {@value #ROW_IDS_TABLE}. */
    private ReplayWindow loadWindow(Statement s, String table) throws SQLException {
        s.execute("CREATE TABLE IF NOT EXISTS main." + ROW_IDS_TABLE + " (table_name VARCHAR, row_id UUID, stored_at BIGINT)");
        ReplayWindow window = new ReplayWindow();
        try (PreparedStatement ps = connection.prepareStatement("SELECT stored_at, row_id FROM main." + ROW_IDS_TABLE
                + " WHERE table_name = ? ORDER BY stored_at")) {
            ps.setString(1, table);
            try (ResultSet rs = ps.executeQuery()) {
                List<UUID> batch = new ArrayList<>();
                long batchAt = Long.MIN_VALUE;
                while (rs.next()) {
                    long at = rs.getLong(1);
                    if (at != batchAt && !batch.isEmpty()) {
                        window.add(batchAt, batch);
                        batch = new ArrayList<>();
                    }
                    batchAt = at;
                    batch.add(rs.getObject(2, UUID.class));
                }
                window.add(batchAt, batch);
            }
        }
        if (window.size() > 0) {
            LOG.info("Table {} keeps the ids of {} rows stored since its pipeline's latest checkpoint began: a replay drops them.",
                    table, window.size());
        }
        return window;
    }

    /**
     * Whether {@code main.<name>} holds this table's rows from before pipelines had schemas: same columns and key, and
     * the loader's offsets for its topic are stored, so loading goes on after those rows and they must come along.
     */
    private boolean isLegacyTable(TableDefinition table, List<String> expected, List<String> expectedPk) throws SQLException {
        if (table.schema().equals(TableDefinition.DEFAULT_SCHEMA) || !existingColumns(TableDefinition.DEFAULT_SCHEMA, table.name()).equals(expected)) {
            return false;
        }
        List<String> pk = primaryKey(TableDefinition.DEFAULT_SCHEMA, table.name());
        if (!pk.equals(expectedPk) && !(table.deduplicate() && pk.equals(List.of(TableDefinition.ROW_ID_COLUMN)))) {
            return false;
        }
        try (PreparedStatement ps = connection.prepareStatement("SELECT count(*) FROM main." + OFFSETS_TABLE + " WHERE topic = ?")) {
            ps.setString(1, table.topic());
            try (ResultSet rs = ps.executeQuery()) {
                rs.next();
                return rs.getLong(1) > 0;
            }
        }
    }

    /**
     * Applies the batch in one transaction: rows and tombstones per table (in batch order, last change per key
     * wins), rejected records, and the next offsets. On any failure nothing of it is visible.
     *
     * @throws StorageException when the batch could not be written; it was rolled back and may be retried
     */
    @Override
    public synchronized void write(LoadBatch batch) {
        if (batch.isEmpty()) {
            return;
        }
        long storedAt = System.currentTimeMillis();
        Map<Table, LoadBatch.TableChanges> touched = new java.util.LinkedHashMap<>();
        for (Map.Entry<String, LoadBatch.TableChanges> e : batch.changes().entrySet()) {
            String key = e.getKey().indexOf('.') < 0 ? TableDefinition.DEFAULT_SCHEMA + "." + e.getKey() : e.getKey();
            Table t = tables.get(key);
            if (t == null) {
                throw new StorageException("Cannot write to table '" + e.getKey() + "': it is not defined in this store; "
                        + "call ensureTable first. Defined tables: " + tables.keySet().stream()
                        .map(k -> k.startsWith(TableDefinition.DEFAULT_SCHEMA + ".") ? k.substring(TableDefinition.DEFAULT_SCHEMA.length() + 1) : k)
                        .sorted().toList());
            }
            touched.put(t, e.getValue());
        }
        Map<String, List<UUID>> storedIds = new HashMap<>();
        try {
            connection.setAutoCommit(false);
            try (Statement s = connection.createStatement()) {
                // The first statement starts the transaction; Appenders only join a transaction that is running.
                s.execute("DELETE FROM temp.main." + REJECTED_STAGING);
                for (Table t : touched.keySet()) {
                    s.execute(t.sql().clearStaging());
                }
                for (Map.Entry<Table, LoadBatch.TableChanges> e : touched.entrySet()) {
                    applyChanges(s, e.getKey(), e.getValue(), storedIds);
                }
                if (!storedIds.isEmpty()) {
                    insertRowIds(storedIds, storedAt);
                }
                if (!batch.rejected().isEmpty()) {
                    insertRejected(s, batch.rejected());
                }
                if (!batch.nextOffsets().isEmpty()) {
                    upsertOffsets(batch.nextOffsets());
                }
            }
            faults.beforeCommit(batch);
            connection.commit();
            storedIds.forEach((table, ids) -> remember(table, storedAt, ids));
            faults.afterCommit(batch);
        } catch (SQLException | RuntimeException e) {
            try {
                connection.rollback();
            } catch (SQLException rollbackFailure) {
                e.addSuppressed(rollbackFailure);
            }
            throw new StorageException("Cannot write a batch of " + batch.rowCount() + " rows to " + batch.rowCounts().keySet()
                    + " with " + batch.rejected().size() + " rejected records and offsets " + batch.nextOffsets()
                    + " to " + file + "; the transaction was rolled back: " + e.getMessage(), e);
        } finally {
            try {
                connection.setAutoCommit(true);
            } catch (SQLException e) {
                LOG.warn("Cannot switch the DuckDB connection of {} back to auto-commit.", file, e);
            }
        }
    }

    /**
     * Stages one table's changes and moves them into the table. Rows of a deduplicated table whose id is in its replay
     * window, or earlier in this batch, are dropped before staging; the ids of the others are added to {@code storedIds}.
     */
    private void applyChanges(Statement s, Table t, LoadBatch.TableChanges changes, Map<String, List<UUID>> storedIds) throws SQLException {
        TableDefinition def = t.definition();
        int columnCount = def.columns().size();
        int[] keyIndexes = new int[def.primaryKey().size()];
        for (int k = 0; k < keyIndexes.length; k++) {
            for (int i = 0; i < columnCount; i++) {
                if (def.columns().get(i).name().equals(def.primaryKey().get(k))) {
                    keyIndexes[k] = i;
                }
            }
        }
        boolean anyTombstone = !changes.tombstones.isEmpty();
        if (anyTombstone && def.mode() != SinkSpec.Mode.UPSERT) {
            throw new StorageException("Append table '" + def.name() + "' cannot take tombstones; only upsert tables delete rows");
        }
        String[] row = new String[columnCount];
        ReplayWindow window = def.deduplicate() ? windows.get(def.qualifiedName()) : null;
        Set<UUID> inBatch = window == null ? null : new HashSet<>();
        List<UUID> ids = window == null ? null : new ArrayList<>();
        try (DuckDBAppender appender = connection.createAppender("temp", "main", t.sql().stagingName())) {
            for (int r = 0; r < changes.values.size(); r++) {
                String[] values = changes.values.get(r);
                boolean tombstone = changes.tombstones.get(r);
                if (tombstone) {
                    checkArity(def, values, keyIndexes.length, "tombstone key values", r);
                    java.util.Arrays.fill(row, null);
                    for (int k = 0; k < keyIndexes.length; k++) {
                        row[keyIndexes[k]] = values[k];
                    }
                } else {
                    checkArity(def, values, columnCount, "values", r);
                    System.arraycopy(values, 0, row, 0, columnCount);
                }
                UUID id = null;
                if (window != null) {
                    id = rowIds.uuid(row);
                    if (window.contains(id) || !inBatch.add(id)) {
                        continue;
                    }
                    ids.add(id);
                }
                appender.beginRow().append((long) r).append(tombstone);
                for (String v : row) {
                    appender.append(v);
                }
                if (id != null) {
                    appender.append(id);
                }
                appender.endRow();
            }
        }
        if (ids != null && !ids.isEmpty()) {
            storedIds.put(def.qualifiedName(), ids);
        }
        if (def.mode() == SinkSpec.Mode.UPSERT) {
            if (anyTombstone) {
                s.execute(t.sql().deleteTombstoned());
            }
            s.execute(t.sql().upsertRows());
        } else {
            s.execute(t.sql().appendRows());
        }
    }

    private static void checkArity(TableDefinition def, String[] values, int expected, String what, int index) {
        if (values.length != expected) {
            throw new StorageException("Change " + index + " for table '" + def.name() + "' has " + values.length + " " + what
                    + "; expected " + expected);
        }
    }

    private void insertRejected(Statement s, List<RejectedRecord> rejected) throws SQLException {
        try (DuckDBAppender appender = connection.createAppender("temp", "main", REJECTED_STAGING)) {
            for (RejectedRecord r : rejected) {
                appender.beginRow().append(r.topic()).append(Integer.toString(r.partition())).append(Long.toString(r.offset()))
                        .append(r.key()).append(r.value()).append(r.reason()).append(r.rejectedAt().toString()).endRow();
            }
        }
        s.execute("INSERT INTO main." + REJECTED_TABLE + " SELECT topic, CAST(\"partition\" AS INTEGER), CAST(\"offset\" AS BIGINT),"
                + " \"key\", \"value\", reason, CAST(rejected_at AS TIMESTAMPTZ) FROM temp.main." + REJECTED_STAGING);
    }

    private void remember(String table, long storedAt, List<UUID> ids) {
        ReplayWindow window = windows.get(table);
        window.add(storedAt, ids);
        // Warn at 1M ids and at every doubling after: the pipeline's checkpoints have not let the store forget for long.
        long warnAt = windowWarnings.getOrDefault(table, (long) LARGE_WINDOW);
        if (window.size() >= warnAt) {
            LOG.warn("Table {} keeps the ids of {} rows (about {} MB of heap) to drop replays: its pipeline has not completed a"
                    + " checkpoint since they were stored, or the loader has not read up to it. They are forgotten once it has.",
                    table, window.size(), window.size() * 80L / 1_000_000);
            windowWarnings.put(table, warnAt * 2);
        } else if (window.size() < LARGE_WINDOW / 2) {
            windowWarnings.remove(table);
        }
    }

    private void insertRowIds(Map<String, List<UUID>> storedIds, long storedAt) throws SQLException {
        try (DuckDBAppender appender = connection.createAppender("main", ROW_IDS_TABLE)) {
            for (Map.Entry<String, List<UUID>> e : storedIds.entrySet()) {
                for (UUID id : e.getValue()) {
                    appender.beginRow().append(e.getKey()).append(id).append(storedAt).endRow();
                }
            }
        }
    }

    /**
     * Forgets the row ids of deduplicated append tables stored before {@code before}: from then on a row with such an id
     * is stored again. The loader calls this once its pipeline can no longer replay those rows (see
     * {@link ResultLoader#replayHorizon}); tables that are not deduplicated are ignored.
     *
     * @throws StorageException when the ids could not be deleted from {@value #ROW_IDS_TABLE}; the windows in memory are
     *     then unchanged
     */
    @Override
    public synchronized void forgetRowIds(Collection<String> qualifiedTables, Instant before) {
        List<String> deduplicated = qualifiedTables.stream().filter(windows::containsKey).toList();
        if (deduplicated.isEmpty()) {
            return;
        }
        long beforeMillis = before.toEpochMilli();
        try (PreparedStatement ps = connection.prepareStatement("DELETE FROM main." + ROW_IDS_TABLE + " WHERE table_name = ? AND stored_at < ?")) {
            for (String table : deduplicated) {
                ps.setString(1, table);
                ps.setLong(2, beforeMillis);
                ps.executeUpdate();
            }
        } catch (SQLException e) {
            throw new StorageException("Cannot forget the row ids of " + deduplicated + " stored before " + before + " in " + file
                    + ": " + e.getMessage(), e);
        }
        for (String table : deduplicated) {
            windows.get(table).forgetBefore(beforeMillis);
        }
    }

    /** Row ids kept per deduplicated append table (qualified name), for monitoring and tests. */
    public synchronized Map<String, Integer> replayWindowSizes() {
        Map<String, Integer> sizes = new java.util.TreeMap<>();
        windows.forEach((table, window) -> sizes.put(table, window.size()));
        return sizes;
    }

    private void upsertOffsets(Map<TopicPartition, Long> offsets) throws SQLException {
        OffsetsTable.upsert(connection, "main." + OFFSETS_TABLE, offsets);
    }

    /**
     * For fault injection only (see {@link WriteFaults}): installs a hook around the commit of every later
     * {@link #write}. Production never calls this.
     */
    @Override
    public void injectFaults(WriteFaults hook) {
        faults = hook == null ? WriteFaults.NONE : hook;
    }

    /**
     * Empties {@code tables} and sets the next offsets to load to {@code offsets}, in one transaction: for a pipeline
     * that starts over, whose new results begin at those offsets of its topics.
     *
     * @throws StorageException when it could not be done; then nothing changed
     */
    @Override
    public synchronized void startOver(List<TableDefinition> cleared, Map<TopicPartition, Long> offsets) {
        try {
            connection.setAutoCommit(false);
            try (Statement s = connection.createStatement()) {
                for (TableDefinition t : cleared) {
                    s.execute("DELETE FROM " + Sql.quote(t.schema()) + "." + Sql.quote(t.name()));
                    if (windows.containsKey(t.qualifiedName())) {
                        s.execute("DELETE FROM main." + ROW_IDS_TABLE + " WHERE table_name = " + Sql.literal(t.qualifiedName()));
                    }
                }
                if (!offsets.isEmpty()) {
                    upsertOffsets(offsets);
                }
            }
            connection.commit();
            for (TableDefinition t : cleared) {
                ReplayWindow window = windows.get(t.qualifiedName());
                if (window != null) {
                    window.clear();
                }
            }
        } catch (SQLException | RuntimeException e) {
            try {
                connection.rollback();
            } catch (SQLException rollbackFailure) {
                e.addSuppressed(rollbackFailure);
            }
            throw new StorageException("Cannot empty tables " + cleared.stream().map(TableDefinition::qualifiedName).toList() + " in "
                    + file + "; nothing was changed: " + e.getMessage(), e);
        } finally {
            try {
                connection.setAutoCommit(true);
            } catch (SQLException e) {
                LOG.warn("Cannot switch the DuckDB connection of {} back to auto-commit.", file, e);
            }
        }
    }

    /** The next offset to consume per topic partition, as of the last committed {@link #write}. */
    @Override
    public synchronized Map<TopicPartition, Long> committedOffsets() {
        Map<TopicPartition, Long> offsets = new HashMap<>();
        try (Statement s = connection.createStatement();
             ResultSet rs = s.executeQuery("SELECT topic, \"partition\", next_offset FROM main." + OFFSETS_TABLE)) {
            while (rs.next()) {
                offsets.put(new TopicPartition(rs.getString(1), rs.getInt(2)), rs.getLong(3));
            }
        } catch (SQLException e) {
            throw new StorageException("Cannot read the committed offsets from " + file + ": " + e.getMessage(), e);
        }
        return offsets;
    }

    /**
     * The tables of the default schema {@value TableDefinition#DEFAULT_SCHEMA}, sorted, including Sluice's own
     * {@code _sluice_offsets} and {@code _sluice_rejected}.
     */
    @Override
    public List<String> tables() {
        return tables(TableDefinition.DEFAULT_SCHEMA);
    }

    /** The tables of one schema (a pipeline's), sorted; empty when there is no such schema. */
    @Override
    public List<String> tables(String schema) {
        return allTables().getOrDefault(schema, List.of());
    }

    /** Every schema that holds tables, each with its tables, sorted by schema and table. */
    @Override
    public Map<String, List<String>> allTables() {
        Map<String, List<String>> bySchema = new java.util.TreeMap<>();
        try (Connection c = readConnection();
             Statement s = c.createStatement();
             ResultSet rs = s.executeQuery("SELECT table_schema, table_name FROM information_schema.tables"
                     + " WHERE table_catalog = current_database() AND table_type = 'BASE TABLE' ORDER BY table_schema, table_name")) {
            while (rs.next()) {
                bySchema.computeIfAbsent(rs.getString(1), k -> new ArrayList<>()).add(rs.getString(2));
            }
        } catch (SQLException e) {
            throw new StorageException("Cannot list the tables of " + file + ": " + e.getMessage(), e);
        }
        return bySchema;
    }

    /** A new connection to the same database for one reader; the caller closes it. */
    DuckDBConnection readConnection() {
        try {
            DuckDBConnection reader;
            synchronized (readerSource) {
                reader = readerSource.duplicate();
            }
            // A duplicate copies the writer's auto-commit flag, which is off while a batch is being written.
            reader.setAutoCommit(true);
            return reader;
        } catch (SQLException e) {
            throw new StorageException("Cannot open a read connection to " + file + ": " + e.getMessage(), e);
        }
    }

    private List<String> existingColumns(String schema, String table) throws SQLException {
        List<String> columns = new ArrayList<>();
        try (PreparedStatement ps = connection.prepareStatement("SELECT column_name, data_type FROM information_schema.columns"
                + " WHERE table_catalog = current_database() AND table_schema = ? AND table_name = ? ORDER BY ordinal_position")) {
            ps.setString(1, schema);
            ps.setString(2, table);
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    columns.add(rs.getString(1) + " " + rs.getString(2));
                }
            }
        }
        return columns;
    }

    private List<String> primaryKey(String schema, String table) throws SQLException {
        try (PreparedStatement ps = connection.prepareStatement("SELECT constraint_column_names FROM duckdb_constraints()"
                + " WHERE database_name = current_database() AND schema_name = ? AND table_name = ? AND constraint_type = 'PRIMARY KEY'")) {
            ps.setString(1, schema);
            ps.setString(2, table);
            try (ResultSet rs = ps.executeQuery()) {
                if (!rs.next()) {
                    return List.of();
                }
                Object[] names = (Object[]) rs.getArray(1).getArray();
                List<String> pk = new ArrayList<>();
                for (Object n : names) {
                    pk.add(String.valueOf(n));
                }
                return pk;
            }
        }
    }

    private static String describe(List<String> columns, List<String> primaryKey) {
        return "(" + String.join(", ", columns) + ")" + (primaryKey.isEmpty() ? " without primary key" : " with primary key " + primaryKey);
    }

    /**
     * Runs {@code work} on the writer connection in one transaction (committed when it returns, rolled back when it
     * throws), between the loader's batches. For components that keep their own small tables next to the loaded ones,
     * such as the alert notifier's {@code alert_events}; keep the work short, the loader waits for it.
     */
    @Override
    public synchronized <T> T inTransaction(String what, SqlWork<T> work) {
        try {
            connection.setAutoCommit(false);
            try {
                T result = work.run(connection);
                connection.commit();
                return result;
            } catch (SQLException | RuntimeException e) {
                connection.rollback();
                throw e;
            } finally {
                connection.setAutoCommit(true);
            }
        } catch (SQLException e) {
            throw new StorageException("Cannot " + what + " in " + file + ": " + e.getMessage(), e);
        }
    }

    @Override
    public synchronized void close() {
        try {
            synchronized (readerSource) {
                readerSource.close();
            }
            connection.close();
            LOG.info("Closed the DuckDB store {}.", file);
        } catch (SQLException e) {
            throw new StorageException("Cannot close the DuckDB store " + file + ": " + e.getMessage(), e);
        }
    }
}
