package dev.sluice.bench;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledIfSystemProperty;
import org.junit.jupiter.api.io.TempDir;

/**
 * The Spark peer alone on small input, only with {@code -Dsluice.bench=true} (a child JVM with Spark takes tens of
 * seconds to start): in one micro-batch and in micro-batches of an eighth of the input, Spark's windows equal the
 * expectation, and it read every record of the topic. {@code -Dsluice.bench.events=N} (default 40,000).
 */
@EnabledIfSystemProperty(named = "sluice.bench", matches = "true")
class SparkPeerIT {
    @Test
    void sparkComputesTheExpectedWindowsFromTheKafka411Broker(@TempDir Path dir) throws Exception {
        long events = Long.getLong("sluice.bench.events", 40_000);
        Path sparkTarget = Path.of("..", "sluice-bench-spark", "target");
        List<Comparison.Line> lines = Comparison.runPeers(events, dir, List.of(
                new SparkPeer(sparkTarget, 2, 0, dir.resolve("spark-all")),
                new SparkPeer(sparkTarget, 2, events / 8, dir.resolve("spark-batches"))));
        org.slf4j.LoggerFactory.getLogger(SparkPeerIT.class).info("Spark peer: {}", lines);

        long records = events + Comparison.PARTITIONS;
        assertThat(lines.get(0).correctness()).startsWith("exact")
                .contains(String.format("%,d records read", records));
        assertThat(lines.get(1).correctness()).startsWith("exact")
                .contains(String.format("%,d records read", records));
        assertThat(lines).allSatisfy(l -> assertThat(l.seconds()).isPositive());
        assertThat(lines).allSatisfy(l -> assertThat(l.cpuSecondsPerMillion()).isPositive());
    }
}
