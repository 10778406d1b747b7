package dev.sluice.cli.bench;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Nexmark queries store exactly the rows plain Flink SQL computes from the same topics: the joins and the aggregations
 * over joins and windows (regular join, an aggregate of an aggregate over a join with a time condition, sliding windows
 * joined with their maximum, a window aggregate joined back to the events, two window aggregates joined). q0, q1 and
 * q2 (pass-through, projection, selection) are left out here: every other test covers those shapes.
 */
class NexmarkBenchIT {
    @ParameterizedTest
    @ValueSource(strings = {"nexmark-q3", "nexmark-q4", "nexmark-q5", "nexmark-q7", "nexmark-q8"})
    void queryStoresWhatPlainFlinkSqlComputes(String scenario, @TempDir Path dir) {
        BenchReport r = Bench.run(new BenchSettings(scenario, 20_000, 0, 2, Duration.ofSeconds(1), dir, Path.of("..", "examples"), 5,
                Duration.ofSeconds(90)), p -> { });

        assertThat(r.problems()).isEmpty();
        assertThat(r.correct()).isTrue();
        String table = scenario.substring("nexmark-".length());
        assertThat(r.rowsStored().get(table)).isPositive();
    }
}
