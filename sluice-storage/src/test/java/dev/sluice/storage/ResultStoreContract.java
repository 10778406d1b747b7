package dev.sluice.storage;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.sluice.spec.ColumnSpec;
import dev.sluice.spec.SinkSpec;
import java.math.BigDecimal;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The contract every {@link ResultStore} keeps, as one suite that each store's test extends with how to open it:
 * exact rows after upserts, tombstones and appends; offsets committed atomically with the rows (a failure injected
 * before the commit leaves nothing, one after it leaves everything); a reopened store resumes from its offsets;
 * startOver; schema checks; and the query service's read-only guarantees over the store.
 */
abstract class ResultStoreContract {
    static final TableDefinition SALES = new TableDefinition("shop", "sales", "sales-results",
            List.of(col("merchant_id", "STRING"), col("window_start", "TIMESTAMP(3)"), col("amount", "DECIMAL(12, 2)"), col("orders", "BIGINT")),
            List.of("merchant_id", "window_start"), SinkSpec.Mode.UPSERT);
    static final TableDefinition EVENTS = new TableDefinition("shop", "events", "events-results",
            List.of(col("id", "STRING"), col("value", "INT")), List.of(), SinkSpec.Mode.APPEND);
    static final TopicPartition SALES_0 = new TopicPartition("sales-results", 0);
    static final TopicPartition SALES_1 = new TopicPartition("sales-results", 1);
    static final TopicPartition EVENTS_0 = new TopicPartition("events-results", 0);
    static final String W = "2026-11-24T15:00:00";
    static final QueryScope SHOP = QueryScope.pipeline("shop");

    ResultStore store;
    QueryService queries;

    /** Opens the store under test; called again after {@link ResultStore#close()} it opens the same database. */
    abstract ResultStore open();

    /** A read-only query that runs for much longer than a second. */
    abstract String slowQuery();

    /** How a TINYINT column's type reads back in {@link QueryResult#columns()}. */
    abstract String tinyintReadsAs();

    @BeforeEach
    void openStore() {
        store = open();
        store.ensureTable(SALES);
        store.ensureTable(EVENTS);
        queries = new QueryService(store);
    }

    @AfterEach
    void closeStore() {
        store.close();
    }

    @Test
    void upsertKeepsTheLastRowPerKeyWithinABatch() {
        store.write(LoadBatch.builder()
                .row("shop.sales", "m-1", W, "1.00", "1")
                .row("shop.sales", "m-2", W, "7.25", "2")
                .row("shop.sales", "m-1", W, "3.50", "3")
                .nextOffset(SALES_0, 3)
                .build());

        assertThat(rows("SELECT merchant_id, amount, orders FROM sales ORDER BY merchant_id")).containsExactly(
                List.of("m-1", new BigDecimal("3.50"), 3L),
                List.of("m-2", new BigDecimal("7.25"), 2L));
    }

    @Test
    void upsertReplacesRowsOfEarlierBatchesAndKeepsNulls() {
        store.write(LoadBatch.builder().row("shop.sales", "m-1", W, "1.00", "1").build());
        store.write(LoadBatch.builder().row("shop.sales", "m-1", W, "2.00", null).build());

        assertThat(rows("SELECT merchant_id, amount, orders FROM sales")).containsExactly(Arrays.asList("m-1", new BigDecimal("2.00"), null));
    }

    @Test
    void tombstonesDeleteByKeyInBatchOrder() {
        store.write(LoadBatch.builder().row("shop.sales", "m-1", W, "1.00", "1").row("shop.sales", "m-2", W, "2.00", "2")
                .row("shop.sales", "m-4", W, "4.00", "4").build());

        store.write(LoadBatch.builder()
                .row("shop.sales", "m-1", W, "9.99", "9")
                .tombstone("shop.sales", "m-1", W)
                .row("shop.sales", "m-3", W, "3.00", "3")
                .tombstone("shop.sales", "m-3", W)
                .tombstone("shop.sales", "m-4", W)
                .row("shop.sales", "m-4", W, "4.50", "5")
                .tombstone("shop.sales", "m-9", W)
                .build());

        assertThat(rows("SELECT merchant_id, amount FROM sales ORDER BY 1")).containsExactly(
                List.of("m-2", new BigDecimal("2.00")), List.of("m-4", new BigDecimal("4.50")));
    }

