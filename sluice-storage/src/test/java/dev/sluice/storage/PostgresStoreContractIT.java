package dev.sluice.storage;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * {@link PostgresStore} keeps the {@link ResultStoreContract}, on a real PostgreSQL server ({@link LocalPostgres}),
 * and what only PostgreSQL needs: the read-only role, one writer per database.
 */
class PostgresStoreContractIT extends ResultStoreContract {
    static PostgresSettings settings;

    @BeforeAll
    static void database() {
        settings = LocalPostgres.shared().newDatabase();
    }

    @Override
    ResultStore open() {
        PostgresStore opened = PostgresStore.open(settings);
        // Every test starts from an empty database; reopening within a test keeps it.
        if (fresh) {
            fresh = false;
            opened.inTransaction("empty the database", c -> {
                try (Statement s = c.createStatement()) {
                    s.execute("DROP SCHEMA IF EXISTS shop CASCADE");
                    s.execute("DELETE FROM main._sluice_offsets");
                    s.execute("DELETE FROM main._sluice_rejected");
                }
                return null;
            });
        }
        return opened;
    }

    private boolean fresh = true;

    @Override
    String slowQuery() {
        return "SELECT pg_sleep(60)";
    }

    @Override
    String tinyintReadsAs() {
        return "SMALLINT";
    }

    @Test
    void theReadRoleCannotWriteEvenOutsideAReadOnlyTransaction() throws Exception {
        try (Connection c = ((PostgresStore) store).readConnection(); Statement s = c.createStatement()) {
            for (String write : List.of("INSERT INTO shop.events VALUES ('x', 1)", "DELETE FROM main._sluice_offsets",
                    "CREATE TABLE shop.mine (a int)", "CREATE SCHEMA mine", "DROP TABLE shop.events")) {
                assertThatThrownBy(() -> s.execute(write)).as(write).hasMessageMatching("(?s).*(permission denied|must be owner).*");
            }
            try (ResultSet rs = s.executeQuery("SELECT rolsuper, rolcreaterole, rolcreatedb FROM pg_roles WHERE rolname = current_user")) {
                rs.next();
                assertThat(List.of(rs.getBoolean(1), rs.getBoolean(2), rs.getBoolean(3))).containsOnly(false);
            }
        }
    }

    @Test
    void aBrokenWriterSessionIsReplacedAndTheRetriedBatchLandsOnce() throws Exception {
        store.write(LoadBatch.builder().row("shop.events", "a", "1").nextOffset(EVENTS_0, 1).build());
        String database = settings.url().substring(settings.url().lastIndexOf('/') + 1);
        try (Connection admin = LocalPostgres.shared().superuser(database); Statement s = admin.createStatement();
             ResultSet rs = s.executeQuery("SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity"
                     + " WHERE datname = current_database() AND application_name = 'sluice-writer'")) {
            rs.next();
            assertThat(rs.getInt(1)).isEqualTo(1);
        }
        LoadBatch batch = LoadBatch.builder().row("shop.events", "b", "2").row("shop.sales", "m-1", W, "1.00", "1").nextOffset(EVENTS_0, 2)
                .build();

        assertThatThrownBy(() -> store.write(batch)).isInstanceOf(StorageException.class).hasMessageContaining("rolled back");
        store.write(batch);

        assertThat(rows("SELECT id FROM events ORDER BY id")).containsExactly(List.of("a"), List.of("b"));
        assertThat(rows("SELECT merchant_id FROM sales")).containsExactly(List.of("m-1"));
        assertThat(store.committedOffsets()).isEqualTo(java.util.Map.of(EVENTS_0, 2L));
    }

    @Test
    void dashboardsLearnTheTablesAQueryReadsFromItsPlan() {
        assertThat(queries.tablesRead("SELECT s.merchant_id FROM sales s JOIN events e ON e.id = s.merchant_id", "shop",
                java.util.Set.of("sales", "events"))).containsExactlyInAnyOrder("shop.sales", "shop.events");
        // Before its tables exist PostgreSQL cannot plan a query: all the pipeline's tables count as read.
        assertThat(queries.tablesRead("SELECT * FROM later", "shop", java.util.Set.of("later", "sales")))
                .containsExactlyInAnyOrder("shop.later", "shop.sales");
        assertThatThrownBy(() -> queries.tablesRead("DELETE FROM sales", "shop", java.util.Set.of("sales")))
                .isInstanceOf(QueryRejectedException.class);
    }

    @Test
    void aSecondWriterOnTheSameDatabaseIsRefused() {
        assertThatThrownBy(() -> PostgresStore.open(settings)).isInstanceOf(StorageException.class)
                .hasMessage("Another Sluice process writes to the PostgreSQL store " + settings.location()
                        + "; one process at a time may load a database. Stop it or use another database");
    }

    @Test
    void aPasswordInTheUrlIsRefused() {
        assertThatThrownBy(() -> PostgresSettings.of("postgresql://127.0.0.1:5432/db?user=u&password=secret", java.util.Optional.empty()))
                .isInstanceOf(IllegalArgumentException.class).hasMessageStartingWith("--store must not hold a password")
                .satisfies(e -> assertThat(e.getMessage()).doesNotContain("secret"));
    }
}
