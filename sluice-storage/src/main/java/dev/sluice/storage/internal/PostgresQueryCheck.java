package dev.sluice.storage.internal;

import com.fasterxml.jackson.databind.JsonNode;
import dev.sluice.storage.QueryRejectedException;
import java.sql.SQLException;
import java.util.Locale;
import java.util.Set;
import java.util.TreeSet;
import org.postgresql.core.Parser;

/**
 * The checks a query passes before it runs on PostgreSQL. They keep the API's promise of "one read-only statement";
 * what makes it hold is PostgreSQL itself: the query runs as a role that may only read, inside a
 * {@code READ ONLY} transaction, under a {@code statement_timeout}.
 *
 * <ul>
 *   <li>exactly one statement, counted by the JDBC driver's own parser, which is the one that would split the text
 *       into several statements when it runs (and by Sluice's lexer, for the message);</li>
 *   <li>a statement that starts with SELECT, WITH, VALUES or TABLE, optionally behind EXPLAIN [ANALYZE] [VERBOSE];</li>
 *   <li>for a pipeline's queries, a plan ({@code EXPLAIN (VERBOSE, FORMAT JSON)}, which does not run the query) that
 *       reads only tables of the schemas in scope, see {@link #relations(JsonNode)}.</li>
 * </ul>
 */
public final class PostgresQueryCheck {
    /** What the API says when a query is not one of the allowed kinds. */
    public static final String ALLOWED = "only read-only queries (SELECT, WITH, VALUES, TABLE, EXPLAIN) are allowed";
    private static final Set<String> STARTS = Set.of("SELECT", "WITH", "VALUES", "TABLE");

    private PostgresQueryCheck() {}

    /**
     * The statement behind an optional EXPLAIN prefix, after the text passed the checks above.
     *
     * @throws QueryRejectedException when the text is not exactly one statement of an allowed kind
     */
    public static String statement(String sql) {
        int lexed = SqlText.statementCount(sql);
        if (lexed == 0) {
            throw new QueryRejectedException("empty query");
        }
        int parsed;
        try {
            parsed = Parser.parseJdbcSql(sql, true, false, true, false, false).size();
        } catch (SQLException e) {
            throw new QueryRejectedException("cannot parse the query: " + e.getMessage());
        }
        int count = Math.max(lexed, parsed);
        if (count > 1) {
            throw new QueryRejectedException("only one statement is allowed, got " + count);
        }
        String statement = sql;
        if (SqlText.firstKeyword(statement).equals("EXPLAIN")) {
            statement = SqlText.afterFirstKeyword(statement);
            for (String option : new String[] {"ANALYZE", "ANALYSE", "VERBOSE"}) {
                if (SqlText.firstKeyword(statement).equals(option)) {
                    statement = SqlText.afterFirstKeyword(statement);
                }
            }
        }
        String keyword = SqlText.firstKeyword(statement);
        if (!STARTS.contains(keyword)) {
            throw new QueryRejectedException(ALLOWED + "; got " + (keyword.isEmpty() ? "something else" : keyword));
        }
        return statement;
    }

    /**
     * The tables a plan of {@code EXPLAIN (VERBOSE, FORMAT JSON)} reads, as lower-case {@code schema.table}: every
     * node's {@code Schema} and {@code Relation Name}, at any depth (subqueries, CTEs, init plans).
     */
    public static Set<String> relations(JsonNode plan) {
        Set<String> found = new TreeSet<>();
        collect(plan, found);
        return found;
    }

    private static void collect(JsonNode node, Set<String> found) {
        if (node.isObject() && node.has("Relation Name")) {
            found.add((node.path("Schema").asText("") + "." + node.path("Relation Name").asText()).toLowerCase(Locale.ROOT));
        }
        if (node.isContainerNode()) {
            for (JsonNode child : node) {
                collect(child, found);
            }
        }
    }
}