    @Test
    void aDeduplicatedAppendTableStoresEachRowOnceAcrossAndWithinBatches() {
        TableDefinition replayed = new TableDefinition("shop", "replayed", "replayed-results",
                List.of(col("id", "STRING"), col("value", "INT"), col("ts", "TIMESTAMP(3)")), List.of(), SinkSpec.Mode.APPEND, true);
        store.ensureTable(replayed);
        store.write(LoadBatch.builder().row("shop.replayed", "a", "1", W).row("shop.replayed", "b", null, W)
                .row("shop.replayed", "a", "1", W).row("shop.replayed", "a", "2", W).build());
        // A replay after a restart (low-latency delivery) writes some rows again, in another order, next to new ones.
        store.write(LoadBatch.builder().row("shop.replayed", "b", null, W).row("shop.replayed", "c", "3", null)
                .row("shop.replayed", "a", "1", W).row("shop.replayed", "c", "3", null).build());
        // A null and the text "null" are different values, and so are values split differently between columns.
        store.write(LoadBatch.builder().row("shop.replayed", "null", null, W).row("shop.replayed", "ab", "1", null).build());

        assertThat(rows("SELECT id, value FROM replayed")).containsExactlyInAnyOrder(List.of("a", 1),
                Arrays.asList("b", null), List.of("a", 2), List.of("c", 3), Arrays.asList("null", null), List.of("ab", 1));
        store.ensureTable(replayed);
    }

    @Test
    void appendKeepsEveryRowAndEmptyStringsApartFromNulls() {
        store.write(LoadBatch.builder().row("shop.events", "a", "1").row("shop.events", "a", "1").row("shop.events", "b", null)
                .row("shop.events", "", "2").row("shop.events", null, "3").build());
        store.write(LoadBatch.builder().row("shop.events", "q\"uote,comma\nnewline", "4").build());

        assertThat(rows("SELECT id, value FROM events")).containsExactlyInAnyOrder(List.of("a", 1), List.of("a", 1),
                Arrays.asList("b", null), List.of("", 2), Arrays.asList(null, 3), List.of("q\"uote,comma\nnewline", 4));
    }

    @Test
    void everyStorableTypeReadsBackExactly() {
        TableDefinition all = new TableDefinition("shop", "all_types", "all-results", List.of(
                col("s", "STRING"), col("v", "VARCHAR(10)"), col("c", "CHAR(3)"), col("b", "BOOLEAN"), col("ti", "TINYINT"),
                col("si", "SMALLINT"), col("i", "INT"), col("bi", "BIGINT"), col("f", "FLOAT"), col("d", "DOUBLE"),
                col("dec", "DECIMAL(38, 10)"), col("dt", "DATE"), col("tm", "TIME(0)"), col("ts", "TIMESTAMP(3)"),
                col("ltz", "TIMESTAMP_LTZ(3)")), List.of("s"), SinkSpec.Mode.UPSERT);
        store.ensureTable(all);

        store.write(LoadBatch.builder()
                .row("shop.all_types", "k", "varchar", "abc", "true", "-128", "32767", "2147483647", "9223372036854775807", "0.1",
                        "1.0E300", "1234567890123456789012345678.0123456789", "2026-11-24", "15:00:00", "2026-11-24T15:00:00.123",
                        "2026-11-24T15:00:00.123Z")
                .row("shop.all_types", "n", null, null, null, null, null, null, null, "NaN", "-Infinity", null, null, null, null, null)
                .build());

        QueryResult r = queries.tableRows("shop", "all_types", 10);
        assertThat(r.columns()).extracting(ResultColumn::type).containsExactly("VARCHAR", "VARCHAR", "VARCHAR", "BOOLEAN", tinyintReadsAs(),
                "SMALLINT", "INTEGER", "BIGINT", "FLOAT", "DOUBLE", "DECIMAL(38,10)", "DATE", "TIME", "TIMESTAMP", "TIMESTAMP WITH TIME ZONE");
        assertThat(rows("SELECT * FROM all_types ORDER BY s")).containsExactly(
                List.of("k", "varchar", "abc", true, -128, 32767, 2147483647, 9223372036854775807L, 0.1,
                        1.0E300, new BigDecimal("1234567890123456789012345678.0123456789"), "2026-11-24", "15:00:00",
                        "2026-11-24T15:00:00.123", "2026-11-24T15:00:00.123Z"),
                Arrays.asList("n", null, null, null, null, null, null, null, "NaN", "-Infinity", null, null, null, null, null));
    }

    @Test
    void offsetsAreCommittedWithTheRows() {
        store.write(LoadBatch.builder().row("shop.events", "a", "1").nextOffset(EVENTS_0, 1).nextOffset(SALES_0, 17).build());
        store.write(LoadBatch.builder().row("shop.events", "b", "2").nextOffset(EVENTS_0, 2).nextOffset(SALES_1, 5).build());

        assertThat(store.committedOffsets()).isEqualTo(Map.of(EVENTS_0, 2L, SALES_0, 17L, SALES_1, 5L));
    }

