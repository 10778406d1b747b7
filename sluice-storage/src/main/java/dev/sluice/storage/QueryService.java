package dev.sluice.storage;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.sluice.PathRedactor;
import dev.sluice.SluiceException;
import dev.sluice.storage.internal.JsonSize;
import dev.sluice.storage.internal.PostgresQueryCheck;
import dev.sluice.storage.internal.QueryPolicy;
import dev.sluice.storage.internal.Sql;
import dev.sluice.storage.internal.SqlText;
import java.io.IOException;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.ResultSetMetaData;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Clock;
import java.time.Duration;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.LocalTime;
import java.time.OffsetDateTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.concurrent.Semaphore;

/**
 * Read-only SQL over a {@link ResultStore} (DuckDB or PostgreSQL), for the REST API and dashboards. Safe to call from
 * many threads: every call uses its own connection and never waits for the loader.
 *
 * <p>Over DuckDB, a query must be exactly one read-only statement: SELECT, WITH … SELECT, VALUES, FROM-first, SHOW
 * TABLES, DESCRIBE, SUMMARIZE, or EXPLAIN [ANALYZE] of one of those. Anything else is refused with
 * {@link QueryRejectedException} before it runs. The decision is made on DuckDB's own parse of the text
 * ({@code json_serialize_sql}, which parses without executing and only accepts SELECT statements), not on the text:
 * the parse tree may only call functions on an allow list and only read storage tables ({@link QueryPolicy}), so SQL
 * hidden in a string literal can never run, because every function that would run it is off the list. The JDBC
 * driver's {@code prepareStatement} cannot be used for the check because it executes all but the last of several
 * statements while preparing. The text that runs is exactly the text that was checked. Accepted queries run inside
 * a {@code READ ONLY} transaction, on a database whose configuration is locked and which has no external access.
 *
 * <p>Over PostgreSQL, a query must be exactly one SELECT, WITH, VALUES or TABLE statement, or EXPLAIN [ANALYZE] of
 * one ({@link PostgresQueryCheck}); its plan may read only storage tables (of the pipeline's schema for a pipeline's
 * queries). What guarantees that nothing changes is PostgreSQL itself: the query runs on a connection of a role that
 * may only read ({@link PostgresSettings}), inside a {@code READ ONLY} transaction, with a {@code statement_timeout}.
 *
 * <p>Every query is bounded ({@link QueryLimits}): it is cancelled after the timeout, which covers running it and
 * reading and converting its rows; its result may take about {@code maxResultBytes} of JSON; and only
 * {@code maxConcurrentQueries} run at once ({@link TooManyQueriesException} beyond that). Messages name the data
 * directory {@code <data-dir>}, never its absolute path.
 *
 * <pre>{@code
 * QueryService queries = new QueryService(store);
 * QueryResult r = queries.query("SELECT merchant_id, sum(amount) FROM sales GROUP BY 1", 1000);
 * }</pre>
 */
public final class QueryService {
    static final String ALLOWED = "only read-only queries (SELECT, WITH, VALUES, FROM, SHOW, DESCRIBE, SUMMARIZE, EXPLAIN) are allowed";
    private static final ObjectMapper JSON = new ObjectMapper();

    private final ResultStore store;
    /** Whether the store is PostgreSQL, whose own parser, role and settings make the checks (see {@link PostgresQueryCheck}). */
    private final boolean postgres;
    private final QueryLimits limits;
    private final Clock clock;
    private final Semaphore running;
    private final PathRedactor redactor;
    /** Built on first use, from the catalog of the store. */
    private volatile QueryPolicy policy;

    public QueryService(ResultStore store) {
        this(store, QueryLimits.defaults(), Clock.systemUTC());
    }

    /** @param timeout how long one query may take before it is cancelled */
    public QueryService(ResultStore store, Duration timeout) {
        this(store, QueryLimits.defaults().withTimeout(timeout), Clock.systemUTC());
    }

