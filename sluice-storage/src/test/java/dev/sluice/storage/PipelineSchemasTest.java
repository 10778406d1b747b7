package dev.sluice.storage;

import static dev.sluice.storage.DuckDbStoreTest.col;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.sluice.spec.SinkSpec;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Two pipelines' tables of the same name side by side, each in the schema of its pipeline. */
class PipelineSchemasTest {
    @TempDir
    Path dir;

    static TableDefinition alerts(String pipeline) {
        return new TableDefinition(pipeline, "alerts", "sluice." + pipeline + ".alerts",
                List.of(col("id", "STRING"), col("n", "BIGINT")), List.of("id"), SinkSpec.Mode.UPSERT);
    }

    @Test
    void tablesOfTheSameNameInTwoSchemasHoldTheirOwnRows() {
        try (DuckDbStore store = DuckDbStore.open(dir.resolve("s.duckdb"))) {
            store.ensureTable(alerts("fraud"));
            store.ensureTable(alerts("trading"));
            store.write(LoadBatch.builder().row("fraud.alerts", "a", "1").row("trading.alerts", "a", "2")
                    .row("trading.alerts", "b", "3").build());
            QueryService queries = new QueryService(store);

            assertThat(store.allTables()).containsEntry("fraud", List.of("alerts")).containsEntry("trading", List.of("alerts"));
            assertThat(queries.query("SELECT id, n FROM alerts ORDER BY id", 10, QueryScope.pipeline("fraud")).rows())
                    .containsExactly(List.of("a", 1L));
            assertThat(queries.query("SELECT id, n FROM alerts ORDER BY id", 10, QueryScope.pipeline("trading")).rows())
                    .containsExactly(List.of("a", 2L), List.of("b", 3L));
            assertThat(queries.query("SELECT f.n + t.n FROM fraud.alerts f JOIN trading.alerts t USING (id)", 10).rows())
                    .containsExactly(List.of(3L));
            assertThat(queries.tableRows("trading", "alerts", 10).rows()).hasSize(2);
        }
    }

    @Test
    void aPipelineQueryReadsOnlyItsOwnSchema() {
        try (DuckDbStore store = DuckDbStore.open(dir.resolve("s.duckdb"))) {
            store.ensureTable(alerts("fraud"));
            store.ensureTable(alerts("trading"));
            QueryService queries = new QueryService(store);

            assertThatThrownBy(() -> queries.query("SELECT * FROM trading.alerts", 10, QueryScope.pipeline("fraud")))
                    .isInstanceOf(QueryRejectedException.class)
                    .hasMessage("'trading.alerts' is not a storage table; queries may read only the storage tables (alerts)"
                            + " and names they define with WITH");
            assertThatThrownBy(() -> queries.query("SELECT * FROM main._sluice_offsets", 10, QueryScope.pipeline("fraud")))
                    .isInstanceOf(QueryRejectedException.class);
            assertThatThrownBy(() -> queries.tableRows("fraud", "nope", 10))
                    .isInstanceOf(TableNotFoundException.class).hasMessage("no table 'nope'; tables are: alerts");
        }
    }

    @Test
    void loaderOffsetsAndStagingStayApartPerSchema() {
        try (DuckDbStore store = DuckDbStore.open(dir.resolve("s.duckdb"))) {
            store.ensureTable(alerts("a_b"));
            store.ensureTable(new TableDefinition("a", "b_alerts", "sluice.a.b_alerts",
                    List.of(col("id", "STRING"), col("n", "BIGINT")), List.of("id"), SinkSpec.Mode.UPSERT));
            store.write(LoadBatch.builder().row("a_b.alerts", "x", "1")
                    .nextOffset(new org.apache.kafka.common.TopicPartition("sluice.a_b.alerts", 0), 1).build());
            assertThat(new QueryService(store).query("SELECT count(*) FROM a.b_alerts", 1).rows()).containsExactly(List.of(0L));
            assertThat(store.committedOffsets()).isEqualTo(Map.of(new org.apache.kafka.common.TopicPartition("sluice.a_b.alerts", 0), 1L));
        }
    }

    @Test
    void aTableLoadedBeforePipelinesHadSchemasMovesIntoItsPipelinesSchema() {
        TableDefinition legacy = new TableDefinition("alerts", "sluice.fraud.alerts", List.of(col("id", "STRING"), col("n", "BIGINT")),
                List.of("id"), SinkSpec.Mode.UPSERT);
        TableDefinition unrelated = new TableDefinition("other", "sluice.x.other", List.of(col("id", "STRING")), List.of("id"),
                SinkSpec.Mode.UPSERT);
        try (DuckDbStore store = DuckDbStore.open(dir.resolve("s.duckdb"))) {
            store.ensureTable(legacy);
            store.ensureTable(unrelated);
            store.write(LoadBatch.builder().row("alerts", "a", "1").row("other", "x")
                    .nextOffset(new org.apache.kafka.common.TopicPartition("sluice.fraud.alerts", 0), 1).build());
        }
        try (DuckDbStore store = DuckDbStore.open(dir.resolve("s.duckdb"))) {
            store.ensureTable(alerts("fraud"));
            store.ensureTable(new TableDefinition("x", "other", "sluice.x.other", List.of(col("id", "STRING")), List.of("id"),
                    SinkSpec.Mode.UPSERT));
            QueryService queries = new QueryService(store);
            assertThat(queries.query("SELECT id, n FROM fraud.alerts", 10).rows()).containsExactly(List.of("a", 1L));
            assertThat(store.tables()).containsExactly("_sluice_offsets", "_sluice_rejected", "other");
            assertThat(queries.query("SELECT count(*) FROM x.other", 10).rows()).containsExactly(List.of(0L));
        }
    }

    @Test
    void checkingATableCreatesNothingAndRefusesOtherColumns() {
        try (DuckDbStore store = DuckDbStore.open(dir.resolve("s.duckdb"))) {
            store.checkTable(alerts("fraud"));
            assertThat(store.allTables()).doesNotContainKey("fraud");
            store.ensureTable(alerts("fraud"));
            store.checkTable(alerts("fraud"));
            assertThatThrownBy(() -> store.checkTable(new TableDefinition("fraud", "alerts", "sluice.fraud.alerts",
                    List.of(col("id", "STRING")), List.of("id"), SinkSpec.Mode.UPSERT)))
                    .isInstanceOf(StorageException.class)
                    .hasMessageContaining("exists with columns (id VARCHAR, n BIGINT) with primary key [id] but its definition expects"
                            + " (id VARCHAR) with primary key [id]");
        }
    }
}