    @Test
    void aFailureBeforeTheCommitLeavesNeitherRowsNorOffsetsNorRejects() {
        store.write(LoadBatch.builder().row("shop.sales", "m-1", W, "1.00", "1").nextOffset(SALES_0, 1).build());
        store.injectFaults(new WriteFaults() {
            @Override
            public void beforeCommit(LoadBatch batch) {
                throw new IllegalStateException("injected before commit");
            }
        });

        LoadBatch batch = LoadBatch.builder()
                .row("shop.events", "a", "1")
                .row("shop.sales", "m-1", W, "5.00", "5")
                .row("shop.sales", "m-2", W, "2.00", "2")
                .reject(new RejectedRecord("sales-results", 0, 3, null, "{", "value is not valid JSON", Instant.parse("2026-11-24T15:00:00Z")))
                .nextOffset(SALES_0, 4)
                .build();
        assertThatThrownBy(() -> store.write(batch))
                .isInstanceOf(StorageException.class)
                .hasMessageContaining("Cannot write a batch of 3 rows to [shop.events, shop.sales]")
                .hasMessageContaining("the transaction was rolled back: injected before commit");

        assertThat(rows("SELECT merchant_id, amount FROM sales")).containsExactly(List.of("m-1", new BigDecimal("1.00")));
        assertThat(rows("SELECT count(*) FROM events")).containsExactly(List.of(0L));
        assertThat(queries.query("SELECT count(*) FROM _sluice_rejected", 10).rows()).containsExactly(List.of(0L));
        assertThat(store.committedOffsets()).isEqualTo(Map.of(SALES_0, 1L));

        // The same batch again, as the loader retries it, lands exactly once.
        store.injectFaults(null);
        store.write(batch);
        assertThat(rows("SELECT merchant_id, amount FROM sales ORDER BY 1")).containsExactly(
                List.of("m-1", new BigDecimal("5.00")), List.of("m-2", new BigDecimal("2.00")));
        assertThat(rows("SELECT id FROM events")).containsExactly(List.of("a"));
        assertThat(queries.query("SELECT count(*) FROM _sluice_rejected", 10).rows()).containsExactly(List.of(1L));
        assertThat(store.committedOffsets()).isEqualTo(Map.of(SALES_0, 4L));
    }

    @Test
    void aFailureAfterTheCommitLeavesRowsAndOffsetsStored() {
        store.injectFaults(new WriteFaults() {
            @Override
            public void afterCommit(LoadBatch batch) {
                throw new IllegalStateException("injected after commit");
            }
        });

        assertThatThrownBy(() -> store.write(LoadBatch.builder().row("shop.events", "a", "1").nextOffset(EVENTS_0, 1).build()))
                .isInstanceOf(StorageException.class).hasMessageContaining("injected after commit");

        assertThat(rows("SELECT id, value FROM events")).containsExactly(List.of("a", 1));
        assertThat(store.committedOffsets()).isEqualTo(Map.of(EVENTS_0, 1L));
    }

    @Test
    void aBatchWithAValueTheColumnCannotTakeIsRolledBackWhole() {
        store.write(LoadBatch.builder().row("shop.sales", "m-1", W, "1.00", "1").nextOffset(SALES_0, 1).build());

        assertThatThrownBy(() -> store.write(LoadBatch.builder().row("shop.events", "a", "1")
                .row("shop.sales", "m-3", W, "3.00", "not a number").nextOffset(SALES_0, 2).build()))
                .isInstanceOf(StorageException.class)
                .hasMessageContaining("the transaction was rolled back")
                .hasMessageContaining("not a number");

        assertThat(rows("SELECT count(*) FROM events")).containsExactly(List.of(0L));
        assertThat(store.committedOffsets()).isEqualTo(Map.of(SALES_0, 1L));
        store.write(LoadBatch.builder().row("shop.sales", "m-2", W, "2.00", "2").nextOffset(SALES_0, 2).build());
        assertThat(rows("SELECT merchant_id FROM sales ORDER BY 1")).containsExactly(List.of("m-1"), List.of("m-2"));
    }