    /** @param clock measures the timeout */
    public QueryService(ResultStore store, QueryLimits limits, Clock clock) {
        this.store = store;
        this.limits = limits;
        this.clock = clock;
        this.running = new Semaphore(limits.maxConcurrentQueries());
        this.postgres = store instanceof PostgresStore;
        if (store instanceof DuckDbStore duckDb) {
            this.redactor = PathRedactor.of(duckDb.file().getParent() != null ? duckDb.file().getParent() : duckDb.file());
        } else {
            this.redactor = PathRedactor.none();
        }
    }

    public QueryLimits limits() {
        return limits;
    }

    /** How many queries are running now. */
    public int runningQueries() {
        return limits.maxConcurrentQueries() - running.availablePermits();
    }

    /**
     * Runs one read-only statement and returns at most {@code maxRows} rows.
     *
     * @throws QueryRejectedException when the text is not exactly one read-only statement, or calls a function or
     *                                reads a table that is not allowed
     * @throws QueryFailedException   when DuckDB cannot run it (unknown table, type error, timeout, result too large, …)
     * @throws TooManyQueriesException when the limit of queries running at once is reached
     */
    public QueryResult query(String sql, int maxRows) {
        return query(sql, maxRows, QueryScope.all(TableDefinition.DEFAULT_SCHEMA));
    }

    /**
     * Runs one read-only statement over the tables of {@code scope}, resolving unqualified table names in its
     * default schema, and returns at most {@code maxRows} rows.
     *
     * @throws QueryRejectedException  as {@link #query(String, int)}, also for a table outside the scope
     * @throws QueryFailedException    when DuckDB cannot run it
     * @throws TooManyQueriesException when the limit of queries running at once is reached
     */
    public QueryResult query(String sql, int maxRows, QueryScope scope) {
        checkMaxRows(maxRows);
        if (sql == null || SqlText.isBlank(sql)) {
            throw new QueryRejectedException("empty query");
        }
        acquire();
        try (Connection c = connect()) {
            long deadline = deadline();
            if (postgres) {
                useSchema(c, scope.defaultSchema());
                String statement = PostgresQueryCheck.statement(sql);
                checkPlan(c, statement, scope.readable().orElseGet(() -> store.allTables().keySet()), deadline);
                return run(c, sql, maxRows, deadline);
            }
            String checked = check(c, sql, scope);
            useSchema(c, scope.defaultSchema());
            return run(c, checked, maxRows, deadline);
        } catch (SQLException e) {
            throw failed("query failed: ", e);
        } finally {
            running.release();
        }
    }

    /**
     * The first {@code limit} rows of a table, in storage order, within the same limits as {@link #query}.
     *
     * @throws TableNotFoundException when there is no such table; the message lists the tables there are
     */
    public QueryResult tableRows(String table, int limit) {
        return tableRows(TableDefinition.DEFAULT_SCHEMA, table, limit);
    }

    /**
     * The first {@code limit} rows of a table of one schema (a pipeline's), within the same limits as {@link #query}.
     *
     * @throws TableNotFoundException when the schema has no such table; the message lists the tables it has
     */
    public QueryResult tableRows(String schema, String table, int limit) {
        checkMaxRows(limit);
        List<String> tables = store.tables(schema);
        if (!tables.contains(table)) {
            throw new TableNotFoundException("no table '" + table + "'; tables are: " + String.join(", ", tables));
        }
        acquire();
        try (Connection c = connect()) {
            return run(c, "SELECT * FROM " + Sql.quote(schema) + "." + Sql.quote(table), limit, deadline());
        } catch (SQLException e) {
            throw failed("reading table '" + table + "' failed: ", e);
        } finally {
            running.release();
        }
    }

    private void acquire() {
        if (!running.tryAcquire()) {
            throw new TooManyQueriesException("too many queries are running: at most " + limits.maxConcurrentQueries()
                    + " run at a time; try again when one has ended");
        }
    }

