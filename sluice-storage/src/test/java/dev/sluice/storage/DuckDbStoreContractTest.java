package dev.sluice.storage;

import java.nio.file.Path;
import org.junit.jupiter.api.io.TempDir;

/** {@link DuckDbStore} keeps the {@link ResultStoreContract}, on a real DuckDB file. */
class DuckDbStoreContractTest extends ResultStoreContract {
    @TempDir
    Path dir;

    @Override
    ResultStore open() {
        return DuckDbStore.open(dir.resolve("sluice.duckdb"));
    }

    @Override
    String slowQuery() {
        return "SELECT count(*) FROM range(1000000000000) a(i) WHERE i % 7 = 3";
    }

    @Override
    String tinyintReadsAs() {
        return "TINYINT";
    }
}
