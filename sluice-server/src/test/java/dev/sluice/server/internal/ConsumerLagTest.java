package dev.sluice.server.internal;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Map;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.Test;

class ConsumerLagTest {
    private static final TopicPartition A0 = new TopicPartition("a", 0);
    private static final TopicPartition A1 = new TopicPartition("a", 1);
    private static final TopicPartition B0 = new TopicPartition("b", 0);

    @Test
    void lagIsEndMinusPositionPerPartitionInOrder() {
        List<ConsumerLag.Partition> lag = ConsumerLag.of(Map.of(B0, 7L, A1, 50L, A0, 100L), Map.of(A0, 60L, A1, 50L, B0, 2L));
        assertThat(lag).containsExactly(
                new ConsumerLag.Partition("a", 0, 100, 60, 40),
                new ConsumerLag.Partition("a", 1, 50, 50, 0),
                new ConsumerLag.Partition("b", 0, 7, 2, 5));
        assertThat(ConsumerLag.total(lag)).isEqualTo(45);
    }

    @Test
    void consumerThatHasReadEverythingHasNoLag() {
        assertThat(ConsumerLag.total(ConsumerLag.of(Map.of(A0, 46_987L, A1, 53_077L), Map.of(A0, 46_987L, A1, 53_077L)))).isZero();
    }

    @Test
    void partitionWithoutPositionCountsFromTheBeginning() {
        assertThat(ConsumerLag.of(Map.of(A0, 12L), Map.of())).containsExactly(new ConsumerLag.Partition("a", 0, 12, 0, 12));
    }

    @Test
    void positionAheadOfAStaleEndOffsetIsNoNegativeLag() {
        assertThat(ConsumerLag.of(Map.of(A0, 10L), Map.of(A0, 13L))).containsExactly(new ConsumerLag.Partition("a", 0, 10, 13, 0));
    }

    @Test
    void positionsOfOtherTopicsAreIgnored() {
        assertThat(ConsumerLag.total(ConsumerLag.of(Map.of(A0, 5L), Map.of(B0, 100L)))).isEqualTo(5);
    }
}