    private Connection connect() {
        try {
            return store instanceof DuckDbStore duckDb ? duckDb.readConnection() : ((PostgresStore) store).readConnection();
        } catch (StorageException e) {
            throw new StorageException(redactor.redact(e.getMessage()), e);
        }
    }

    private long deadline() {
        return clock.millis() + limits.timeout().toMillis();
    }

    private QueryFailedException failed(String prefix, SQLException e) {
        return new QueryFailedException(redactor.redact(prefix + e.getMessage()), e);
    }

    private static void checkMaxRows(int maxRows) {
        if (maxRows < 1) {
            throw new IllegalArgumentException("maxRows must be at least 1, got " + maxRows);
        }
    }

    /**
     * Refuses anything that DuckDB's parser does not see as exactly one SELECT (optionally behind EXPLAIN) made of
     * allowed functions and storage tables, and returns the text to run: exactly the text that was checked, with
     * Sluice's own EXPLAIN prefix in front, so that a comment our lexer reads differently from DuckDB's cannot
     * smuggle in anything unchecked.
     */
    private void useSchema(Connection c, String schema) throws SQLException {
        // A per-connection setting (DuckDB allows it with its configuration locked); every query has its own connection.
        try (Statement s = c.createStatement()) {
            s.execute(postgres ? "SET search_path TO " + Sql.quote(schema) : "SET schema = " + Sql.literal(schema));
        }
    }

    /**
     * Plans the statement without running it ({@code EXPLAIN (VERBOSE, FORMAT JSON)}, read-only, under the timeout,
     * since planning folds constants) and refuses it when the plan reads a table outside {@code schemas}, such as
     * another pipeline's or PostgreSQL's catalog.
     *
     * @return the tables the plan reads, as lower-case {@code schema.table}
     */
    private Set<String> checkPlan(Connection c, String statement, Set<String> schemas, long deadline) throws SQLException {
        JsonNode plan;
        try (Statement s = c.createStatement()) {
            s.setEscapeProcessing(false);
            s.execute("BEGIN TRANSACTION READ ONLY");
            try {
                s.execute("SET LOCAL statement_timeout = " + Math.max(1, deadline - clock.millis()));
                try (ResultSet rs = s.executeQuery("EXPLAIN (VERBOSE, FORMAT JSON) " + statement)) {
                    rs.next();
                    plan = JSON.readTree(rs.getString(1));
                }
            } catch (IOException e) {
                throw new SQLException("cannot read PostgreSQL's plan of the query: " + e.getMessage(), e);
            } catch (SQLException e) {
                if (clock.millis() >= deadline || "57014".equals(e.getSQLState())) {
                    throw timedOut(e);
                }
                throw e;
            } finally {
                s.execute("ROLLBACK");
            }
        }
        Set<String> read = PostgresQueryCheck.relations(plan);
        for (String table : read) {
            String schema = table.substring(0, table.indexOf('.'));
            if (!schemas.contains(schema)) {
                throw new QueryRejectedException("'" + table + "' is not a storage table; queries may read only the storage tables of "
                        + new java.util.TreeSet<>(schemas) + " and names they define with WITH");
            }
        }
        return read;
    }

    private String check(Connection c, String sql, QueryScope scope) throws SQLException {
        Map<String, Set<String>> readable = new HashMap<>();
        store.allTables().forEach((schema, names) -> {
            if (scope.reads(schema)) {
                readable.put(schema, new HashSet<>(names));
            }
        });
        return check(c, sql, scope.defaultSchema(), readable).text();
    }

    /** A query that passed the checks: the text to run and the storage tables it reads. */
    private record Checked(String text, Set<String> tables) {}

