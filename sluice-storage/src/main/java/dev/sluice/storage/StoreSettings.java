package dev.sluice.storage;

import java.nio.file.Path;
import java.util.Objects;
import java.util.Optional;

/**
 * Which store a Sluice process keeps its tables in: the embedded DuckDB file (the default) or, for scale-out, a
 * PostgreSQL database.
 *
 * <pre>{@code
 * StoreSettings embedded = StoreSettings.defaults();
 * StoreSettings shared = StoreSettings.defaults().withPostgres(PostgresSettings.of("postgresql://db:5432/sluice?user=sluice", password));
 * try (ResultStore store = shared.open(dataDir.resolve("sluice.duckdb"))) { ... }
 * }</pre>
 *
 * @param duckDb   how much memory and how many threads DuckDB may use, when DuckDB is the store
 * @param postgres the PostgreSQL database to use instead of DuckDB; empty for DuckDB
 */
public record StoreSettings(DuckDbSettings duckDb, Optional<PostgresSettings> postgres) {
    public StoreSettings {
        Objects.requireNonNull(duckDb, "duckDb");
        Objects.requireNonNull(postgres, "postgres");
    }

    /** DuckDB with {@link DuckDbSettings#defaults()}. */
    public static StoreSettings defaults() {
        return of(DuckDbSettings.defaults());
    }

    /** DuckDB with these limits. */
    public static StoreSettings of(DuckDbSettings duckDb) {
        return new StoreSettings(duckDb, Optional.empty());
    }

    /** The same, with the tables in this PostgreSQL database instead of DuckDB. */
    public StoreSettings withPostgres(PostgresSettings settings) {
        return new StoreSettings(duckDb, Optional.of(settings));
    }

    /** DuckDB's memory limit ({@link DuckDbSettings#memoryLimitBytes()}). */
    public long memoryLimitBytes() {
        return duckDb.memoryLimitBytes();
    }

    /** DuckDB's thread count ({@link DuckDbSettings#threads()}). */
    public int threads() {
        return duckDb.threads();
    }

    /** Where the tables are, for messages: the DuckDB file or the PostgreSQL URL (never a password). */
    public String describe(Path duckDbFile) {
        return postgres.map(PostgresSettings::location).orElse(duckDbFile.toString());
    }

    /** Opens the chosen store: the PostgreSQL database, or the DuckDB file {@code duckDbFile}. */
    public ResultStore open(Path duckDbFile) {
        return postgres.<ResultStore>map(PostgresStore::open).orElseGet(() -> DuckDbStore.open(duckDbFile, duckDb));
    }
}
