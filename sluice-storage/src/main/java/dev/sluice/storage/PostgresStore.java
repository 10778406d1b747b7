package dev.sluice.storage;

import dev.sluice.spec.ColumnSpec;
import dev.sluice.spec.SinkSpec;
import dev.sluice.storage.internal.ColumnType;
import dev.sluice.storage.internal.OffsetsTable;
import dev.sluice.storage.internal.PostgresTableSql;
import dev.sluice.storage.internal.RowIds;
import dev.sluice.storage.internal.Sql;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import org.apache.kafka.common.TopicPartition;
import org.postgresql.PGConnection;
import org.postgresql.copy.CopyManager;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Storage in a PostgreSQL database, for scale-out: the same tables, schemas and guarantees as {@link DuckDbStore}
 * (see {@link ResultStore}). Each pipeline's tables are in a schema of its own; Sluice's own tables
 * ({@code _sluice_offsets}, {@code _sluice_rejected}) are in the schema {@value TableDefinition#DEFAULT_SCHEMA}.
 *
 * <p>{@link #write} never writes row by row: each table's part of a batch is streamed with {@code COPY … FROM STDIN}
 * (CSV) into a temporary staging table of the writer's session, then moved with one set-based
 * {@code INSERT … SELECT … ON CONFLICT (key) DO UPDATE} (or plain {@code INSERT … SELECT} for append tables); the
 * consumed offsets are upserted in the same transaction. The staging tables empty themselves at every commit.
 *
 * <p>One Sluice process writes to a database at a time: the writer holds a session advisory lock, and a second
 * process is refused at open. Readers ({@link QueryService}) connect as a separate role that can only read (see
 * {@link PostgresSettings}); every query gets its own connection and never waits for the writer.
 *
 * <p>PostgreSQL's {@code text} cannot hold the character U+0000; the store writes it as U+FFFD instead of failing
 * the batch for ever.
 *
 * <pre>{@code
 * try (PostgresStore store = PostgresStore.open(PostgresSettings.of("postgresql://db:5432/sluice?user=sluice", password))) {
 *     store.ensureTable(salesTable);
 *     store.write(batch);
 * }
 * }</pre>
 */
public final class PostgresStore implements ResultStore {
    private static final Logger LOG = LoggerFactory.getLogger(PostgresStore.class);
    static final String OFFSETS_TABLE = OffsetsTable.NAME;
    static final String REJECTED_TABLE = "_sluice_rejected";
    /** The advisory lock the writer holds for its whole session: one Sluice writer per database ("sluice" in ASCII). */
    private static final long WRITER_LOCK = 0x736c7569636500L;
    private static final String MAIN = Sql.quote(TableDefinition.DEFAULT_SCHEMA);
    private static final java.time.Duration LOCK_WAIT = java.time.Duration.ofSeconds(5);

    private final PostgresSettings settings;
    private final Properties writerProperties;
    /** The writer's session; replaced by {@link #reconnectIfBroken} after it broke (a server restart, a network failure). */
    private Connection connection;
    private CopyManager copy;
    private boolean broken;
    private final String readUrl;
    private final Properties readProperties;
    private final Map<String, Table> tables = new ConcurrentHashMap<>();
    private volatile WriteFaults faults = WriteFaults.NONE;
    private int stagingTables;
    /** Ids of the rows of deduplicated append tables; used by {@link #write} only, under the store's lock. */
    private final RowIds rowIds = new RowIds();

    private record Table(TableDefinition definition, PostgresTableSql sql, int[] keyIndexes) {}

    private PostgresStore(PostgresSettings settings, Properties writerProperties, Connection connection, String readUrl,
            Properties readProperties) throws SQLException {
        this.settings = settings;
        this.writerProperties = writerProperties;
        this.connection = connection;
        this.copy = connection.unwrap(PGConnection.class).getCopyAPI();
        this.readUrl = readUrl;
        this.readProperties = readProperties;
    }

    /**
     * Connects, takes the writer lock, creates Sluice's own tables if needed and sets up the read-only role (or checks
     * the one given in {@link PostgresSettings#readUrl()}).
     *
     * @throws StorageException when the database cannot be reached, another Sluice process writes to it, or no
     *                          read-only role can be had
     */
    public static PostgresStore open(PostgresSettings settings) {
        Properties writer = properties(settings.user(), settings.password().orElse(null), "sluice-writer");
        Connection connection;
        try {
            connection = DriverManager.getConnection(settings.url(), writer);
        } catch (SQLException e) {
            throw new StorageException("Cannot connect to the PostgreSQL store " + settings.location() + ": " + e.getMessage(), e);
        }
        try {
            try (Statement s = connection.createStatement()) {
                s.execute("SET TIME ZONE 'UTC'");
                if (!writerLock(s)) {
                    throw new StorageException("Another Sluice process writes to the PostgreSQL store " + settings.location()
                            + "; one process at a time may load a database. Stop it or use another database");
                }
                connection.setAutoCommit(false);
                s.execute("CREATE SCHEMA IF NOT EXISTS " + MAIN);
                s.execute("CREATE TABLE IF NOT EXISTS " + MAIN + "." + OFFSETS_TABLE
                        + " (topic text, \"partition\" integer, next_offset bigint, PRIMARY KEY (topic, \"partition\"))");
                s.execute("CREATE TABLE IF NOT EXISTS " + MAIN + "." + REJECTED_TABLE + " (topic text, \"partition\" integer,"
                        + " \"offset\" bigint, \"key\" text, \"value\" text, reason text, rejected_at timestamp with time zone)");
                connection.commit();
            }
            Properties reader;
            String readUrl;
            String readRole = settings.readUser();
            if (settings.readUrl().isPresent()) {
                readUrl = settings.readUrl().get();
                reader = properties(settings.readUser(), settings.readPassword().orElse(null), "sluice-query");
            } else {
                byte[] secret = new byte[24];
                new SecureRandom().nextBytes(secret);
                String password = HexFormat.of().formatHex(secret);
                readRole = settings.readRole(currentDatabase(connection));
                manageReadRole(connection, settings, readRole);
                // Hashed (SCRAM) by the driver, so the password never appears in a statement the server could log.
                connection.unwrap(PGConnection.class).alterUserPassword(readRole, password.toCharArray(), "scram-sha-256");
                connection.commit();
                readUrl = settings.url();
                reader = properties(readRole, password, "sluice-query");
            }
            connection.setAutoCommit(true);
            PostgresStore store = new PostgresStore(settings, writer, connection, readUrl, reader);
            store.checkReader();
            LOG.info("Opened the PostgreSQL store {}; queries read as the {}role '{}'.", settings.location(),
                    settings.readUrl().isPresent() ? "" : "managed read-only ", readRole);
            return store;
        } catch (SQLException | RuntimeException e) {
            try {
                connection.close();
            } catch (SQLException closing) {
                e.addSuppressed(closing);
            }
            if (e instanceof StorageException se) {
                throw se;
            }
            throw new StorageException("Cannot prepare the PostgreSQL store " + settings.location() + ": " + e.getMessage(), e);
        }
    }

    /**
     * Takes the writer lock, waiting up to {@link #LOCK_WAIT} for it: the session of a process that just stopped (or
     * of this one's previous store) lets it go only once the server has seen the connection close.
     */
    /**
     * Opens a new writer session when the last one broke: takes the writer lock again and recreates the staging
     * tables, so that the loader's retry of the failed batch can succeed once the server is back.
     */
    private void reconnectIfBroken() throws SQLException {
        if (!broken && !connection.isClosed()) {
            return;
        }
        Connection fresh = DriverManager.getConnection(settings.url(), writerProperties);
        try (Statement s = fresh.createStatement()) {
            s.execute("SET TIME ZONE 'UTC'");
            if (!writerLock(s)) {
                throw new StorageException("Another Sluice process took over the PostgreSQL store " + location()
                        + " while this one's connection was broken; one process at a time may load a database");
            }
            for (Table t : tables.values()) {
                s.execute(t.sql().createStaging());
            }
        } catch (SQLException | RuntimeException e) {
            try {
                fresh.close();
            } catch (SQLException closing) {
                e.addSuppressed(closing);
            }
            throw e;
        }
        try {
            connection.close();
        } catch (SQLException e) {
            LOG.debug("Closing the broken connection to {} failed too.", location(), e);
        }
        connection = fresh;
        copy = fresh.unwrap(PGConnection.class).getCopyAPI();
        broken = false;
        LOG.warn("Reconnected to the PostgreSQL store {} after its connection broke.", location());
    }

    /** Remembers a broken session (connection errors are SQLSTATE class 08, a terminated backend 57P01–57P03). */
    private void noteFailure(Exception e) {
        try {
            if (connection.isClosed()) {
                broken = true;
                return;
            }
        } catch (SQLException closed) {
            broken = true;
            return;
        }
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t instanceof SQLException sql && sql.getSQLState() != null
                    && (sql.getSQLState().startsWith("08") || sql.getSQLState().startsWith("57P0"))) {
                broken = true;
                return;
            }
        }
    }

    private static boolean writerLock(Statement s) throws SQLException {
        long deadline = System.nanoTime() + LOCK_WAIT.toNanos();
        while (true) {
            try (ResultSet rs = s.executeQuery("SELECT pg_try_advisory_lock(" + WRITER_LOCK + ")")) {
                rs.next();
                if (rs.getBoolean(1)) {
                    return true;
                }
            }
            if (System.nanoTime() >= deadline) {
                return false;
            }
            try {
                Thread.sleep(100);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new StorageException("Interrupted while waiting for the writer lock of the PostgreSQL store", e);
            }
        }
    }

    private static Properties properties(String user, String password, String application) {
        Properties p = new Properties();
        p.setProperty("user", user);
        if (password != null) {
            p.setProperty("password", password);
        }
        p.setProperty("ApplicationName", application);
        return p;
    }

    /**
     * Creates or updates the read-only login role: it may connect and read every schema and table the writer creates,
     * now and later, and nothing else.
     */
    private static void manageReadRole(Connection c, PostgresSettings settings, String readRole) throws SQLException {
        String role = Sql.quote(readRole);
        try (Statement s = c.createStatement()) {
            try (ResultSet rs = s.executeQuery("SELECT rolsuper OR rolcreaterole FROM pg_roles WHERE rolname = current_user")) {
                if (!rs.next() || !rs.getBoolean(1)) {
                    throw new StorageException("The PostgreSQL role '" + settings.user() + "' may not create roles, so Sluice cannot"
                            + " set up the read-only role '" + readRole + "' for queries. Give it CREATEROLE, or create a"
                            + " role that can only read and pass its URL with --store-read-url (see docs/scale-out.md)");
                }
            }
            boolean exists;
            try (PreparedStatement ps = c.prepareStatement("SELECT 1 FROM pg_roles WHERE rolname = ?")) {
                ps.setString(1, readRole);
                try (ResultSet rs = ps.executeQuery()) {
                    exists = rs.next();
                }
            }
            // New roles have no superuser, replication or row-security bypass rights; checkReader refuses a superuser.
            String attributes = " LOGIN NOCREATEDB NOCREATEROLE NOINHERIT";
            s.execute((exists ? "ALTER ROLE " : "CREATE ROLE ") + role + " WITH" + attributes);
            s.execute("GRANT CONNECT ON DATABASE " + Sql.quote(currentDatabase(c)) + " TO " + role);
            String writer = Sql.quote(settings.user());
            s.execute("ALTER DEFAULT PRIVILEGES FOR ROLE " + writer + " GRANT USAGE ON SCHEMAS TO " + role);
            s.execute("ALTER DEFAULT PRIVILEGES FOR ROLE " + writer + " GRANT SELECT ON TABLES TO " + role);
            // Schemas and tables made before the default privileges existed (or by an earlier Sluice version).
            List<String> schemas = new ArrayList<>();
            try (PreparedStatement ps = c.prepareStatement("SELECT nspname FROM pg_namespace WHERE nspowner = "
                    + "(SELECT oid FROM pg_roles WHERE rolname = current_user) AND nspname NOT LIKE 'pg\\_%' ORDER BY nspname");
                 ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    schemas.add(rs.getString(1));
                }
            }
            for (String schema : schemas) {
                s.execute("GRANT USAGE ON SCHEMA " + Sql.quote(schema) + " TO " + role);
                s.execute("GRANT SELECT ON ALL TABLES IN SCHEMA " + Sql.quote(schema) + " TO " + role);
            }
        }
    }

    private static String currentDatabase(Connection c) throws SQLException {
        try (Statement s = c.createStatement(); ResultSet rs = s.executeQuery("SELECT current_database()")) {
            rs.next();
            return rs.getString(1);
        }
    }

    /** Refuses a read role that could do more than read: a superuser, or the writer itself. */
    private void checkReader() {
        try (Connection c = readConnection(); Statement s = c.createStatement();
             ResultSet rs = s.executeQuery("SELECT current_user, rolsuper FROM pg_roles WHERE rolname = current_user")) {
            rs.next();
            if (rs.getBoolean(2) || rs.getString(1).equals(settings.user())) {
                throw new StorageException("The PostgreSQL role '" + rs.getString(1) + "' that queries read as is "
                        + (rs.getBoolean(2) ? "a superuser" : "the role that writes") + "; give a role that can only read");
            }
        } catch (SQLException e) {
            throw new StorageException("Cannot connect to the PostgreSQL store " + settings.location() + " as the read-only role: "
                    + e.getMessage(), e);
        }
    }

    @Override
    public String location() {
        return settings.location();
    }

    @Override
    public synchronized void ensureTable(TableDefinition table) {
        ensureTable(table, true);
    }

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
        String staging = "_sluice_stage_" + (++stagingTables);
        PostgresTableSql sql = new PostgresTableSql(table.schema(), table.name(), staging, table.columns(), types, table.primaryKey(),
                table.mode(), table.deduplicate());
        List<String> expected = new ArrayList<>();
        for (int i = 0; i < types.size(); i++) {
            expected.add(table.columns().get(i).name() + " " + types.get(i).postgresType());
        }
        if (table.deduplicate()) {
            expected.add(TableDefinition.ROW_ID_COLUMN + " uuid");
        }
        List<String> expectedPk = table.mode() == SinkSpec.Mode.UPSERT ? table.primaryKey()
                : table.deduplicate() ? List.of(TableDefinition.ROW_ID_COLUMN) : List.of();
        try {
            reconnectIfBroken();
        } catch (SQLException e) {
            throw new StorageException("Cannot reconnect to " + location() + " to create table '" + shown + "': " + e.getMessage(), e);
        }
        try (Statement s = connection.createStatement()) {
            List<String> actual = existingColumns(table.schema(), table.name());
            if (!actual.isEmpty()) {
                List<String> actualPk = primaryKey(table.schema(), table.name());
                if (!actual.equals(expected) || !actualPk.equals(expectedPk)) {
                    throw new StorageException("Table '" + shown + "' in " + location() + " exists with columns " + describe(actual, actualPk)
                            + " but its definition expects " + describe(expected, expectedPk)
                            + ". Drop or rename the table, or use another database, to load the new definition");
                }
            }
            if (!create) {
                return;
            }
            if (actual.isEmpty()) {
                connection.setAutoCommit(false);
                try {
                    s.execute("CREATE SCHEMA IF NOT EXISTS " + Sql.quote(table.schema()));
                    s.execute(sql.createTable());
                    connection.commit();
                } catch (SQLException e) {
                    connection.rollback();
                    throw e;
                } finally {
                    connection.setAutoCommit(true);
                }
                LOG.info("Created table {} ({} mode) fed by topic {}.", shown, table.mode(), table.topic());
            }
            s.execute(sql.createStaging());
        } catch (SQLException e) {
            throw new StorageException("Cannot create table '" + shown + "' in " + location() + ": " + e.getMessage(), e);
        }
        tables.put(table.qualifiedName(), new Table(table, sql, keyIndexes(table)));
    }

    private static int[] keyIndexes(TableDefinition def) {
        int[] keyIndexes = new int[def.primaryKey().size()];
        for (int k = 0; k < keyIndexes.length; k++) {
            for (int i = 0; i < def.columns().size(); i++) {
                if (def.columns().get(i).name().equals(def.primaryKey().get(k))) {
                    keyIndexes[k] = i;
                }
            }
        }
        return keyIndexes;
    }

    @Override
    public synchronized void write(LoadBatch batch) {
        if (batch.isEmpty()) {
            return;
        }
        Map<Table, LoadBatch.TableChanges> touched = new LinkedHashMap<>();
        for (Map.Entry<String, LoadBatch.TableChanges> e : batch.changes().entrySet()) {
            String key = e.getKey().indexOf('.') < 0 ? TableDefinition.DEFAULT_SCHEMA + "." + e.getKey() : e.getKey();
            Table t = tables.get(key);
            if (t == null) {
                throw new StorageException("Cannot write to table '" + e.getKey() + "': it is not defined in this store; "
                        + "call ensureTable first. Defined tables: " + tables.keySet().stream().sorted().toList());
            }
            touched.put(t, e.getValue());
        }
        try {
            reconnectIfBroken();
            connection.setAutoCommit(false);
            try (Statement s = connection.createStatement()) {
                for (Map.Entry<Table, LoadBatch.TableChanges> e : touched.entrySet()) {
                    applyChanges(s, e.getKey(), e.getValue());
                }
                if (!batch.rejected().isEmpty()) {
                    insertRejected(batch.rejected());
                }
                if (!batch.nextOffsets().isEmpty()) {
                    upsertOffsets(batch.nextOffsets());
                }
            }
            faults.beforeCommit(batch);
            connection.commit();
            faults.afterCommit(batch);
        } catch (SQLException | IOException | RuntimeException e) {
            noteFailure(e);
            try {
                connection.rollback();
            } catch (SQLException rollbackFailure) {
                e.addSuppressed(rollbackFailure);
            }
            throw new StorageException("Cannot write a batch of " + batch.rowCount() + " rows to " + batch.rowCounts().keySet()
                    + " with " + batch.rejected().size() + " rejected records and offsets " + batch.nextOffsets()
                    + " to " + location() + "; the transaction was rolled back: " + e.getMessage(), e);
        } finally {
            try {
                connection.setAutoCommit(true);
            } catch (SQLException e) {
                LOG.warn("Cannot switch the PostgreSQL connection to {} back to auto-commit.", location(), e);
            }
        }
    }

    private void applyChanges(Statement s, Table t, LoadBatch.TableChanges changes) throws SQLException, IOException {
        TableDefinition def = t.definition();
        int columnCount = def.columns().size();
        int[] keyIndexes = t.keyIndexes();
        boolean anyTombstone = !changes.tombstones.isEmpty();
        if (anyTombstone && def.mode() != SinkSpec.Mode.UPSERT) {
            throw new StorageException("Append table '" + def.name() + "' cannot take tombstones; only upsert tables delete rows");
        }
        StringBuilder csv = new StringBuilder(changes.values.size() * (16 + 12 * columnCount));
        String[] row = new String[columnCount];
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
            csv.append(r).append(tombstone ? ",t" : ",f");
            for (String v : row) {
                csv.append(',');
                if (v != null) {
                    appendQuoted(csv, v);
                }
            }
            if (def.deduplicate()) {
                csv.append(',').append(rowIds.of(row));
            }
            csv.append('\n');
        }
        copy.copyIn(t.sql().copyIntoStaging(), new ByteArrayInputStream(csv.toString().getBytes(StandardCharsets.UTF_8)));
        if (def.mode() == SinkSpec.Mode.UPSERT) {
            if (anyTombstone) {
                s.execute(t.sql().deleteTombstoned());
            }
            s.execute(t.sql().upsertRows());
        } else {
            s.execute(t.sql().appendRows());
        }
    }

    /** A CSV field in double quotes (so that an empty string is not NULL), quotes doubled, U+0000 replaced. */
    private static void appendQuoted(StringBuilder csv, String v) {
        csv.append('"');
        for (int i = 0; i < v.length(); i++) {
            char c = v.charAt(i);
            if (c == '"') {
                csv.append("\"\"");
            } else if (c == '\0') {
                csv.append('\uFFFD');
            } else {
                csv.append(c);
            }
        }
        csv.append('"');
    }

    private static void checkArity(TableDefinition def, String[] values, int expected, String what, int index) {
        if (values.length != expected) {
            throw new StorageException("Change " + index + " for table '" + def.name() + "' has " + values.length + " " + what
                    + "; expected " + expected);
        }
    }

    private void insertRejected(List<RejectedRecord> rejected) throws SQLException {
        try (PreparedStatement ps = connection.prepareStatement("INSERT INTO " + MAIN + "." + REJECTED_TABLE
                + " (topic, \"partition\", \"offset\", \"key\", \"value\", reason, rejected_at) VALUES (?, ?, ?, ?, ?, ?, ?)")) {
            for (RejectedRecord r : rejected) {
                ps.setString(1, r.topic());
                ps.setInt(2, r.partition());
                ps.setLong(3, r.offset());
                ps.setString(4, noNul(r.key()));
                ps.setString(5, noNul(r.value()));
                ps.setString(6, noNul(r.reason()));
                ps.setObject(7, r.rejectedAt().atOffset(java.time.ZoneOffset.UTC));
                ps.addBatch();
            }
            ps.executeBatch();
        }
    }

    private static String noNul(String text) {
        return text == null || text.indexOf('\0') < 0 ? text : text.replace('\0', '\uFFFD');
    }

    private void upsertOffsets(Map<TopicPartition, Long> offsets) throws SQLException {
        OffsetsTable.upsert(connection, MAIN + "." + OFFSETS_TABLE, offsets);
    }

    @Override
    public void injectFaults(WriteFaults hook) {
        faults = hook == null ? WriteFaults.NONE : hook;
    }

    @Override
    public synchronized void startOver(List<TableDefinition> cleared, Map<TopicPartition, Long> offsets) {
        try {
            reconnectIfBroken();
            connection.setAutoCommit(false);
            try (Statement s = connection.createStatement()) {
                for (TableDefinition t : cleared) {
                    s.execute("DELETE FROM " + Sql.quote(t.schema()) + "." + Sql.quote(t.name()));
                }
                if (!offsets.isEmpty()) {
                    upsertOffsets(offsets);
                }
            }
            connection.commit();
        } catch (SQLException | RuntimeException e) {
            noteFailure(e);
            try {
                connection.rollback();
            } catch (SQLException rollbackFailure) {
                e.addSuppressed(rollbackFailure);
            }
            throw new StorageException("Cannot empty tables " + cleared.stream().map(TableDefinition::qualifiedName).toList() + " in "
                    + location() + "; nothing was changed: " + e.getMessage(), e);
        } finally {
            try {
                connection.setAutoCommit(true);
            } catch (SQLException e) {
                LOG.warn("Cannot switch the PostgreSQL connection to {} back to auto-commit.", location(), e);
            }
        }
    }

    @Override
    public synchronized Map<TopicPartition, Long> committedOffsets() {
        Map<TopicPartition, Long> offsets = new HashMap<>();
        try {
            reconnectIfBroken();
            try (Statement s = connection.createStatement();
                 ResultSet rs = s.executeQuery("SELECT topic, \"partition\", next_offset FROM " + MAIN + "." + OFFSETS_TABLE)) {
                while (rs.next()) {
                    offsets.put(new TopicPartition(rs.getString(1), rs.getInt(2)), rs.getLong(3));
                }
            }
        } catch (SQLException e) {
            noteFailure(e);
            throw new StorageException("Cannot read the committed offsets from " + location() + ": " + e.getMessage(), e);
        }
        return offsets;
    }

    @Override
    public Map<String, List<String>> allTables() {
        Map<String, List<String>> bySchema = new TreeMap<>();
        // As the reader: the tables a query can see, which are the writer's; never other roles' tables in a shared database.
        try (Connection c = readConnection();
             Statement s = c.createStatement();
             ResultSet rs = s.executeQuery("SELECT table_schema, table_name FROM information_schema.tables WHERE table_type = 'BASE TABLE'"
                     + " AND table_schema NOT IN ('pg_catalog', 'information_schema') AND table_schema NOT LIKE 'pg\\_%'"
                     + " ORDER BY table_schema, table_name")) {
            while (rs.next()) {
                bySchema.computeIfAbsent(rs.getString(1), k -> new ArrayList<>()).add(rs.getString(2));
            }
        } catch (SQLException e) {
            throw new StorageException("Cannot list the tables of " + location() + ": " + e.getMessage(), e);
        }
        return bySchema;
    }

    /** A new connection as the read-only role, in auto-commit mode with time zone UTC; the caller closes it. */
    Connection readConnection() {
        try {
            Connection reader = DriverManager.getConnection(readUrl, readProperties);
            try (Statement s = reader.createStatement()) {
                s.execute("SET TIME ZONE 'UTC'");
            }
            return reader;
        } catch (SQLException e) {
            throw new StorageException("Cannot open a read connection to " + location() + ": " + e.getMessage(), e);
        }
    }

    private List<String> existingColumns(String schema, String table) throws SQLException {
        List<String> columns = new ArrayList<>();
        try (PreparedStatement ps = connection.prepareStatement("SELECT a.attname, format_type(a.atttypid, a.atttypmod)"
                + " FROM pg_attribute a JOIN pg_class c ON c.oid = a.attrelid JOIN pg_namespace n ON n.oid = c.relnamespace"
                + " WHERE n.nspname = ? AND c.relname = ? AND c.relkind IN ('r', 'p') AND a.attnum > 0 AND NOT a.attisdropped"
                + " ORDER BY a.attnum")) {
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
        List<String> pk = new ArrayList<>();
        try (PreparedStatement ps = connection.prepareStatement("SELECT a.attname FROM pg_index i"
                + " JOIN pg_class c ON c.oid = i.indrelid JOIN pg_namespace n ON n.oid = c.relnamespace"
                + " JOIN pg_attribute a ON a.attrelid = i.indrelid AND a.attnum = ANY (i.indkey)"
                + " WHERE n.nspname = ? AND c.relname = ? AND i.indisprimary ORDER BY array_position(i.indkey::int2[], a.attnum)")) {
            ps.setString(1, schema);
            ps.setString(2, table);
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    pk.add(rs.getString(1));
                }
            }
        }
        return pk;
    }

    private static String describe(List<String> columns, List<String> primaryKey) {
        return "(" + String.join(", ", columns) + ")" + (primaryKey.isEmpty() ? " without primary key" : " with primary key " + primaryKey);
    }

    @Override
    public synchronized <T> T inTransaction(String what, SqlWork<T> work) {
        try {
            reconnectIfBroken();
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
            noteFailure(e);
            throw new StorageException("Cannot " + what + " in " + location() + ": " + e.getMessage(), e);
        }
    }

    @Override
    public synchronized void close() {
        try {
            // Closing the session releases the writer lock and drops the staging tables.
            connection.close();
            LOG.info("Closed the PostgreSQL store {}.", location());
        } catch (SQLException e) {
            throw new StorageException("Cannot close the PostgreSQL store " + location() + ": " + e.getMessage(), e);
        }
    }
}
