package dev.sluice.storage;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.sluice.spec.ColumnSpec;
import dev.sluice.spec.SinkSpec;
import java.math.BigDecimal;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class DuckDbStoreTest {
    static final TableDefinition SALES = new TableDefinition("sales", "sales-results",
            List.of(col("merchant_id", "STRING"), col("window_start", "TIMESTAMP(3)"), col("amount", "DECIMAL(12, 2)"), col("orders", "BIGINT")),
            List.of("merchant_id", "window_start"), SinkSpec.Mode.UPSERT);
    static final TableDefinition EVENTS = new TableDefinition("events", "events-results",
            List.of(col("id", "STRING"), col("value", "INT")), List.of(), SinkSpec.Mode.APPEND);
    static final TopicPartition SALES_0 = new TopicPartition("sales-results", 0);
    static final TopicPartition EVENTS_0 = new TopicPartition("events-results", 0);
    static final String W = "2026-11-24T15:00:00";

    @TempDir
    Path dir;
    DuckDbStore store;
    QueryService queries;

    @BeforeEach
    void open() {
        store = DuckDbStore.open(dir.resolve("nested/dir/sluice.duckdb"));
        store.ensureTable(SALES);
        store.ensureTable(EVENTS);
        queries = new QueryService(store);
    }

    @AfterEach
    void close() {
        store.close();
    }

    @Test
    void upsertKeepsTheLastRowPerKeyWithinABatch() {
        store.write(LoadBatch.builder()
                .row("sales", "m-1", W, "1.00", "1")
                .row("sales", "m-2", W, "7.25", "2")
                .row("sales", "m-1", W, "3.50", "3")
                .nextOffset(SALES_0, 3)
                .build());

        assertThat(rows("SELECT merchant_id, amount, orders FROM sales ORDER BY merchant_id")).containsExactly(
                List.of("m-1", new BigDecimal("3.50"), 3L),
                List.of("m-2", new BigDecimal("7.25"), 2L));
    }

    @Test
    void upsertReplacesRowsOfEarlierBatches() {
        store.write(LoadBatch.builder().row("sales", "m-1", W, "1.00", "1").build());
        store.write(LoadBatch.builder().row("sales", "m-1", W, "2.00", null).build());

        assertThat(rows("SELECT merchant_id, amount, orders FROM sales")).containsExactly(
                java.util.Arrays.asList("m-1", new BigDecimal("2.00"), null));
    }

    @Test
    void deleteThenUpsertOfTheSameKeyInOneBatchLeavesTheRow() {
        store.write(LoadBatch.builder().row("sales", "m-1", W, "1.00", "1").build());

        store.write(LoadBatch.builder()
                .tombstone("sales", "m-1", W)
                .row("sales", "m-1", W, "9.99", "9")
                .build());

        assertThat(rows("SELECT merchant_id, amount, orders FROM sales")).containsExactly(List.of("m-1", new BigDecimal("9.99"), 9L));
    }

    @Test
    void upsertThenDeleteOfTheSameKeyInOneBatchLeavesNothing() {
        store.write(LoadBatch.builder().row("sales", "m-1", W, "1.00", "1").row("sales", "m-2", W, "2.00", "2").build());

        store.write(LoadBatch.builder()
                .row("sales", "m-1", W, "9.99", "9")
                .tombstone("sales", "m-1", W)
                .row("sales", "m-3", W, "3.00", "3")
                .tombstone("sales", "m-3", W)
                .build());

        assertThat(rows("SELECT merchant_id FROM sales")).containsExactly(List.of("m-2"));
    }

    @Test
    void tombstoneOfAnUnknownKeyChangesNothing() {
        store.write(LoadBatch.builder().row("sales", "m-1", W, "1.00", "1").build());

        store.write(LoadBatch.builder().tombstone("sales", "m-1", "2026-11-24T16:00:00").build());

        assertThat(rows("SELECT merchant_id FROM sales")).containsExactly(List.of("m-1"));
    }

    @Test
    void appendKeepsEveryRowInOrder() {
        store.write(LoadBatch.builder().row("events", "a", "1").row("events", "a", "1").row("events", "b", null).build());
        store.write(LoadBatch.builder().row("events", "c", "3").build());

        assertThat(rows("SELECT id, value FROM events ORDER BY rowid")).containsExactly(
                List.of("a", 1), List.of("a", 1), java.util.Arrays.asList("b", null), List.of("c", 3));
    }

    @Test
    void aDeduplicatedAppendTableStoresEachRowOnceAcrossAndWithinBatches() {
        TableDefinition replayed = new TableDefinition("main", "replayed", "replayed-results",
                List.of(col("id", "STRING"), col("value", "INT"), col("ts", "TIMESTAMP(3)")), List.of(), SinkSpec.Mode.APPEND, true);
        store.ensureTable(replayed);
        store.write(LoadBatch.builder().row("replayed", "a", "1", W).row("replayed", "b", null, W).row("replayed", "a", "1", W)
                .row("replayed", "a", "2", W).build());
        // A replay after a restart writes some rows again, in another order, next to new ones.
        store.write(LoadBatch.builder().row("replayed", "b", null, W).row("replayed", "c", "3", null).row("replayed", "a", "1", W)
                .row("replayed", "c", "3", null).build());

        assertThat(rows("SELECT id, value, ts FROM replayed")).containsExactlyInAnyOrder(
                List.of("a", 1, W), java.util.Arrays.asList("b", null, W), List.of("a", 2, W), java.util.Arrays.asList("c", 3, null));
        assertThat(rows("SELECT count(DISTINCT _sluice_row_id) FROM replayed")).containsExactly(List.of(4L));
        // A null and the text "null" are different values, and so are values split differently between columns.
        store.write(LoadBatch.builder().row("replayed", "null", null, W).row("replayed", "ab", "1", null).build());
        assertThat(rows("SELECT count(*) FROM replayed")).containsExactly(List.of(6L));
        store.ensureTable(replayed);
    }

    static final TableDefinition REPLAYED = new TableDefinition("main", "replayed", "replayed-results",
            List.of(col("id", "STRING"), col("value", "INT")), List.of(), SinkSpec.Mode.APPEND, true);

    @Test
    void theIdsAReplayCanReachSurviveAReopenAndAreForgottenOnceNoReplayCanReachThem() {
        store.ensureTable(REPLAYED);
        store.write(LoadBatch.builder().row("replayed", "a", "1").row("replayed", "b", "2").build());
        // A moment strictly after the first batch was stored and not after the second.
        long written = System.currentTimeMillis();
        while (System.currentTimeMillis() <= written) {
            Thread.onSpinWait();
        }
        Instant between = Instant.now();
        store.write(LoadBatch.builder().row("replayed", "c", "3").build());
        store.close();

        // A crash: the pipeline restores a checkpoint older than every row and writes them again.
        store = DuckDbStore.open(dir.resolve("nested/dir/sluice.duckdb"));
        store.ensureTable(REPLAYED);
        queries = new QueryService(store);
        assertThat(store.replayWindowSizes()).isEqualTo(Map.of("main.replayed", 3));
        store.write(LoadBatch.builder().row("replayed", "a", "1").row("replayed", "b", "2").row("replayed", "c", "3").build());
        assertThat(rows("SELECT id FROM replayed ORDER BY id")).containsExactly(List.of("a"), List.of("b"), List.of("c"));

        // A checkpoint begun after the first batch completed: its rows can no longer come again, the later one can.
        store.forgetRowIds(List.of("main.replayed", "main.events"), between);
        assertThat(store.replayWindowSizes()).isEqualTo(Map.of("main.replayed", 1));
        assertThat(rows("SELECT count(*) FROM _sluice_row_ids")).containsExactly(List.of(1L));
        store.write(LoadBatch.builder().row("replayed", "c", "3").build());
        assertThat(rows("SELECT count(*) FROM replayed")).containsExactly(List.of(3L));
        // A row equal to a forgotten one is a new row now, as it would be in an exactly-once table.
        store.write(LoadBatch.builder().row("replayed", "a", "1").build());
        assertThat(rows("SELECT count(*) FROM replayed WHERE id = 'a'")).containsExactly(List.of(2L));
        store.close();

        store = DuckDbStore.open(dir.resolve("nested/dir/sluice.duckdb"));
        store.ensureTable(REPLAYED);
        queries = new QueryService(store);
        assertThat(store.replayWindowSizes()).isEqualTo(Map.of("main.replayed", 2));
    }

    @Test
    void aFailedBatchAddsNoIdsToTheReplayWindow() {
        store.ensureTable(REPLAYED);
        store.injectFaults(new WriteFaults() {
            @Override
            public void beforeCommit(LoadBatch batch) {
                throw new StorageException("disk full (injected)");
            }
        });
        assertThatThrownBy(() -> store.write(LoadBatch.builder().row("replayed", "a", "1").build())).isInstanceOf(StorageException.class);
        store.injectFaults(null);

        store.write(LoadBatch.builder().row("replayed", "a", "1").build());
        assertThat(rows("SELECT id, value FROM replayed")).containsExactly(List.of("a", 1));
        assertThat(store.replayWindowSizes()).isEqualTo(Map.of("main.replayed", 1));
    }

    @Test
    void startingOverEmptiesTheReplayWindow() {
        store.ensureTable(REPLAYED);
        store.write(LoadBatch.builder().row("replayed", "a", "1").build());
        store.startOver(List.of(REPLAYED), Map.of(new TopicPartition("replayed-results", 0), 7L));

        store.write(LoadBatch.builder().row("replayed", "a", "1").build());
        assertThat(rows("SELECT id FROM replayed")).containsExactly(List.of("a"));
        assertThat(rows("SELECT count(*) FROM _sluice_row_ids")).containsExactly(List.of(1L));
    }

    @Test
    void aDeduplicatedTableCreatedWithItsRowIdAsKeyIsLoadedAsItIs() {
        // As Sluice created deduplicated tables before the replay window.
        store.inTransaction("create a keyed table", c -> {
            try (java.sql.Statement s = c.createStatement()) {
                return s.execute("CREATE TABLE main.keyed (id VARCHAR, \"value\" INTEGER, _sluice_row_id UUID PRIMARY KEY)");
            }
        });
        TableDefinition keyed = new TableDefinition("main", "keyed", "keyed-results",
                List.of(col("id", "STRING"), col("value", "INT")), List.of(), SinkSpec.Mode.APPEND, true);
        store.ensureTable(keyed);
        store.write(LoadBatch.builder().row("keyed", "a", "1").build());
        store.forgetRowIds(List.of("main.keyed"), Instant.now().plusSeconds(1));

        // The window forgot the id, the table's key still knows it.
        store.write(LoadBatch.builder().row("keyed", "a", "1").row("keyed", "b", "2").build());
        assertThat(rows("SELECT id FROM keyed ORDER BY id")).containsExactly(List.of("a"), List.of("b"));
    }

    @Test
    void aTableCannotChangeBetweenDeduplicatedAndNot() {
        TableDefinition plain = new TableDefinition("main", "switched", "switched-results", List.of(col("id", "STRING")), List.of(),
                SinkSpec.Mode.APPEND, false);
        store.ensureTable(plain);

        assertThatThrownBy(() -> store.ensureTable(new TableDefinition("main", "switched", "switched-results",
                List.of(col("id", "STRING")), List.of(), SinkSpec.Mode.APPEND, true)))
                .isInstanceOf(StorageException.class)
                .hasMessage("Table 'switched' in " + store.file() + " exists with columns (id VARCHAR) without primary key but its"
                        + " definition expects (id VARCHAR, _sluice_row_id UUID) without primary key. Drop or rename"
                        + " the table, or use another storage file, to load the new definition");
        assertThatThrownBy(() -> new TableDefinition("main", "s", "t", List.of(col("id", "STRING")), List.of("id"),
                SinkSpec.Mode.UPSERT, true))
                .isInstanceOf(StorageException.class)
                .hasMessageContaining("only append tables are deduplicated");
    }

    @Test
    void offsetsAreWrittenWithTheRows() {
        store.write(LoadBatch.builder().row("events", "a", "1").nextOffset(EVENTS_0, 1).nextOffset(SALES_0, 17).build());
        store.write(LoadBatch.builder().row("events", "b", "2").nextOffset(EVENTS_0, 2).build());

        assertThat(store.committedOffsets()).isEqualTo(Map.of(EVENTS_0, 2L, SALES_0, 17L));
    }

    @Test
    void aFailingBatchLeavesNeitherRowsNorOffsetsNorRejects() {
        store.write(LoadBatch.builder().row("sales", "m-1", W, "1.00", "1").nextOffset(SALES_0, 1).build());

        LoadBatch bad = LoadBatch.builder()
                .row("events", "a", "1")
                .row("sales", "m-2", W, "2.00", "2")
                .row("sales", "m-3", W, "3.00", "not a number")
                .reject(new RejectedRecord("sales-results", 0, 3, null, "{", "value is not valid JSON", Instant.parse("2026-11-24T15:00:00Z")))
                .nextOffset(SALES_0, 4)
                .build();
        assertThatThrownBy(() -> store.write(bad))
                .isInstanceOf(StorageException.class)
                .hasMessageContaining("Cannot write a batch of 3 rows to [events, sales]")
                .hasMessageContaining("the transaction was rolled back")
                .hasMessageContaining("not a number")
                .hasCauseInstanceOf(java.sql.SQLException.class);

        assertThat(rows("SELECT merchant_id FROM sales")).containsExactly(List.of("m-1"));
        assertThat(rows("SELECT count(*) FROM events")).containsExactly(List.of(0L));
        assertThat(rows("SELECT count(*) FROM _sluice_rejected")).containsExactly(List.of(0L));
        assertThat(store.committedOffsets()).isEqualTo(Map.of(SALES_0, 1L));

        // The store stays usable after a rollback.
        store.write(LoadBatch.builder().row("sales", "m-2", W, "2.00", "2").nextOffset(SALES_0, 4).build());
        assertThat(rows("SELECT merchant_id FROM sales ORDER BY 1")).containsExactly(List.of("m-1"), List.of("m-2"));
        assertThat(store.committedOffsets()).isEqualTo(Map.of(SALES_0, 4L));
    }

    @Test
    void rejectedRecordsAreStoredWithTheirReason() {
        store.write(LoadBatch.builder()
                .reject(new RejectedRecord("sales-results", 2, 41, "{\"merchant_id\":\"m-1\"}", "{\"amount\":\"x\"}",
                        "column 'amount' (DECIMAL(12, 2)): expected an exact JSON number, got \"x\"", Instant.parse("2026-11-24T15:00:01.5Z")))
                .nextOffset(new TopicPartition("sales-results", 2), 42)
                .build());

        assertThat(rows("SELECT * FROM _sluice_rejected")).containsExactly(List.of("sales-results", 2, 41L, "{\"merchant_id\":\"m-1\"}",
                "{\"amount\":\"x\"}", "column 'amount' (DECIMAL(12, 2)): expected an exact JSON number, got \"x\"", "2026-11-24T15:00:01.500Z"));
    }

    @Test
    void reopeningTheFileKeepsRowsAndOffsets() {
        store.write(LoadBatch.builder().row("sales", "m-1", W, "1.00", "1").row("events", "a", "1")
                .nextOffset(SALES_0, 1).nextOffset(EVENTS_0, 1).build());
        store.close();

        store = DuckDbStore.open(dir.resolve("nested/dir/sluice.duckdb"));
        store.ensureTable(SALES);
        store.ensureTable(EVENTS);
        queries = new QueryService(store);

        assertThat(store.committedOffsets()).isEqualTo(Map.of(SALES_0, 1L, EVENTS_0, 1L));
        assertThat(rows("SELECT merchant_id, amount FROM sales")).containsExactly(List.of("m-1", new BigDecimal("1.00")));
        assertThat(store.tables()).containsExactly("_sluice_offsets", "_sluice_rejected", "events", "sales");
        store.write(LoadBatch.builder().row("sales", "m-1", W, "5.00", "5").build());
        assertThat(rows("SELECT amount FROM sales")).containsExactly(List.of(new BigDecimal("5.00")));
    }

    @Test
    void ensureTableRefusesAnExistingTableWithOtherColumns() {
        TableDefinition changed = new TableDefinition("sales", "sales-results",
                List.of(col("merchant_id", "STRING"), col("window_start", "TIMESTAMP(3)"), col("amount", "DOUBLE")),
                List.of("merchant_id"), SinkSpec.Mode.UPSERT);

        assertThatThrownBy(() -> store.ensureTable(changed))
                .isInstanceOf(StorageException.class)
                .hasMessage("Table 'sales' in " + store.file() + " exists with columns (merchant_id VARCHAR, window_start TIMESTAMP,"
                        + " amount DECIMAL(12,2), orders BIGINT) with primary key [merchant_id, window_start] but its definition expects"
                        + " (merchant_id VARCHAR, window_start TIMESTAMP, amount DOUBLE) with primary key [merchant_id]."
                        + " Drop or rename the table, or use another storage file, to load the new definition");
    }

    @Test
    void ensureTableAcceptsTheSameDefinitionAgain() {
        store.ensureTable(SALES);
        store.ensureTable(EVENTS);

        assertThat(store.tables()).containsExactly("_sluice_offsets", "_sluice_rejected", "events", "sales");
    }

    @Test
    void everyTypeMapsToItsDuckDbTypeAndReadsBackAsJsonFriendlyValues() {
        TableDefinition all = new TableDefinition("all_types", "all-results", List.of(
                col("s", "STRING"), col("v", "VARCHAR(10)"), col("c", "CHAR(3)"), col("b", "BOOLEAN"), col("ti", "TINYINT"),
                col("si", "SMALLINT"), col("i", "INT"), col("bi", "BIGINT"), col("f", "FLOAT"), col("d", "DOUBLE"),
                col("dec", "DECIMAL(38, 10)"), col("dt", "DATE"), col("tm", "TIME(0)"), col("ts", "TIMESTAMP(3)"),
                col("ltz", "TIMESTAMP_LTZ(3)")), List.of("s"), SinkSpec.Mode.UPSERT);
        store.ensureTable(all);

        store.write(LoadBatch.builder().row("all_types", "k", "varchar", "abc", "true", "-128", "32767", "2147483647",
                "9223372036854775807", "0.1", "1.0E300", "1234567890123456789012345678.0123456789", "2026-11-24", "15:00:00",
                "2026-11-24T15:00:00.123", "2026-11-24T15:00:00.123Z").build());

        QueryResult r = queries.tableRows("all_types", 10);
        assertThat(r.columns()).extracting(ResultColumn::type).containsExactly("VARCHAR", "VARCHAR", "VARCHAR", "BOOLEAN", "TINYINT",
                "SMALLINT", "INTEGER", "BIGINT", "FLOAT", "DOUBLE", "DECIMAL(38,10)", "DATE", "TIME", "TIMESTAMP", "TIMESTAMP WITH TIME ZONE");
        assertThat(r.rows()).containsExactly(List.of("k", "varchar", "abc", true, -128, 32767, 2147483647, 9223372036854775807L, 0.1,
                1.0E300, new BigDecimal("1234567890123456789012345678.0123456789"), "2026-11-24", "15:00:00",
                "2026-11-24T15:00:00.123", "2026-11-24T15:00:00.123Z"));
    }

    @Test
    void writingToATableThatWasNotEnsuredIsRefused() {
        assertThatThrownBy(() -> store.write(LoadBatch.builder().row("nope", "x").build()))
                .isInstanceOf(StorageException.class)
                .hasMessage("Cannot write to table 'nope': it is not defined in this store; call ensureTable first."
                        + " Defined tables: [events, sales]");
    }

    @Test
    void tombstonesOnAppendTablesAreRefused() {
        assertThatThrownBy(() -> store.write(LoadBatch.builder().tombstone("events", "a").build()))
                .isInstanceOf(StorageException.class)
                .hasMessageContaining("Append table 'events' cannot take tombstones; only upsert tables delete rows");
    }

    @Test
    void tableDefinitionsAreValidated() {
        assertThatThrownBy(() -> new TableDefinition("t", "topic", List.of(col("a", "ARRAY<INT>")), List.of(), SinkSpec.Mode.APPEND))
                .isInstanceOf(StorageException.class)
                .hasMessageStartingWith("Table 't' column 'a' has type 'ARRAY<INT>', which storage does not support");
        assertThatThrownBy(() -> new TableDefinition("t", "topic", List.of(col("a", "INT")), List.of(), SinkSpec.Mode.UPSERT))
                .isInstanceOf(StorageException.class)
                .hasMessage("Upsert table 't' needs a primary key; rows are replaced by key");
        assertThatThrownBy(() -> new TableDefinition("t", "topic", List.of(col("a", "INT")), List.of("b"), SinkSpec.Mode.UPSERT))
                .isInstanceOf(StorageException.class)
                .hasMessage("Table 't' has primary-key column 'b', which is not one of its columns [a]");
        assertThatThrownBy(() -> new TableDefinition("_sluice_x", "topic", List.of(col("a", "INT")), List.of(), SinkSpec.Mode.APPEND))
                .isInstanceOf(StorageException.class)
                .hasMessage("Table name '_sluice_x' is reserved: names starting with '_sluice' are Sluice's own tables");
    }

    @Test
    void readersFindExtensionsOffAndTheConfigurationLocked() throws Exception {
        assertThat(setting("autoinstall_known_extensions")).isEqualTo("false");
        assertThat(setting("autoload_known_extensions")).isEqualTo("false");
        assertThat(setting("allow_community_extensions")).isEqualTo("false");
        assertThat(setting("enable_external_access")).isEqualTo("false");
        assertThat(setting("lock_configuration")).isEqualTo("true");

        for (String change : List.of("SET GLOBAL memory_limit = '20GB'", "SET threads = 8", "RESET enable_external_access",
                "SET GLOBAL autoinstall_known_extensions = true")) {
            try (java.sql.Connection c = store.readConnection(); java.sql.Statement s = c.createStatement()) {
                assertThatThrownBy(() -> s.execute(change)).as(change).hasMessageContaining("configuration has been locked");
            }
        }
        assertThat(setting("enable_external_access")).isEqualTo("false");
    }

    @Test
    void aFunctionOfAnExtensionThatIsNotLoadedIsUnknownInsteadOfDownloaded() throws Exception {
        try (java.sql.Connection c = store.readConnection(); java.sql.Statement s = c.createStatement()) {
            assertThatThrownBy(() -> s.executeQuery("SELECT html_escape('<')"))
                    .hasMessageStartingWith("Catalog Error: Scalar Function with name \"html_escape\" is not in the catalog, but it exists in the inet extension.")
                    .satisfies(e -> assertThat(e.getMessage()).doesNotContainIgnoringCase("download"));
        }
    }

    @Test
    void limitsDuckDbsMemoryAndThreads() throws Exception {
        store.close();
        store = DuckDbStore.open(dir.resolve("nested/dir/sluice.duckdb"), new DuckDbSettings(512L * 1024 * 1024, 1));
        queries = new QueryService(store);

        assertThat(setting("memory_limit")).isEqualTo("512.0 MiB");
        assertThat(setting("threads")).isEqualTo("1");
    }

    @Test
    void byDefaultDuckDbLeavesMostMemoryAndCoresToTheRestOfTheProcess() {
        DuckDbSettings defaults = DuckDbSettings.defaults();
        long physical = ((com.sun.management.OperatingSystemMXBean) java.lang.management.ManagementFactory.getOperatingSystemMXBean())
                .getTotalMemorySize();

        assertThat(defaults.memoryLimitBytes()).isEqualTo(Math.max(256L * 1024 * 1024, physical / 4));
        assertThat(defaults.threads()).isEqualTo(Math.max(1, Math.min(2, Runtime.getRuntime().availableProcessors() / 2)));
    }

    private String setting(String name) throws Exception {
        try (java.sql.Connection c = store.readConnection(); java.sql.Statement s = c.createStatement();
                java.sql.ResultSet rs = s.executeQuery("SELECT current_setting('" + name + "')::VARCHAR")) {
            rs.next();
            return rs.getString(1);
        }
    }

    private List<List<Object>> rows(String sql) {
        return queries.query(sql, 1000).rows();
    }

    static ColumnSpec col(String name, String type) {
        return new ColumnSpec(name, type, null);
    }
}