    /**
     * Checks a query exactly as {@link #query(String, int, QueryScope)} does, but against the tables given here
     * rather than those in storage now (a pipeline's tables before it is deployed), without running it.
     *
     * @param schema the schema unqualified table names resolve in, and the only one the query may read
     * @param tables the tables of {@code schema} the query may read
     * @return the tables the query reads (not its {@code WITH} names), as lower-case {@code schema.table}
     * @throws QueryRejectedException when the text is not exactly one read-only statement over those tables
     */
    public Set<String> tablesRead(String sql, String schema, Set<String> tables) {
        if (sql == null || SqlText.isBlank(sql)) {
            throw new QueryRejectedException("empty query");
        }
        try (Connection c = connect()) {
            if (postgres) {
                return tablesReadPostgres(c, sql, schema, tables);
            }
            return check(c, sql, schema, Map.of(schema, new HashSet<>(tables))).tables();
        } catch (SQLException e) {
            throw failed("checking the query failed: ", e);
        }
    }

    /**
     * PostgreSQL can only plan a query over tables that exist: before a pipeline's tables are created, the answer is
     * all of {@code tables}, which is never less than the query reads.
     */
    private Set<String> tablesReadPostgres(Connection c, String sql, String schema, Set<String> tables) throws SQLException {
        String statement = PostgresQueryCheck.statement(sql);
        useSchema(c, schema);
        try {
            return checkPlan(c, statement, Set.of(schema), deadline());
        } catch (SQLException e) {
            if (!"42P01".equals(e.getSQLState())) {
                throw e;
            }
            Set<String> all = new HashSet<>();
            for (String t : tables) {
                all.add((schema + "." + t).toLowerCase(Locale.ROOT));
            }
            return all;
        }
    }

    private Checked check(Connection c, String sql, String defaultSchema, Map<String, Set<String>> readable) throws SQLException {
        String statement = sql;
        String prefix = "";
        String keyword = SqlText.firstKeyword(sql);
        if (keyword.equals("EXPLAIN")) {
            statement = SqlText.afterFirstKeyword(statement);
            prefix = "EXPLAIN ";
            String next = SqlText.firstKeyword(statement);
            if (next.equals("ANALYZE") || next.equals("ANALYSE")) {
                statement = SqlText.afterFirstKeyword(statement);
                prefix = "EXPLAIN ANALYZE ";
            }
        }
        JsonNode parsed;
        try (PreparedStatement ps = c.prepareStatement("SELECT json_serialize_sql(CAST(? AS VARCHAR))")) {
            ps.setString(1, statement);
            try (ResultSet rs = ps.executeQuery()) {
                rs.next();
                parsed = JSON.readTree(rs.getString(1));
            }
        } catch (IOException e) {
            throw new SQLException("cannot read DuckDB's parse of the query: " + e.getMessage(), e);
        }
        if (!parsed.path("error").asBoolean(false)) {
            int statements = parsed.path("statements").size();
            if (statements == 0) {
                throw new QueryRejectedException("empty query");
            }
            if (statements > 1) {
                throw new QueryRejectedException("only one statement is allowed, got " + statements);
            }
            Set<String> read = policy(c).check(parsed.path("statements").get(0), defaultSchema, readable);
            return new Checked(prefix + statement, read);
        }
        int counted = SqlText.statementCount(sql);
        if (counted > 1) {
            throw new QueryRejectedException("only one statement is allowed, got " + counted);
        }
        if ("parser".equals(parsed.path("error_type").asText())) {
            String position = parsed.path("position").asText("");
            throw new QueryRejectedException("cannot parse the query: " + parsed.path("error_message").asText()
                    + (position.isEmpty() ? "" : " (at character " + position + ")"));
        }
        String got = SqlText.firstKeyword(statement);
        throw new QueryRejectedException(ALLOWED + "; got " + (got.isEmpty() ? "something else" : got));
    }

    /** The policy, made once from the names of DuckDB's system views, which a query's WITH names must not take. */
    private QueryPolicy policy(Connection c) throws SQLException {
        QueryPolicy p = policy;
        if (p == null) {
            Set<String> systemNames = new HashSet<>();
            String database;
            try (Statement s = c.createStatement()) {
                try (ResultSet rs = s.executeQuery("SELECT view_name FROM duckdb_views() WHERE internal"
                        + " UNION SELECT table_name FROM duckdb_tables() WHERE internal")) {
                    while (rs.next()) {
                        systemNames.add(rs.getString(1));
                    }
                }
                try (ResultSet rs = s.executeQuery("SELECT current_database()")) {
                    rs.next();
                    database = rs.getString(1);
                }
            }
            p = new QueryPolicy(systemNames, database);
            policy = p;
        }
        return p;
    }

