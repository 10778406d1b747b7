package dev.sluice.storage;

import static dev.sluice.storage.DuckDbStoreTest.col;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import dev.sluice.spec.SinkSpec;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Set;
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
    @CsvSource(delimiter = '|', value = {
        // The reproduction of issue 5: SQL inside a string, run by a function; DuckDB aborted the JVM.
        "SELECT * FROM json_execute_serialized_sql(json_serialize_sql('SELECT * FROM enable_logging(storage=''file'', storage_path=''/tmp/x'')'))|json_execute_serialized_sql",
        "SELECT json_serialize_sql('SELECT 1')|json_serialize_sql",
        "SELECT * FROM query('SELECT 1')|query",
        "FROM query_table('t')|query_table",
        "SELECT * FROM enable_logging()|enable_logging",
        "SELECT * FROM disable_logging()|disable_logging",
        "SELECT * FROM truncate_duckdb_logs()|truncate_duckdb_logs",
        "SELECT write_log('x')|write_log",
        "SELECT * FROM checkpoint()|checkpoint",
        "SELECT * FROM force_checkpoint()|force_checkpoint",
        "SELECT * FROM read_csv('/etc/passwd')|read_csv",
        "SELECT * FROM read_csv_auto('/etc/passwd')|read_csv_auto",
        "SELECT * FROM read_parquet('/tmp/x.parquet')|read_parquet",
        "SELECT * FROM read_json('/tmp/x.json')|read_json",
        "SELECT * FROM read_text('/etc/hostname')|read_text",
        "SELECT * FROM read_blob('/etc/hostname')|read_blob",
        "SELECT * FROM glob('/etc/*')|glob",
        "SELECT * FROM sniff_csv('/etc/passwd')|sniff_csv",
        "SELECT * FROM parquet_metadata('/tmp/x.parquet')|parquet_metadata",
        "SELECT * FROM duckdb_settings()|duckdb_settings",
        "SELECT * FROM duckdb_extensions()|duckdb_extensions",
        "SELECT * FROM duckdb_databases()|duckdb_databases",
        "SELECT * FROM duckdb_secrets()|duckdb_secrets",
        "SELECT * FROM duckdb_temporary_files()|duckdb_temporary_files",
        "SELECT * FROM pragma_database_size()|pragma_database_size",
        "SELECT * FROM pragma_storage_info('t')|pragma_storage_info",
        "SELECT * FROM pragma_version()|pragma_version",
        "SELECT * FROM which_secret('s3://x', 's3')|which_secret",
        "SELECT current_setting('temp_directory')|current_setting",
        "SELECT getvariable('x')|getvariable",
        "SELECT getenv('HOME')|getenv",
        "SELECT version()|version",
        "SELECT setseed(0.5)|setseed",
        "SELECT nextval('s')|nextval",
        "SELECT current_database()|current_database",
        "SELECT html_escape('<')|html_escape",
        "SELECT id FROM t WHERE n IN (SELECT length(x) FROM query('SELECT 1'))|query",
        "SELECT list_transform([1], x -> current_setting('threads'))|current_setting",
        "SELECT sum(n) OVER (ORDER BY n), current_query() FROM t|current_query",
        "SELECT pg_catalog.sum(n) FROM t|pg_catalog.sum",
        "SELECT icu_collate_de('a')|icu_collate_de",
    })
    void refusesFunctionsThatAreNotOnTheAllowListNamingThem(String sql, String function) {
        assertThatThrownBy(() -> queries.query(sql, 10))
                .isInstanceOf(QueryRejectedException.class)
                .hasMessage("the function " + function + "() is not allowed; queries may call only the functions listed in docs/security.md");
    }

    @Test
    void theReproductionOfIssue5RunsNothing() throws Exception {
        Path log = dir.resolve("duckdb-log");
        String inner = "SELECT * FROM enable_logging(storage=''file'', storage_path=''" + log + "'')";

        assertThatThrownBy(() -> queries.query("SELECT * FROM json_execute_serialized_sql(json_serialize_sql('" + inner + "'))", 10))
                .isInstanceOf(QueryRejectedException.class);

        assertThat(log).doesNotExist();
        try (java.sql.Connection c = store.readConnection(); java.sql.Statement s = c.createStatement();
                java.sql.ResultSet rs = s.executeQuery("SELECT current_setting('enable_logging')")) {
            rs.next();
            assertThat(rs.getBoolean(1)).isFalse();
        }
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
        "SELECT * FROM duckdb_databases|duckdb_databases",
        "SELECT * FROM duckdb_settings|duckdb_settings",
        "SELECT * FROM pg_settings|pg_settings",
        "SELECT * FROM sqlite_master|sqlite_master",
        "SELECT * FROM information_schema.tables|information_schema.tables",
        "SELECT * FROM pg_catalog.pg_class|pg_catalog.pg_class",
        "SELECT * FROM system.main.duckdb_tables|system.main.duckdb_tables",
        "SELECT * FROM temp.main.t|temp.main.t",
        "SELECT * FROM '/etc/passwd'|/etc/passwd",
        "SELECT * FROM 'x.csv'|x.csv",
        "SELECT * FROM t JOIN duckdb_views USING (id)|duckdb_views",
        "SELECT * FROM nope|nope",
    })
    void readsOnlyStorageTablesAndItsOwnWithNames(String sql, String table) {
        assertThatThrownBy(() -> queries.query(sql, 10))
                .isInstanceOf(QueryRejectedException.class)
                .hasMessage("'" + table + "' is not a storage table; queries may read only the storage tables "
                        + "(_sluice_offsets, _sluice_rejected, t) and names they define with WITH");
    }

    @Test
    void aWithNameCannotTakeTheNameOfASystemView() {
        // Out of the WITH's scope, DuckDB would resolve the name to its system view, which shows the file's path.
        assertThatThrownBy(() -> queries.query("WITH x AS (SELECT * FROM duckdb_databases), duckdb_databases AS (SELECT 1 AS a) SELECT * FROM x", 10))
                .isInstanceOf(QueryRejectedException.class)
                .hasMessage("the WITH name 'duckdb_databases' is the name of a DuckDB system view; choose another name");
        assertThatThrownBy(() -> queries.query("WITH \"/etc/passwd\" AS (SELECT 1) SELECT * FROM \"/etc/passwd\"", 10))
                .isInstanceOf(QueryRejectedException.class)
                .hasMessage("the WITH name '/etc/passwd' must be a plain name of letters, digits and underscores");
    }

    @Test
    void refusesShowFormsBeyondStorageTables() {
        assertThatThrownBy(() -> queries.query("SHOW ALL TABLES", 10))
                .isInstanceOf(QueryRejectedException.class)
                .hasMessage("only SHOW TABLES, DESCRIBE and SUMMARIZE of storage tables are allowed, got SHOW __show_tables_expanded");
        assertThatThrownBy(() -> queries.query("DESCRIBE duckdb_settings", 10))
                .isInstanceOf(QueryRejectedException.class)
                .hasMessageStartingWith("'duckdb_settings' is not a storage table");
    }

    @ParameterizedTest
    @ValueSource(strings = {
        "SELECT id, n + 1, n * 2.5, n // 2, n % 2, -n, abs(n), round(n / 3, 2), greatest(n, 2), n::DOUBLE FROM t",
        "SELECT upper(id), id || '-' || n, lpad(id, 3, '0'), regexp_replace(id, 'a', 'b'), id LIKE 'a%', id ILIKE 'A%', "
                + "id SIMILAR TO 'a', starts_with(id, 'a'), substring(id FROM 1 FOR 1), trim(BOTH ' ' FROM id), md5(id) FROM t",
        "SELECT now() > TIMESTAMP '2000-01-01', date_trunc('day', TIMESTAMP '2026-01-01 10:00'), EXTRACT(year FROM DATE '2026-01-01'), "
                + "strftime(DATE '2026-01-01', '%Y'), INTERVAL 1 DAY, DATE '2026-01-01' + INTERVAL 2 HOUR, "
                + "time_bucket(INTERVAL '10 seconds', TIMESTAMP '2026-01-01 00:00:07'), TIMESTAMP '2026-01-01' AT TIME ZONE 'UTC'",
        "SELECT count(*), count(DISTINCT id), sum(n), avg(n), min(id), max(n), median(n), quantile_cont(n, 0.9), "
                + "string_agg(id, ','), list(n ORDER BY n), arg_max(id, n), count(*) FILTER (WHERE n > 1), approx_count_distinct(id) FROM t",
        "SELECT id, row_number() OVER w, rank() OVER w, lag(n) OVER w, lead(n, 1, 0) OVER w, sum(n) OVER w, "
                + "first_value(id) OVER w, ntile(2) OVER w FROM t WINDOW w AS (ORDER BY n)",
        "SELECT * FROM range(3) r(i) CROSS JOIN generate_series(1, 2) g(j) CROSS JOIN unnest([1, 2]) u(k)",
        "SELECT unnest([1, 2]), [1, 2][1], {'a': 1}.a, list_transform([1, 2], x -> x + 1), list_filter([1, 2], x -> x > 1), "
                + "map {'a': 1}, struct_pack(a := 1), len([1]), array_length([1])",
        "SELECT json_extract('{\"a\": 1}', '$.a'), '{\"a\": 1}'::JSON ->> 'a', to_json({'a': 1}), json_valid('{}')",
        "SELECT * FROM json_each('{\"a\": 1}')",
        "SELECT CASE WHEN n > 1 THEN 'big' ELSE 'small' END, coalesce(NULL, n), nullif(n, 1), n BETWEEN 1 AND 2, "
                + "n IN (1, 2), EXISTS (SELECT 1 FROM t), TRY_CAST(id AS INTEGER), typeof(n), hash(id) FROM t",
        "WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM c WHERE x < 3) SELECT * FROM c",
        "WITH a AS (SELECT * FROM t), b AS (SELECT * FROM a) SELECT * FROM b QUALIFY row_number() OVER (ORDER BY n) = 1",
        "SELECT id, n FROM t GROUP BY GROUPING SETS ((id, n), ()) ORDER BY ALL",
        "FROM t PIVOT (sum(n) FOR id IN ('a', 'b'))",
        "SELECT COLUMNS('i.*') FROM t",
        "SELECT * EXCLUDE (n) FROM main.t",
        "SELECT * FROM q.main.t",
        "SELECT * FROM t USING SAMPLE 50%",
        "SELECT uuid() IS NOT NULL, random() < 1, gen_random_uuid() IS NOT NULL",
    })
    void runsQueriesMadeOfAllowedFunctions(String sql) {
        assertThat(queries.query(sql, 100).columns()).isNotEmpty();
    }

    @Test
    void refusesUnparseableQueriesWithDuckDbsReason() {
        assertThatThrownBy(() -> queries.query("SELECT 1 +", 10))
                .isInstanceOf(QueryRejectedException.class)
                .hasMessage("cannot parse the query: syntax error at end of input (at character 10)");
    }

    @Test
    void runsValues() {
        assertThat(queries.query("VALUES ('a', 1), ('b', 2)", 10).rows()).containsExactly(List.of("a", 1), List.of("b", 2));
    }

    @Test
    void reportsQueriesThatFailToRun() {
        assertThatThrownBy(() -> queries.query("SELECT nope FROM t", 10))
                .isInstanceOf(QueryFailedException.class)
                .hasMessageStartingWith("query failed: ")
                .hasMessageContaining("Referenced column \"nope\" not found");
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
        "SELECT TIME '24:00:00' AS t|t|TIME",
        "SELECT TIMETZ '24:00:00+00' AS t|t|TIME WITH TIME ZONE",
    })
    void valuesTheDriverCannotConvertFailTheQueryInsteadOfEscaping(String sql, String column, String type) {
        assertThatThrownBy(() -> queries.query(sql, 10))
                .isInstanceOf(QueryFailedException.class)
                .hasMessage("query failed: cannot read column '" + column + "' (" + type + ") of row 1: "
                        + "Invalid value for NanoOfDay (valid values 0 - 86399999999999): 86400000000000");
    }

    @Test
    void aLongQueryIsCancelledAtTheTimeout() {
        QueryService patient = new QueryService(store, QueryLimits.defaults().withTimeout(Duration.ofSeconds(1)), Clock.systemUTC());
        long start = System.nanoTime();

        assertThatThrownBy(() -> patient.query("SELECT count(*) FROM range(1000000000000) a(i) WHERE i % 7 = 3", 10))
                .isInstanceOf(QueryFailedException.class)
                .hasMessage("query failed: it took longer than the limit of 1 s and was cancelled");
        assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(10));
    }

    @Test
    void theTimeoutCoversReadingTheRows() {
        // Every reading of the clock is one second later: the rows are read after the 5 s limit has passed.
        Clock slow = new Clock() {
            private long millis = 1_000_000;

            @Override
            public long millis() {
                millis += 1000;
                return millis;
            }

            @Override
            public Instant instant() {
                return Instant.ofEpochMilli(millis());
            }

            @Override
            public ZoneId getZone() {
                return ZoneOffset.UTC;
            }

            @Override
            public Clock withZone(ZoneId zone) {
                return this;
            }
        };
        QueryService timed = new QueryService(store, QueryLimits.defaults().withTimeout(Duration.ofSeconds(5)), slow);

        assertThatThrownBy(() -> timed.query("SELECT * FROM range(100)", 1000))
                .isInstanceOf(QueryFailedException.class)
                .hasMessage("query failed: it took longer than the limit of 5 s and was cancelled");
    }

    @Test
    void aResultLargerThanTheByteLimitIsRefusedWhileItIsRead() {
        // The query of issue 5, which made 1 GB of JSON and ran the JVM out of memory.
        assertThatThrownBy(() -> queries.query("SELECT repeat('x', 100000) FROM range(10000)", 10_000))
                .isInstanceOf(QueryFailedException.class)
                .hasMessage("query failed: the result is larger than the limit of 16 MiB (reached in row 168); "
                        + "ask for fewer rows or columns, e.g. with LIMIT");
    }

    @Test
    void theByteLimitCountsJsonBytes() {
        // Each row is ["xx…x"] (1,000 bytes of x, two quotes, brackets, a comma): 10 rows take about 10 KB.
        QueryService small = new QueryService(store, QueryLimits.defaults().withMaxResultBytes(10_000), Clock.systemUTC());

        assertThat(small.query("SELECT repeat('x', 1000) AS v FROM range(9)", 100).rows()).hasSize(9);
        assertThatThrownBy(() -> small.query("SELECT repeat('x', 1000) AS v FROM range(10)", 100))
                .isInstanceOf(QueryFailedException.class)
                .hasMessageStartingWith("query failed: the result is larger than the limit of 10000 bytes (reached in row 10)");
        assertThatThrownBy(() -> small.query("SELECT repeat('é', 600) AS v FROM range(9)", 100))
                .as("two bytes per é in UTF-8").isInstanceOf(QueryFailedException.class);
    }

    @Test
    void refusesQueriesBeyondTheConcurrencyLimitUntilOneEnds() throws Exception {
        QueryService single = new QueryService(store, new QueryLimits(Duration.ofSeconds(2), 1 << 20, 1), Clock.systemUTC());
        java.util.concurrent.ExecutorService pool = java.util.concurrent.Executors.newSingleThreadExecutor();
        try {
            java.util.concurrent.Future<?> slow = pool.submit(() -> {
                assertThatThrownBy(() -> single.query("SELECT count(*) FROM range(1000000000000) a(i) WHERE i % 7 = 3", 10))
                        .isInstanceOf(QueryFailedException.class);
            });
            await().atMost(Duration.ofSeconds(10)).until(() -> single.runningQueries() == 1);

            assertThatThrownBy(() -> single.query("SELECT 1", 10))
                    .isInstanceOf(TooManyQueriesException.class)
                    .hasMessage("too many queries are running: at most 1 run at a time; try again when one has ended");

            slow.get(30, java.util.concurrent.TimeUnit.SECONDS);
            assertThat(single.runningQueries()).isZero();
            assertThat(single.query("SELECT 1", 10).rows()).containsExactly(List.of(1));
        } finally {
            pool.shutdownNow();
        }
    }

    @Test
    void messagesNameTheDataDirectoryNotItsPath() {
        store.close();

        assertThatThrownBy(() -> queries.query("SELECT 1", 10))
                .isInstanceOf(StorageException.class)
                .satisfies(e -> assertThat(e.getMessage()).doesNotContain(dir.toString()));
        store = DuckDbStore.open(dir.resolve("q.duckdb"));
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

    @Test
    void tablesReadNamesTheTablesAQueryReadsButNotItsWithNames() {
        Set<String> read = queries.tablesRead("WITH recent AS (SELECT * FROM sales WHERE n > 1) SELECT r.id, c.name"
                + " FROM recent r JOIN pay.customers c ON r.id = c.id", "pay", Set.of("sales", "customers", "unused"));

        assertThat(read).containsExactlyInAnyOrder("pay.sales", "pay.customers");
    }

    @Test
    void tablesReadChecksAgainstTheGivenTablesNotStorage() {
        // The table 't' exists in storage, but it is not one of the given tables; 'later' does not exist yet, but is one.
        assertThatThrownBy(() -> queries.tablesRead("SELECT * FROM t", "main", Set.of("later")))
                .isInstanceOf(QueryRejectedException.class)
                .hasMessage("'t' is not a storage table; queries may read only the storage tables (later) and names they define with WITH");
        assertThat(queries.tablesRead("SELECT count(*) FROM later", "main", Set.of("later"))).containsExactly("main.later");
        assertThatThrownBy(() -> queries.tablesRead("DELETE FROM later", "main", Set.of("later")))
                .isInstanceOf(QueryRejectedException.class);
    }
}
