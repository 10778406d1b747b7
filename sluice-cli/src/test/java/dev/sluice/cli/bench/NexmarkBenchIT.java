package dev.sluice.cli.bench;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Nexmark queries store exactly the rows plain Flink SQL computes from the same topics: one of each kind (pass-through,
 * selection, regular join, window aggregate joined back to the events). q1 is q0 with a multiplication. q5 and q8 are
 * left out: they differ from plain Flink SQL today (docs/benchmarks.md says how).
 */
class NexmarkBenchIT {
    @ParameterizedTest
    @ValueSource(strings = {"nexmark-q0", "nexmark-q2", "nexmark-q3", "nexmark-q7"})
    void queryStoresWhatPlainFlinkSqlComputes(String scenario, @TempDir Path dir) {
        BenchReport r = Bench.run(new BenchSettings(scenario, 20_000, 0, 2, Duration.ofSeconds(1), dir, Path.of("..", "examples"), 5,
                Duration.ofSeconds(90)), p -> { });

        assertThat(r.problems()).isEmpty();
        assertThat(r.correct()).isTrue();
        String table = scenario.substring("nexmark-".length());
        assertThat(r.rowsStored().get(table)).isPositive();
    }
}
