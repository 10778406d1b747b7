package dev.sluice.engine.internal;

import static org.assertj.core.api.Assertions.assertThat;

import dev.sluice.engine.JobMetrics;
import org.junit.jupiter.api.Test;

class RemoteJobMetricsTest {
    @Test
    void readsOperatorCountsOffsetsAndLateDropsFromSubtaskMetricIds() {
        RemoteJobMetrics m = new RemoteJobMetrics();
        // Ids as a cluster's REST API lists them for a vertex with two subtasks; names with ' ', '.', ':' as '_'.
        m.add("0.Source__source__payments.numRecordsOut", "120");
        m.add("1.Source__source__payments.numRecordsOut", "80.0");
        m.add("0.Source__source__payments.numRecordsIn", "0");
        m.add("0.Source__source__payments.KafkaSourceReader.topic.sluice_in.partition.0.currentOffset", "59");
        m.add("1.Source__source__payments.KafkaSourceReader.topic.sluice_in.partition.0.currentOffset", "-1");
        m.add("0.Source__source__payments.KafkaSourceReader.topic.sluice_in.partition.0.committedOffset", "40");
        m.add("1.Source__source__payments.KafkaSourceReader.topic.sluice_in.partition.1.currentOffset", "139");
        m.add("0.GroupWindowAggregate.numLateRecordsDropped", "3");
        m.add("1.GroupWindowAggregate.numLateRecordsDropped", "4");
        // Task-level metrics and other shapes are not operator metrics.
        m.add("0.numRecordsIn", "999");
        m.add("0.buffers.inputQueueLength", "5");
        m.add("x.Op.numRecordsIn", "7");
        m.add("0.Op.numRecordsIn", "not a number");

        JobMetrics job = m.toJobMetrics(JobMetrics.Checkpoints.NONE, 2);

        assertThat(job.operators()).containsExactly(
                new JobMetrics.OperatorCounts("Source__source__payments", 0, 200));
        assertThat(job.sourcePartitions()).containsExactly(
                new JobMetrics.SourcePartition("sluice_in", 0, 60, 40),
                new JobMetrics.SourcePartition("sluice_in", 1, 140, -1));
        assertThat(job.lateRecordsDropped()).isEqualTo(7);
        assertThat(job.restarts()).isEqualTo(2);
    }

    @Test
    void fetchesOnlyTheMetricsItReads() {
        assertThat(RemoteJobMetrics.wanted("3.Sink__result__x.numRecordsIn")).isTrue();
        assertThat(RemoteJobMetrics.wanted("0.S.KafkaSourceReader.topic.t.partition.12.committedOffset")).isTrue();
        assertThat(RemoteJobMetrics.wanted("0.numRecordsIn")).isFalse();
        assertThat(RemoteJobMetrics.wanted("0.S.currentInputWatermark")).isFalse();
        assertThat(RemoteJobMetrics.wanted("0.S.KafkaSourceReader.topic.t.partition.1.bytesConsumedTotal")).isFalse();
    }

    @Test
    void namesCompareInTheFormTheRestApiWritesThem() {
        assertThat(JobMetrics.metricName("Source: source: payments")).isEqualTo("Source__source__payments");
        assertThat(JobMetrics.metricName("sluice.payments.dlq,x")).isEqualTo("sluice_payments_dlq_x");
    }
}
