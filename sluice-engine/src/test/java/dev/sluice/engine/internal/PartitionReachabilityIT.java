package dev.sluice.engine.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.sluice.broker.BrokerAdmin;
import dev.sluice.broker.EmbeddedKafka;
import dev.sluice.broker.TopicSpec;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import org.apache.flink.api.common.eventtime.WatermarkGenerator;
import org.apache.flink.table.data.RowData;
import org.apache.flink.util.clock.ManualClock;
import org.apache.kafka.common.metrics.Metrics;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A quiet partition goes idle only while its leader answers, and holds the watermark again when it stops answering: the
 * case of a broker that dies while its producers hold the partition's records until a new leader takes over.
 */
class PartitionReachabilityIT {
    private static final Duration IDLE = Duration.ofSeconds(10);

    @TempDir
    Path dir;

    @Test
    void aQuietPartitionIsIdleOnlyWhileItsLeaderAnswers() throws Exception {
        ManualClock clock = new ManualClock();
        PartitionWatermarksTest.Output output = new PartitionWatermarksTest.Output();
        ConsumerLagReporter reporter = new ConsumerLagReporter();
        reporter.configure(Map.of("client.id", "pfx-3"));
        try (Metrics consumerMetrics = new Metrics()) {
            consumerMetrics.addReporter(reporter);
            PartitionWatermarksTest.lagSensor(consumerMetrics, 0).record(0); // read to its end, as far as the consumer knows
            EmbeddedKafka kafka = EmbeddedKafka.start(dir.resolve("kafka"), 0);
            PartitionWatermarks strategy = new PartitionWatermarks("t", "pfx", 1, 0, 3, Duration.ofSeconds(2), IDLE, 1, 1,
                    Map.of("bootstrap.servers", kafka.bootstrapServers()));
            WatermarkGenerator<RowData> generator = strategy.createWatermarkGenerator(PartitionWatermarksTest.context(clock));
            try (BrokerAdmin admin = new BrokerAdmin(kafka.bootstrapServers(), new Properties())) {
                admin.ensureTopics(List.of(TopicSpec.of("t", 1)));
                generator.onEvent(PartitionWatermarksTest.row(0), 10_000, output);
                clock.advanceTime(IDLE);
                generator.onPeriodicEmit(output);
                assertThat(output.idle).as("quiet for the idle timeout, but its leader has not been asked yet").isFalse();

                long asked = System.nanoTime();
                await().atMost(Duration.ofSeconds(20)).pollInterval(Duration.ofMillis(200)).until(() -> {
                    generator.onPeriodicEmit(output);
                    return output.idle;
                });
                assertThat(Duration.ofNanos(System.nanoTime() - asked)).as("idle only after its leader answered for a while")
                        .isGreaterThanOrEqualTo(PartitionWatermarks.ANSWERING_FOR);
            } finally {
                kafka.close();
            }
            // The leader is gone: records its producers hold back would arrive behind a watermark that went on without it.
            await().atMost(Duration.ofSeconds(20)).pollInterval(Duration.ofMillis(200)).until(() -> {
                generator.onPeriodicEmit(output);
                return !output.idle;
            });
        }
    }
}
