package dev.sluice.engine.internal;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.apache.flink.api.common.eventtime.Watermark;
import org.apache.flink.api.common.eventtime.WatermarkGenerator;
import org.apache.flink.api.common.eventtime.WatermarkGeneratorSupplier;
import org.apache.flink.api.common.eventtime.WatermarkOutput;
import org.apache.flink.metrics.MetricGroup;
import org.apache.flink.metrics.groups.UnregisteredMetricsGroup;
import org.apache.flink.table.data.GenericRowData;
import org.apache.flink.table.data.RowData;
import org.apache.flink.util.clock.ManualClock;
import org.apache.flink.util.clock.RelativeClock;
import org.apache.kafka.common.metrics.Measurable;
import org.apache.kafka.common.metrics.Metrics;
import org.apache.kafka.common.metrics.Sensor;
import org.apache.kafka.common.metrics.stats.Value;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class PartitionWatermarksTest {
    private static final Duration IDLE = Duration.ofSeconds(10);

    private final ManualClock clock = new ManualClock();
    private final Output output = new Output();
    private Metrics consumerMetrics;
    private Sensor lagOfPartition0;
    private Sensor lagOfPartition1;

    @BeforeEach
    void consumer() {
        // The consumer of subtask 3 of the source with client id prefix "pfx", reading partitions 0 and 1 of "t".
        ConsumerLagReporter reporter = new ConsumerLagReporter();
        reporter.configure(Map.of("client.id", "pfx-3"));
        consumerMetrics = new Metrics();
        consumerMetrics.addReporter(reporter);
        lagOfPartition0 = lagSensor(0);
        lagOfPartition1 = lagSensor(1);
    }

    @AfterEach
    void close() {
        consumerMetrics.close();
    }

    @Test
    void aPartitionWithRecordsLeftToReadNeverGoesIdle() {
        WatermarkGenerator<RowData> generator = generator();
        generator.onEvent(row(0), 10_000, output);
        lagOfPartition0.record(500); // a backlog: this partition waits its turn, emitting nothing
        for (int i = 0; i < 100; i++) {
            clock.advanceTime(Duration.ofSeconds(1));
            generator.onPeriodicEmit(output);
        }
        assertThat(output.idle).isFalse();
        assertThat(output.watermarks).containsOnly(10_000 - 2_000 - 1L);
    }

    @Test
    void aPartitionReadToItsEndGoesIdleAfterTheTimeoutAndWakesWithItsNextRecord() {
        WatermarkGenerator<RowData> generator = generator();
        generator.onEvent(row(0), 10_000, output);
        lagOfPartition0.record(0);
        clock.advanceTime(IDLE.minusMillis(1));
        generator.onPeriodicEmit(output);
        assertThat(output.idle).isFalse();
        clock.advanceTime(Duration.ofMillis(1));
        generator.onPeriodicEmit(output);
        assertThat(output.idle).isTrue();

        generator.onEvent(row(0), 12_000, output);
        generator.onPeriodicEmit(output);
        assertThat(output.idle).isFalse();
        assertThat(output.watermarks).containsExactly(7_999L, 9_999L);
    }

    @Test
    void aPartitionReadToItsEndWaitsWhileItsConsumerCatchesUpOnAnotherOne() {
        WatermarkGenerator<RowData> quiet = generator();
        quiet.onEvent(row(0), 10_000, output);
        lagOfPartition0.record(0);
        lagOfPartition1.record(9_000); // partition 0's next fetch may wait behind this backlog: its 0 may be stale
        clock.advanceTime(IDLE.multipliedBy(10));
        quiet.onPeriodicEmit(output);
        assertThat(output.idle).isFalse();

        lagOfPartition1.record(0);
        clock.advanceTime(IDLE);
        quiet.onPeriodicEmit(output);
        assertThat(output.idle).isTrue();
    }

    @Test
    void beforeItsFirstRecordAPartitionWaitsWhileAnyUnclaimedPartitionOfItsConsumerHasRecordsLeft() {
        WatermarkGenerator<RowData> reading = generator();
        WatermarkGenerator<RowData> noRecordYet = generator();
        reading.onEvent(row(0), 10_000, output);
        lagOfPartition0.record(0);
        lagOfPartition1.record(300); // fetched but not yet emitted: the silent generator may be partition 1's
        clock.advanceTime(IDLE.plusSeconds(5));
        noRecordYet.onPeriodicEmit(output);
        assertThat(output.idle).isFalse();

        lagOfPartition1.record(0); // partition 1 turns out empty
        clock.advanceTime(IDLE);
        noRecordYet.onPeriodicEmit(output);
        assertThat(output.idle).isTrue();
    }

    @Test
    void beforeItsFirstRecordAPartitionWaitsWhileItsConsumerHasAnAssignedPartitionItHasNotFetched() {
        consumerMetrics.addMetric(consumerMetrics.metricName("assigned-partitions", "consumer-coordinator-metrics"),
                (Measurable) (config, now) -> 3);
        WatermarkGenerator<RowData> reading = generator();
        WatermarkGenerator<RowData> noRecordYet = generator();
        reading.onEvent(row(0), 10_000, output);
        lagOfPartition0.record(800);
        lagOfPartition1.record(0); // empty; partition 2 was assigned but not fetched: its lag is unknown
        clock.advanceTime(IDLE.multipliedBy(10));
        noRecordYet.onPeriodicEmit(output);
        assertThat(output.idle).isFalse();

        lagSensor(2).record(0); // fetched at last, and empty too
        clock.advanceTime(IDLE);
        noRecordYet.onPeriodicEmit(output);
        assertThat(output.idle).isTrue();
    }

    @Test
    void beforeItsConsumerExistsNoPartitionGoesIdle() {
        PartitionWatermarks strategy = new PartitionWatermarks("t", "other", 1, 0, 3, Duration.ofSeconds(2), IDLE, 0, 0, Map.of());
        WatermarkGenerator<RowData> generator = strategy.createWatermarkGenerator(context());
        clock.advanceTime(IDLE.multipliedBy(10));
        generator.onPeriodicEmit(output);
        assertThat(output.idle).isFalse();
    }

    @Test
    void aReaderThatGetsNoPartitionGoesIdle() {
        // Topic "t" with 1 partition and 4 readers: the enumerator gives partition 0 to reader 0, so reader 3 (the
        // context's subtask) never gets a split and never has a consumer; it must not hold the watermark back.
        PartitionWatermarks strategy = new PartitionWatermarks("t", "other", 1, 0, 3, Duration.ofSeconds(2), IDLE, 1, 4, Map.of());
        assertThat(strategy.ownsAPartition(0)).isTrue();
        assertThat(strategy.ownsAPartition(3)).isFalse();
        WatermarkGenerator<RowData> generator = strategy.createWatermarkGenerator(context());
        generator.onPeriodicEmit(output);
        assertThat(output.idle).isFalse();
        clock.advanceTime(IDLE);
        generator.onPeriodicEmit(output);
        assertThat(output.idle).isTrue();
    }

    @Test
    void aReaderThatGetsAPartitionWaitsForItsSplitBoundedly() {
        PartitionWatermarks strategy = new PartitionWatermarks("t", "other", 1, 0, 3, Duration.ofSeconds(2), IDLE, 4, 4, Map.of());
        WatermarkGenerator<RowData> generator = strategy.createWatermarkGenerator(context());
        clock.advanceTime(PartitionWatermarks.SPLIT_WAIT.minus(Duration.ofSeconds(1)));
        generator.onPeriodicEmit(output);
        assertThat(output.idle).isFalse();
        clock.advanceTime(Duration.ofSeconds(1).plus(IDLE));
        generator.onPeriodicEmit(output);
        assertThat(output.idle).isTrue();
    }

    private WatermarkGenerator<RowData> generator() {
        PartitionWatermarks strategy = new PartitionWatermarks("t", "pfx", 1, 0, 3, Duration.ofSeconds(2), IDLE, 0, 0, Map.of());
        return strategy.createWatermarkGenerator(context());
    }

    private WatermarkGeneratorSupplier.Context context() {
        return context(clock);
    }

    /** The context of subtask 3 of a source, with {@code clock} as its input-activity clock. */
    static WatermarkGeneratorSupplier.Context context(RelativeClock clock) {
        return new WatermarkGeneratorSupplier.Context() {
            @Override
            public MetricGroup getMetricGroup() {
                return new UnregisteredMetricsGroup() {
                    @Override
                    public Map<String, String> getAllVariables() {
                        return Map.of("<subtask_index>", "3");
                    }
                };
            }

            @Override
            public RelativeClock getInputActivityClock() {
                return clock;
            }
        };
    }

    /** A source row of a one-column schema followed by the meta fields; only the partition matters here. */
    static RowData row(int partition) {
        GenericRowData row = new GenericRowData(1 + SourceRecords.META);
        row.setField(2, partition);
        return row;
    }

    private Sensor lagSensor(int partition) {
        return lagSensor(consumerMetrics, partition);
    }

    /** The {@code records-lag} metric of the consumer "pfx-3" for a partition of topic "t". */
    static Sensor lagSensor(Metrics consumerMetrics, int partition) {
        Sensor sensor = consumerMetrics.sensor("lag-" + partition);
        sensor.add(consumerMetrics.metricName("records-lag", "consumer-fetch-manager-metrics",
                Map.of("client-id", "pfx-3", "topic", "t", "partition", String.valueOf(partition))), new Value());
        return sensor;
    }

    static final class Output implements WatermarkOutput {
        final List<Long> watermarks = new ArrayList<>();
        boolean idle;

        @Override
        public void emitWatermark(Watermark watermark) {
            watermarks.add(watermark.getTimestamp());
            idle = false;
        }

        @Override
        public void markIdle() {
            idle = true;
        }

        @Override
        public void markActive() {
            idle = false;
        }
    }
}