    private QueryResult run(Connection c, String sql, int maxRows, long deadline) throws SQLException {
        try (Statement s = c.createStatement()) {
            s.execute("BEGIN TRANSACTION READ ONLY");
            try {
                if (postgres) {
                    // The server cancels the statement itself; the text runs as written, without JDBC escape rewriting.
                    s.setEscapeProcessing(false);
                    s.execute("SET LOCAL statement_timeout = " + Math.max(1, deadline - clock.millis()));
                }
                // The driver cancels the statement after whole seconds; reading the rows is timed below.
                s.setQueryTimeout((int) Math.max(1, (deadline - clock.millis() + 999) / 1000));
                s.setMaxRows(maxRows + 1);
                try (ResultSet rs = s.executeQuery(sql)) {
                    return read(rs, maxRows, deadline);
                }
            } catch (SQLException e) {
                if (clock.millis() >= deadline || (postgres && "57014".equals(e.getSQLState()))) {
                    throw timedOut(e);
                }
                throw e;
            } catch (SluiceException e) {
                throw e;
            } catch (RuntimeException e) {
                // The driver fails with unchecked exceptions too, e.g. a NullPointerException for a value too large to copy.
                throw new QueryFailedException(redactor.redact("query failed: the result could not be read: " + e), e);
            } finally {
                try (Statement end = c.createStatement()) {
                    end.execute("ROLLBACK");
                }
            }
        }
    }

    private QueryFailedException timedOut(Exception cause) {
        return new QueryFailedException("query failed: it took longer than the limit of " + describe(limits.timeout())
                + " and was cancelled", cause);
    }

    private QueryResult read(ResultSet rs, int maxRows, long deadline) throws SQLException {
        ResultSetMetaData meta = rs.getMetaData();
        int n = meta.getColumnCount();
        List<ResultColumn> columns = new ArrayList<>(n);
        String[] types = new String[n];
        long bytes = 0;
        for (int i = 1; i <= n; i++) {
            types[i - 1] = postgres ? postgresTypeName(meta, i) : meta.getColumnTypeName(i);
            columns.add(new ResultColumn(meta.getColumnLabel(i), types[i - 1]));
            bytes += JsonSize.of(columns.get(i - 1).name()) + JsonSize.of(types[i - 1]) + 20;
        }
        List<List<Object>> rows = new ArrayList<>();
        boolean truncated = false;
        while (rs.next()) {
            if (rows.size() == maxRows) {
                truncated = true;
                break;
            }
            if (clock.millis() >= deadline) {
                throw timedOut(null);
            }
            List<Object> row = new ArrayList<>(n);
            bytes += 2;
            for (int i = 1; i <= n; i++) {
                Object value;
                try {
                    value = value(rs, i, types[i - 1]);
                } catch (RuntimeException e) {
                    // The driver throws unchecked exceptions for values it cannot convert, e.g. TIME '24:00:00'.
                    throw new QueryFailedException(redactor.redact("query failed: cannot read column '" + columns.get(i - 1).name()
                            + "' (" + types[i - 1] + ") of row " + (rows.size() + 1) + ": " + e.getMessage()), e);
                }
                row.add(value);
                bytes += JsonSize.of(value) + 1;
            }
            if (bytes > limits.maxResultBytes()) {
                throw new QueryFailedException("query failed: the result is larger than the limit of "
                        + describeBytes(limits.maxResultBytes()) + " (reached in row " + (rows.size() + 1)
                        + "); ask for fewer rows or columns, e.g. with LIMIT", null);
            }
            rows.add(row);
        }
        return new QueryResult(columns, rows, truncated);
    }

