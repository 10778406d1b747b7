package dev.sluice.storage.internal;

import static org.assertj.core.api.Assertions.assertThat;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

class QueryPolicyTest {
    /** Function name to its DuckDB types (scalar, aggregate, macro, table, …). */
    static final Map<String, Set<String>> DUCKDB = new HashMap<>();

    @BeforeAll
    static void readDuckDbsFunctions() throws Exception {
        try (Connection c = DriverManager.getConnection("jdbc:duckdb:"); Statement s = c.createStatement();
                ResultSet rs = s.executeQuery("SELECT DISTINCT lower(function_name), function_type FROM duckdb_functions()")) {
            while (rs.next()) {
                DUCKDB.computeIfAbsent(rs.getString(1), k -> new TreeSet<>()).add(rs.getString(2));
            }
        }
    }

    @Test
    void everyListedFunctionIsADuckDbFunctionOfThatKind() {
        // unnest is parsed specially in a SELECT list and only registered as a table function.
        assertThat(missing(QueryPolicy.OPERATORS, "scalar")).isEmpty();
        assertThat(missing(QueryPolicy.NUMERIC, "scalar", "macro")).isEmpty();
        assertThat(missing(QueryPolicy.TEXT, "scalar", "macro")).isEmpty();
        assertThat(missing(QueryPolicy.TIME, "scalar", "macro")).isEmpty();
        assertThat(missing(QueryPolicy.NESTED, "scalar", "macro")).containsExactly("unnest");
        assertThat(missing(QueryPolicy.JSON_VALUES, "scalar", "macro")).isEmpty();
        assertThat(missing(QueryPolicy.OTHER, "scalar", "macro")).isEmpty();
        assertThat(missing(QueryPolicy.AGGREGATES, "aggregate", "macro")).isEmpty();
        assertThat(missing(QueryPolicy.TABLE_FUNCTIONS, "table")).isEmpty();
    }

    @Test
    void noTableFunctionThatReadsFilesRunsSqlOrShowsTheSystemIsListed() {
        Set<String> allowed = new TreeSet<>(QueryPolicy.TABLE_FUNCTIONS);
        Set<String> refused = new TreeSet<>();
        DUCKDB.forEach((name, types) -> {
            if (types.contains("table") && !allowed.contains(name)) {
                refused.add(name);
            }
        });

        assertThat(refused).contains("query", "query_table", "json_execute_serialized_sql", "read_csv", "read_parquet",
                "read_text", "read_blob", "glob", "enable_logging", "duckdb_settings", "duckdb_databases", "duckdb_extensions",
                "checkpoint", "force_checkpoint", "pragma_database_size", "which_secret", "duckdb_secrets");
        assertThat(allowed).containsExactlyInAnyOrder("range", "generate_series", "unnest", "repeat", "repeat_row", "json_each", "json_tree");
    }

    @Test
    void theSecurityDocumentListsExactlyTheAllowedFunctions() throws Exception {
        String doc = java.nio.file.Files.readString(java.nio.file.Path.of("..", "docs", "security.md"));
        String list = doc.substring(doc.indexOf("<!-- allowed-functions"), doc.indexOf("<!-- end of allowed-functions -->"));
        Set<String> documented = new TreeSet<>();
        java.util.regex.Matcher code = java.util.regex.Pattern.compile("`([^`]+)`").matcher(list);
        while (code.find()) {
            documented.add(code.group(1));
        }
        Set<String> allowed = new TreeSet<>();
        for (Set<String> s : List.of(QueryPolicy.OPERATORS, QueryPolicy.NUMERIC, QueryPolicy.TEXT, QueryPolicy.TIME, QueryPolicy.NESTED,
                QueryPolicy.JSON_VALUES, QueryPolicy.OTHER, QueryPolicy.AGGREGATES, QueryPolicy.WINDOW, QueryPolicy.TABLE_FUNCTIONS)) {
            allowed.addAll(s);
        }

        assertThat(documented).isEqualTo(allowed);
    }

    private static Set<String> missing(Set<String> listed, String... kinds) {
        Set<String> missing = new TreeSet<>();
        for (String name : listed) {
            Set<String> types = DUCKDB.getOrDefault(name, Set.of());
            if (Set.of(kinds).stream().noneMatch(types::contains)) {
                missing.add(name);
            }
        }
        return missing;
    }
}
