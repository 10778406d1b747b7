package dev.sluice.storage;

import static dev.sluice.storage.DuckDbStoreTest.col;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.sluice.spec.SinkSpec;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

class QueryServiceTest {
    static final String ALLOWED = "only read-only queries (SELECT, WITH, VALUES, FROM, SHOW, DESCRIBE, SUMMARIZE, EXPLAIN) are allowed";
    static final TableDefinition T = new TableDefinition("t", "t-results", List.of(col("id", "STRING"), col("n", "BIGINT")),
            List.of("id"), SinkSpec.Mode.UPSERT);

    @TempDir
    Path dir;
    DuckDbStore store;
    QueryService queries;

    @BeforeEach
    void open() {
        store = DuckDbStore.open(dir.resolve("q.duckdb"));
        store.ensureTable(T);
        store.write(LoadBatch.builder().row("t", "a", "1").row("t", "b", "2").row("t", "c", "3").build());
        queries = new QueryService(store);
    }

    @AfterEach
    void close() {
        store.close();
    }

    @ParameterizedTest
    @ValueSource(strings = {
        "SELECT id, n FROM t ORDER BY id",
        "  select id, n from t order by id ;  ",
        "-- leading comment\nSELECT id, n FROM t ORDER BY id",
        "/* block; with a semicolon */ SELECT id, n FROM t ORDER BY id",
        "WITH x AS (SELECT * FROM t) SELECT id, n FROM x ORDER BY id",
        "FROM t SELECT id, n ORDER BY id",
        "SELECT * FROM (VALUES ('a', 1::BIGINT), ('b', 2), ('c', 3))",
        "SELECT id, n FROM t WHERE id <> 'x;y' ORDER BY id",
    })
    void runsOneReadOnlyQuery(String sql) {
        QueryResult r = queries.query(sql, 10);

        assertThat(r.rows()).containsExactly(List.of("a", 1L), List.of("b", 2L), List.of("c", 3L));
        assertThat(r.truncated()).isFalse();
    }

    @ParameterizedTest
    @ValueSource(strings = {"SHOW TABLES", "DESCRIBE t", "SUMMARIZE t", "EXPLAIN SELECT * FROM t", "explain analyze SELECT * FROM t"})
    void runsShowDescribeSummarizeAndExplain(String sql) {
        assertThat(queries.query(sql, 100).rows()).isNotEmpty();
    }

    @Test
    void describesColumns() {
        QueryResult r = queries.query("SELECT id, n AS total, n::DECIMAL(10, 2) AS d FROM t LIMIT 1", 10);

        assertThat(r.columns()).containsExactly(new ResultColumn("id", "VARCHAR"), new ResultColumn("total", "BIGINT"),
                new ResultColumn("d", "DECIMAL(10,2)"));
    }

