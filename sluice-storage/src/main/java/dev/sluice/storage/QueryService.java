package dev.sluice.storage;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
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
import java.time.Duration;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.LocalTime;
import java.time.OffsetDateTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/**
 * Read-only SQL over a {@link DuckDbStore}, for the REST API and dashboards. Safe to call from many threads: every
 * call uses its own connection and never waits for the loader.
 *
 * <p>A query must be exactly one read-only statement: SELECT, WITH … SELECT, VALUES, FROM-first, SHOW, DESCRIBE,
 * SUMMARIZE, or EXPLAIN [ANALYZE] of one of those. Anything else is refused with {@link QueryRejectedException}
 * before it runs. The decision is DuckDB's own parser ({@code json_serialize_sql}, which parses without executing
 * and only accepts SELECT statements), not a prefix check; note that the JDBC driver's {@code prepareStatement}
 * cannot be used for this because it executes all but the last of several statements while preparing. Accepted
 * queries then run inside a {@code READ ONLY} transaction, and the database has external access disabled, so
 * table functions that read files ({@code read_csv}, {@code read_parquet}, …) fail with a permission error.
 * {@code checkpoint()} and {@code force_checkpoint()} parse as SELECT but act on the database, so they are refused by
 * name. Limit: read-only statements DuckDB does not parse as SELECT (e.g. {@code PIVOT}) are refused too.
 *
 * <pre>{@code
 * QueryService queries = new QueryService(store);
 * QueryResult r = queries.query("SELECT merchant_id, sum(amount) FROM sales GROUP BY 1", 1000);
 * }</pre>
 */
public final class QueryService {
    static final String ALLOWED = "only read-only queries (SELECT, WITH, VALUES, FROM, SHOW, DESCRIBE, SUMMARIZE, EXPLAIN) are allowed";
    /** Functions that parse as SELECT but act on the database, not on data. */
    /**
     * Table and scalar functions a read-only query may not call: they write, change settings, or run SQL text
     * that the parser cannot see ({@code query}, {@code query_table}).
     */
    private static final Set<String> WRITING_FUNCTIONS = Set.of("checkpoint", "force_checkpoint", "query", "query_table",
            "enable_logging", "disable_logging", "truncate_duckdb_logs", "enable_profiling", "disable_profiling");
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Duration DEFAULT_TIMEOUT = Duration.ofSeconds(30);

    private final DuckDbStore store;
    private final Duration timeout;

    public QueryService(DuckDbStore store) {
        this(store, DEFAULT_TIMEOUT);
    }

    /** @param timeout how long one query may run before it is cancelled (whole seconds, at least one) */
    public QueryService(DuckDbStore store, Duration timeout) {
        this.store = store;
        this.timeout = timeout;
    }

    /**
     * Runs one read-only statement and returns at most {@code maxRows} rows.
     *
     * @throws QueryRejectedException when the text is not exactly one read-only statement
     * @throws QueryFailedException when DuckDB cannot run it (unknown table, type error, timeout, …)
     */
    public QueryResult query(String sql, int maxRows) {
        checkMaxRows(maxRows);
        if (sql == null || SqlText.isBlank(sql)) {
            throw new QueryRejectedException("empty query");
        }
        try (Connection c = store.readConnection()) {
            return run(c, check(c, sql), maxRows);
        } catch (SQLException e) {
            throw new QueryFailedException("query failed: " + e.getMessage(), e);
        }
    }

    /**
     * The first {@code limit} rows of a table, in storage order.
     *
     * @throws TableNotFoundException when there is no such table; the message lists the tables there are
     */
    public QueryResult tableRows(String table, int limit) {
        checkMaxRows(limit);
        List<String> tables = store.tables();
        if (!tables.contains(table)) {
            throw new TableNotFoundException("no table '" + table + "'; tables are: " + String.join(", ", tables));
        }
        try (Connection c = store.readConnection()) {
            return run(c, "SELECT * FROM main." + Sql.quote(table), limit);
        } catch (SQLException e) {
            throw new QueryFailedException("reading table '" + table + "' failed: " + e.getMessage(), e);
        }
    }

    private static void checkMaxRows(int maxRows) {
        if (maxRows < 1) {
            throw new IllegalArgumentException("maxRows must be at least 1, got " + maxRows);
        }
    }

    /**
     * Refuses anything that DuckDB's parser does not see as exactly one SELECT (optionally behind EXPLAIN), and
     * returns the text to run: exactly the text that was checked, with Sluice's own EXPLAIN prefix in front, so that
     * a comment our lexer reads differently from DuckDB's cannot smuggle in anything unchecked.
     */
    private static String check(Connection c, String sql) throws SQLException {
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
            for (String function : parsed.findValuesAsText("function_name")) {
                if (WRITING_FUNCTIONS.contains(function.toLowerCase(Locale.ROOT))) {
                    throw new QueryRejectedException(ALLOWED + "; got a call to " + function + "()");
                }
            }
            return prefix + statement;
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

    private QueryResult run(Connection c, String sql, int maxRows) throws SQLException {
        try (Statement s = c.createStatement()) {
            s.execute("BEGIN TRANSACTION READ ONLY");
            try {
                s.setQueryTimeout((int) Math.max(1, timeout.toSeconds()));
                s.setMaxRows(maxRows + 1);
                try (ResultSet rs = s.executeQuery(sql)) {
                    return read(rs, maxRows);
                }
            } finally {
                try (Statement end = c.createStatement()) {
                    end.execute("ROLLBACK");
                }
            }
        }
    }

    private static QueryResult read(ResultSet rs, int maxRows) throws SQLException {
        ResultSetMetaData meta = rs.getMetaData();
        int n = meta.getColumnCount();
        List<ResultColumn> columns = new ArrayList<>(n);
        String[] types = new String[n];
        for (int i = 1; i <= n; i++) {
            types[i - 1] = meta.getColumnTypeName(i);
            columns.add(new ResultColumn(meta.getColumnLabel(i), types[i - 1]));
        }
        List<List<Object>> rows = new ArrayList<>();
        boolean truncated = false;
        while (rs.next()) {
            if (rows.size() == maxRows) {
                truncated = true;
                break;
            }
            List<Object> row = new ArrayList<>(n);
            for (int i = 1; i <= n; i++) {
                row.add(value(rs, i, types[i - 1]));
            }
            rows.add(row);
        }
        return new QueryResult(columns, rows, truncated);
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
                // DuckDB JDBC 1.4 cannot convert TIME to LocalTime directly; its text form is ISO already.
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
