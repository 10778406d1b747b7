package dev.sluice.cli.bench;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** Each Nexmark query stores exactly the rows plain Flink SQL computes from the same topics. */
class NexmarkBenchIT {
    @ParameterizedTest
    @ValueSource(strings = {"nexmark-q0", "nexmark-q1", "nexmark-q2", "nexmark-q3", "nexmark-q5", "nexmark-q7", "nexmark-q8"})
    void queryStoresWhatPlainFlinkSqlComputes(String scenario, @TempDir Path dir) {
        BenchReport r = Bench.run(new BenchSettings(scenario, 20_000, 0, 2, Duration.ofSeconds(1), dir, Path.of("..", "examples"), 5,
                Duration.ofSeconds(90)), p -> { });

        assertThat(r.problems()).isEmpty();
        assertThat(r.correct()).isTrue();
        String table = scenario.substring("nexmark-".length());
        assertThat(r.rowsStored().get(table)).isPositive();
    }
}