    @Test
    void capsRowsAndSaysSo() {
        QueryResult r = queries.query("SELECT id FROM t ORDER BY id", 2);

        assertThat(r.rows()).containsExactly(List.of("a"), List.of("b"));
        assertThat(r.truncated()).isTrue();
        assertThat(queries.query("SELECT id FROM t ORDER BY id", 3).truncated()).isFalse();
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "   ", "-- only a comment", "/* nothing */", ";", " ; ; "})
    void refusesEmptyQueries(String sql) {
        assertThatThrownBy(() -> queries.query(sql, 10)).isInstanceOf(QueryRejectedException.class).hasMessage("empty query");
    }

    @Test
    void refusesNull() {
        assertThatThrownBy(() -> queries.query(null, 10)).isInstanceOf(QueryRejectedException.class).hasMessage("empty query");
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
        "SELECT 1; SELECT 2|2",
        "SELECT 1; DROP TABLE t|2",
        "DELETE FROM t; SELECT 1|2",
        "SELECT 1; SELECT 2; SELECT 3;|3",
    })
    void refusesMoreThanOneStatementWithoutRunningAny(String sql, int count) {
        assertThatThrownBy(() -> queries.query(sql, 10))
                .isInstanceOf(QueryRejectedException.class)
                .hasMessage("only one statement is allowed, got " + count);

        assertThat(queries.query("SELECT count(*) FROM t", 10).rows()).containsExactly(List.of(3L));
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
        "INSERT INTO t VALUES ('d', 4)|INSERT",
        "UPDATE t SET n = 0|UPDATE",
        "DELETE FROM t|DELETE",
        "DROP TABLE t|DROP",
        "CREATE TABLE x (a INT)|CREATE",
        "COPY t TO '/tmp/out.csv'|COPY",
        "ATTACH '/tmp/other.duckdb'|ATTACH",
        "INSTALL httpfs|INSTALL",
        "LOAD httpfs|LOAD",
        "SET threads = 1|SET",
        "PRAGMA version|PRAGMA",
        "CALL pragma_version()|CALL",
        "CHECKPOINT|CHECKPOINT",
        "EXPLAIN DELETE FROM t|DELETE",
        "/* comment */ insert into t values ('d', 4)|INSERT",
    })
    void refusesStatementsThatAreNotReadOnlyQueries(String sql, String keyword) {
        assertThatThrownBy(() -> queries.query(sql, 10))
                .isInstanceOf(QueryRejectedException.class)
                .hasMessage(ALLOWED + "; got " + keyword);

        assertThat(queries.query("SELECT count(*) FROM t", 10).rows()).containsExactly(List.of(3L));
    }

    @ParameterizedTest
    @ValueSource(strings = {"checkpoint", "force_checkpoint", "CHECKPOINT"})
    void refusesCheckpointFunctions(String function) {
        assertThatThrownBy(() -> queries.query("SELECT * FROM " + function + "()", 10))
                .isInstanceOf(QueryRejectedException.class)
                .hasMessage(ALLOWED + "; got a call to " + function.toLowerCase(java.util.Locale.ROOT) + "()");
    }

    @ParameterizedTest
    @ValueSource(strings = {"SELECT * FROM query('SELECT 1')", "FROM query_table('t')", "SELECT enable_logging()"})
    void refusesFunctionsThatRunHiddenSqlOrChangeSettings(String sql) {
        assertThatThrownBy(() -> queries.query(sql, 10))
                .isInstanceOf(QueryRejectedException.class)
                .hasMessageStartingWith(ALLOWED + "; got a call to ");
    }

    @Test
    void runsExactlyTheTextItCheckedBehindExplain() {
        queries.query("/* /* */ EXPLAIN SELECT 1 -- */ SET GLOBAL memory_limit='1MB'", 10);
        assertThat(queries.query("SELECT current_setting('memory_limit') <> '1.0 MiB'", 10).rows())
                .containsExactly(List.of(true));
    }

    @Test
    void refusesUnparseableQueriesWithDuckDbsReason() {
        assertThatThrownBy(() -> queries.query("SELECT 1 +", 10))
                .isInstanceOf(QueryRejectedException.class)
                .hasMessage("cannot parse the query: syntax error at end of input (at character 10)");
    }

    @ParameterizedTest
    @ValueSource(strings = {
        "SELECT * FROM read_csv('/etc/passwd')",
        "SELECT * FROM read_parquet('/tmp/x.parquet')",
        "SELECT * FROM read_text('/etc/hostname')",
        "SELECT * FROM glob('/etc/*')",
    })
    void queriesCannotReadFiles(String sql) {
        assertThatThrownBy(() -> queries.query(sql, 10))
                .isInstanceOf(QueryFailedException.class)
                .hasMessageContaining("Permission Error");
    }

    @Test
    void runsValues() {
        assertThat(queries.query("VALUES ('a', 1), ('b', 2)", 10).rows()).containsExactly(List.of("a", 1), List.of("b", 2));
    }

    @Test
    void queriesRunInAReadOnlyTransaction() throws Exception {
        try (java.sql.Connection c = store.readConnection(); java.sql.Statement s = c.createStatement()) {
            s.execute("CREATE SEQUENCE counter");
        }

        assertThatThrownBy(() -> queries.query("SELECT nextval('counter')", 10))
                .isInstanceOf(QueryFailedException.class)
                .hasMessageContaining("read-only mode");
    }

    @Test
    void reportsQueriesThatFailToRun() {
        assertThatThrownBy(() -> queries.query("SELECT * FROM nope", 10))
                .isInstanceOf(QueryFailedException.class)
                .hasMessageStartingWith("query failed: ")
                .hasMessageContaining("Table with name nope does not exist");
    }

    @Test
    void readsATableByName() {
        QueryResult r = queries.tableRows("t", 2);

        assertThat(r.columns()).extracting(ResultColumn::name).containsExactly("id", "n");
        assertThat(r.rows()).hasSize(2);
        assertThat(r.truncated()).isTrue();
    }

    @Test
    void namesTheTablesThereAreWhenATableIsMissing() {
        assertThatThrownBy(() -> queries.tableRows("nope", 10))
                .isInstanceOf(TableNotFoundException.class)
                .hasMessage("no table 'nope'; tables are: _sluice_offsets, _sluice_rejected, t");
    }
}