    @Test
    void aReopenedStoreResumesFromItsOffsetsWithItsRows() {
        store.write(LoadBatch.builder().row("shop.sales", "m-1", W, "1.00", "1").row("shop.events", "a", "1")
                .nextOffset(SALES_0, 1).nextOffset(EVENTS_0, 1).build());
        store.close();

        store = open();
        store.ensureTable(SALES);
        store.ensureTable(EVENTS);
        queries = new QueryService(store);

        assertThat(store.committedOffsets()).isEqualTo(Map.of(SALES_0, 1L, EVENTS_0, 1L));
        assertThat(rows("SELECT merchant_id, amount FROM sales")).containsExactly(List.of("m-1", new BigDecimal("1.00")));
        store.write(LoadBatch.builder().row("shop.sales", "m-1", W, "5.00", "5").row("shop.events", "b", "2").nextOffset(SALES_0, 2).build());
        assertThat(rows("SELECT amount FROM sales")).containsExactly(List.of(new BigDecimal("5.00")));
        assertThat(rows("SELECT id FROM events ORDER BY id")).containsExactly(List.of("a"), List.of("b"));
        assertThat(store.committedOffsets()).isEqualTo(Map.of(SALES_0, 2L, EVENTS_0, 1L));
    }

    @Test
    void startOverEmptiesTheTablesAndSetsTheOffsetsTogether() {
        store.write(LoadBatch.builder().row("shop.sales", "m-1", W, "1.00", "1").row("shop.events", "a", "1")
                .nextOffset(SALES_0, 10).nextOffset(EVENTS_0, 3).build());

        store.startOver(List.of(SALES), Map.of(SALES_0, 42L));

        assertThat(rows("SELECT count(*) FROM sales")).containsExactly(List.of(0L));
        assertThat(rows("SELECT id FROM events")).containsExactly(List.of("a"));
        assertThat(store.committedOffsets()).isEqualTo(Map.of(SALES_0, 42L, EVENTS_0, 3L));
    }

    @Test
    void rejectedRecordsAreStoredWithTheirReason() {
        store.write(LoadBatch.builder()
                .reject(new RejectedRecord("sales-results", 2, 41, "{\"merchant_id\":\"m-1\"}", "{\"amount\":\"x\"}",
                        "column 'amount' (DECIMAL(12, 2)): expected an exact JSON number, got \"x\"", Instant.parse("2026-11-24T15:00:01.5Z")))
                .nextOffset(new TopicPartition("sales-results", 2), 42)
                .build());

        assertThat(queries.query("SELECT * FROM _sluice_rejected", 10).rows()).containsExactly(List.of("sales-results", 2, 41L,
                "{\"merchant_id\":\"m-1\"}", "{\"amount\":\"x\"}", "column 'amount' (DECIMAL(12, 2)): expected an exact JSON number, got \"x\"",
                "2026-11-24T15:00:01.500Z"));
    }

    @Test
    void anExistingTableWithAnotherDefinitionIsRefusedAndTheSameOneAccepted() {
        TableDefinition changed = new TableDefinition("shop", "sales", "sales-results",
                List.of(col("merchant_id", "STRING"), col("window_start", "TIMESTAMP(3)"), col("amount", "DOUBLE")),
                List.of("merchant_id"), SinkSpec.Mode.UPSERT);

        assertThatThrownBy(() -> store.checkTable(changed)).isInstanceOf(StorageException.class)
                .hasMessageStartingWith("Table 'shop.sales' in " + store.location() + " exists with columns (merchant_id ")
                .hasMessageContaining("with primary key [merchant_id, window_start] but its definition expects (merchant_id ")
                .hasMessageContaining("amount ");
        assertThatThrownBy(() -> store.ensureTable(changed)).isInstanceOf(StorageException.class);
        store.ensureTable(SALES);
        store.checkTable(EVENTS);

        assertThat(store.tables("shop")).containsExactly("events", "sales");
        assertThat(store.tables()).containsExactly("_sluice_offsets", "_sluice_rejected");
        assertThat(store.allTables()).containsOnlyKeys("main", "shop");
    }

    @Test
    void writingToATableThatWasNotEnsuredIsRefused() {
        assertThatThrownBy(() -> store.write(LoadBatch.builder().row("shop.nope", "x").build()))
                .isInstanceOf(StorageException.class)
                .hasMessageStartingWith("Cannot write to table 'shop.nope': it is not defined in this store; call ensureTable first.");
    }

