package dev.sluice.cli.bench;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.io.TempDir;

/** Every scenario besides the smoke test's two stores exactly what its plain-Java expectation says, on small input. */
class BenchScenariosIT {
    @ParameterizedTest
    @ValueSource(strings = {"hopping", "enrichment", "session", "demo"})
    void scenarioStoresExactlyTheExpectedRows(String scenario, @TempDir Path dir) {
        BenchReport r = Bench.run(new BenchSettings(scenario, 10_000, 0, 2, Duration.ofSeconds(1), dir, Path.of("..", "examples"), 11,
                Duration.ofSeconds(90)), p -> { });

        assertThat(r.problems()).isEmpty();
        assertThat(r.correct()).isTrue();
        assertThat(r.rowsStored().values().stream().mapToLong(Long::longValue).sum()).isPositive();
    }
}
