package dev.sluice.bench;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledIfSystemProperty;
import org.junit.jupiter.api.io.TempDir;

/**
 * The full comparison, only with {@code -Dsluice.bench=true} (it takes minutes): Sluice and its peers on the same input,
 * the table written to {@code target/comparison.md}. {@code -Dsluice.bench.events=N} (default 2,000,000),
 * {@code -Dsluice.bench.parallelism=P} (default 2).
 */
@EnabledIfSystemProperty(named = "sluice.bench", matches = "true")
class ComparisonIT {
    @Test
    void sluiceAndItsPeersComputeTheSameWindows(@TempDir Path dir) throws Exception {
        long events = Long.getLong("sluice.bench.events", 2_000_000);
        int parallelism = Integer.getInteger("sluice.bench.parallelism", 2);
        List<Comparison.Line> lines = Comparison.run(events, parallelism, dir, Path.of("..", "examples"),
                Path.of("..", "sluice-bench-spark", "target"));
        ByteArrayOutputStream table = new ByteArrayOutputStream();
        Comparison.print(lines, events, new PrintStream(table, true, StandardCharsets.UTF_8));
        String text = table.toString(StandardCharsets.UTF_8) + String.format("load average at the end: %s%n",
                Files.readString(Path.of("/proc/loadavg")).trim());
        Files.writeString(Path.of("target", "comparison.md"), text);
        org.slf4j.LoggerFactory.getLogger(ComparisonIT.class).info("Comparison:{}", text);

        assertThat(lines).hasSize(7);
        // Sluice, the hand-written job, Flink SQL, Kafka Streams with a long grace period and Spark (one micro-batch, and
        // micro-batches of 200,000 records, over a pre-loaded topic whose partitions advance together) compute every window
        // exactly.
        assertThat(lines.get(0).correctness()).startsWith("exact");
        assertThat(lines.get(1).correctness()).startsWith("exact");
        assertThat(lines.get(2).correctness()).startsWith("exact");
        assertThat(lines.get(4).correctness()).startsWith("exact");
        assertThat(lines.get(5).correctness()).startsWith("exact");
        assertThat(lines.get(6).correctness()).startsWith("exact");
    }
}