    @Test
    void inTransactionCommitsOrRollsBackAsAWhole() {
        store.inTransaction("create a side table", c -> {
            try (Statement s = c.createStatement()) {
                s.execute("CREATE TABLE shop.side (id VARCHAR PRIMARY KEY, n INTEGER)");
            }
            return null;
        });
        assertThatThrownBy(() -> store.inTransaction("insert and fail", c -> {
            try (PreparedStatement ps = c.prepareStatement("INSERT INTO shop.side VALUES (?, ?)")) {
                ps.setString(1, "a");
                ps.setInt(2, 1);
                ps.execute();
            }
            throw new java.sql.SQLException("injected");
        })).isInstanceOf(StorageException.class).hasMessageContaining("Cannot insert and fail in ").hasMessageContaining("injected");
        int count = store.inTransaction("count", c -> {
            try (Statement s = c.createStatement(); ResultSet rs = s.executeQuery("SELECT count(*) FROM shop.side")) {
                rs.next();
                return rs.getInt(1);
            }
        });
        assertThat(count).isZero();
        assertThat(rows("SELECT count(*) FROM side")).containsExactly(List.of(0L));
    }

    @Test
    void queriesCannotWrite() {
        store.write(LoadBatch.builder().row("shop.events", "a", "1").build());

        for (String write : List.of("INSERT INTO events VALUES ('x', 1)", "DELETE FROM events", "UPDATE events SET value = 2",
                "CREATE TABLE x (a INT)", "DROP TABLE events", "TRUNCATE events", "ALTER TABLE events ADD COLUMN z INT",
                "WITH d AS (DELETE FROM events RETURNING *) SELECT * FROM d", "SELECT 1; DELETE FROM events",
                "SELECT * FROM events FOR UPDATE", "COPY events TO STDOUT", "SELECT * INTO copied FROM events",
                "CREATE TEMP TABLE t AS SELECT * FROM events")) {
            assertThatThrownBy(() -> queries.query(write, 10, SHOP)).as(write).isInstanceOfAny(QueryRejectedException.class,
                    QueryFailedException.class);
        }

        assertThat(rows("SELECT id, value FROM events")).containsExactly(List.of("a", 1));
        assertThat(store.tables("shop")).containsExactly("events", "sales");
        assertThat(store.tables()).containsExactly("_sluice_offsets", "_sluice_rejected");
    }

    @Test
    void onlyOneStatementRuns() {
        assertThatThrownBy(() -> queries.query("SELECT 1; SELECT 2", 10, SHOP)).isInstanceOf(QueryRejectedException.class)
                .hasMessage("only one statement is allowed, got 2");
        assertThat(queries.query("SELECT ';' AS a; ", 10, SHOP).rows()).containsExactly(List.of(";"));
    }

    @Test
    void aPipelinesQueriesReadOnlyItsOwnSchema() {
        assertThatThrownBy(() -> queries.query("SELECT * FROM main._sluice_offsets", 10, SHOP)).isInstanceOf(QueryRejectedException.class)
                .hasMessageContaining("_sluice_offsets").hasMessageContaining("is not a storage table");
        assertThat(queries.query("SELECT count(*) FROM shop.sales", 10, SHOP).rows()).containsExactly(List.of(0L));
    }

    @Test
    void aLongQueryIsCancelledAtTheTimeout() {
        QueryService patient = new QueryService(store, QueryLimits.defaults().withTimeout(Duration.ofSeconds(1)), Clock.systemUTC());
        long start = System.nanoTime();

        assertThatThrownBy(() -> patient.query(slowQuery(), 10, SHOP)).isInstanceOf(QueryFailedException.class)
                .hasMessage("query failed: it took longer than the limit of 1 s and was cancelled");

        assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(15));
        assertThat(patient.runningQueries()).isZero();
    }

    @Test
    void rowsAndBytesAreCapped() {
        LoadBatch.Builder batch = LoadBatch.builder();
        for (int i = 0; i < 20; i++) {
            batch.row("shop.events", "e-" + i, Integer.toString(i));
        }
        store.write(batch.build());

        QueryResult capped = queries.query("SELECT id FROM events ORDER BY value", 5, SHOP);
        assertThat(capped.rows()).containsExactly(List.of("e-0"), List.of("e-1"), List.of("e-2"), List.of("e-3"), List.of("e-4"));
        assertThat(capped.truncated()).isTrue();
        assertThat(queries.query("SELECT id FROM events", 20, SHOP).truncated()).isFalse();

        QueryService small = new QueryService(store, QueryLimits.defaults().withMaxResultBytes(2_000), Clock.systemUTC());
        assertThatThrownBy(() -> small.query("SELECT repeat('x', 1000) AS v FROM events", 100, SHOP))
                .isInstanceOf(QueryFailedException.class)
                .hasMessageStartingWith("query failed: the result is larger than the limit of 2000 bytes");
    }

    List<List<Object>> rows(String sql) {
        return new ArrayList<>(queries.query(sql, 1000, SHOP).rows());
    }

    static ColumnSpec col(String name, String type) {
        return new ColumnSpec(name, type, null);
    }
}