    private static String describe(Duration d) {
        return d.toMillis() % 1000 == 0 ? d.toSeconds() + " s" : d.toMillis() + " ms";
    }

    private static String describeBytes(long bytes) {
        long mib = 1024L * 1024;
        if (bytes % mib == 0) {
            return bytes / mib + " MiB";
        }
        return bytes % 1024 == 0 ? bytes / 1024 + " KiB" : bytes + " bytes";
    }

    /** PostgreSQL's type names as DuckDB spells the same types, so that clients see one set of names. */
    private static String postgresTypeName(ResultSetMetaData meta, int i) throws SQLException {
        String name = meta.getColumnTypeName(i);
        return switch (name) {
            case "text", "varchar", "bpchar", "name" -> "VARCHAR";
            case "bool" -> "BOOLEAN";
            case "int2" -> "SMALLINT";
            case "int4" -> "INTEGER";
            case "int8" -> "BIGINT";
            case "float4" -> "FLOAT";
            case "float8" -> "DOUBLE";
            case "numeric" -> meta.getPrecision(i) > 0 && meta.getPrecision(i) <= 1000
                    ? "DECIMAL(" + meta.getPrecision(i) + "," + meta.getScale(i) + ")" : "DECIMAL";
            case "date" -> "DATE";
            case "time" -> "TIME";
            case "timestamp" -> "TIMESTAMP";
            case "timestamptz" -> "TIMESTAMP WITH TIME ZONE";
            default -> name.toUpperCase(Locale.ROOT);
        };
    }

    private static Object value(ResultSet rs, int i, String type) throws SQLException {
        String t = type.toUpperCase(Locale.ROOT);
        switch (t) {
            case "TIMESTAMP WITH TIME ZONE", "TIMESTAMPTZ" -> {
                OffsetDateTime v = rs.getObject(i, OffsetDateTime.class);
                return v == null ? null : DateTimeFormatter.ISO_INSTANT.format(v.toInstant());
            }
            case "TIMESTAMP", "TIMESTAMP_MS", "TIMESTAMP_NS", "TIMESTAMP_S" -> {
                LocalDateTime v = rs.getObject(i, LocalDateTime.class);
                return v == null ? null : DateTimeFormatter.ISO_LOCAL_DATE_TIME.format(v);
            }
            case "DATE" -> {
                LocalDate v = rs.getObject(i, LocalDate.class);
                return v == null ? null : v.toString();
            }
            case "TIME" -> {
                // DuckDB JDBC 1.4 cannot convert TIME to LocalTime directly; its text form is ISO already. It cannot
                // read TIME '24:00:00' at all (DateTimeException), which fails the query as a conversion error.
                String v = rs.getString(i);
                return v == null ? null : DateTimeFormatter.ISO_LOCAL_TIME.format(LocalTime.parse(v));
            }
            default -> {
                return plain(rs.getObject(i), rs, i);
            }
        }
    }

    private static Object plain(Object v, ResultSet rs, int i) throws SQLException {
        if (v == null || v instanceof String || v instanceof Integer || v instanceof Long || v instanceof Boolean
                || v instanceof BigDecimal) {
            return v;
        }
        if (v instanceof Byte || v instanceof Short) {
            return ((Number) v).intValue();
        }
        if (v instanceof Float f) {
            // Through its shortest decimal text, so that 0.1f reads as 0.1 and not 0.10000000149011612.
            return finite(Double.parseDouble(Float.toString(f)));
        }
        if (v instanceof Double d) {
            return finite(d);
        }
        if (v instanceof BigInteger b) {
            return new BigDecimal(b);
        }
        return rs.getString(i);
    }

    private static Object finite(double d) {
        if (Double.isNaN(d)) {
            return "NaN";
        }
        if (Double.isInfinite(d)) {
            return d > 0 ? "Infinity" : "-Infinity";
        }
        return d;
    }
}
