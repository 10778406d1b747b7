package dev.sluice.server.internal;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import org.apache.kafka.common.TopicPartition;

/**
 * Consumer lag per partition: how many records of a partition a consumer has not read yet, its end offset minus its
 * position. A consumer's position is the offset of the next record it reads, so a consumer that has read everything
 * has lag 0. Lag is never negative: an end offset read a moment before the position can be behind it.
 */
public final class ConsumerLag {
    private ConsumerLag() {}

    /**
     * One partition's lag.
     *
     * @param position the consumer's position (0 when it has none: it starts at the beginning)
     */
    public record Partition(String topic, int partition, long endOffset, long position, long lag) {}

    /**
     * The lag of every partition in {@code ends}, ordered by topic and partition.
     *
     * @param ends      end offsets (last stable offsets) per partition
     * @param positions the consumer's positions; partitions missing from it have position 0
     */
    public static List<Partition> of(Map<TopicPartition, Long> ends, Map<TopicPartition, Long> positions) {
        List<Partition> lags = new ArrayList<>();
        for (Map.Entry<TopicPartition, Long> e : ends.entrySet()) {
            long end = Math.max(0, e.getValue());
            long position = Math.max(0, positions.getOrDefault(e.getKey(), 0L));
            lags.add(new Partition(e.getKey().topic(), e.getKey().partition(), end, position, Math.max(0, end - position)));
        }
        lags.sort(Comparator.comparing(Partition::topic).thenComparingInt(Partition::partition));
        return lags;
    }

    /** The sum of the partitions' lags. */
    public static long total(List<Partition> partitions) {
        long sum = 0;
        for (Partition p : partitions) {
            sum += p.lag();
        }
        return sum;
    }
}
