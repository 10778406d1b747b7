package dev.sluice.engine.internal;

import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.metrics.KafkaMetric;
import org.apache.kafka.common.metrics.MetricsReporter;

/**
 * Tells the source's watermark generators whether a partition still has records to read. Installed in each source
 * consumer through {@code metric.reporters}, it keeps the consumer's own {@code records-lag} metric per partition:
 * the distance from the consumer's position to the partition's end (the last stable offset under
 * {@code read_committed}), as of the latest fetch. That is the only reliable sign that a partition which emitted
 * nothing for a while is quiet rather than waiting its turn in a backlog; see {@link PartitionWatermarks}.
 *
 * <p>Reporters are found by the consumer's {@code client.id}, which the Kafka source sets to
 * {@code <client id prefix>-<subtask index>}; a watermark generator runs in the same subtask as its consumer. All
 * methods are thread-safe: the consumer's fetcher thread records lags, the task thread reads them.
 */
public final class ConsumerLagReporter implements MetricsReporter {
    private static final String LAG_METRIC = "records-lag";
    private static final String FETCH_GROUP = "consumer-fetch-manager-metrics";
    private static final Map<String, ConsumerLagReporter> BY_CLIENT = new ConcurrentHashMap<>();

    private final Map<TopicPartition, KafkaMetric> lags = new ConcurrentHashMap<>();
    /** Partitions whose records a watermark generator has seen; the others may belong to a generator with none yet. */
    private final Set<TopicPartition> claimed = ConcurrentHashMap.newKeySet();
    private volatile String clientId;

    /** The reporter of the consumer with this client id in this JVM, or null when there is none (yet). */
    public static ConsumerLagReporter forClient(String clientId) {
        return BY_CLIENT.get(clientId);
    }

    @Override
    public void configure(Map<String, ?> configs) {
        Object id = configs.get("client.id");
        clientId = id == null ? null : id.toString();
        if (clientId != null && !clientId.isEmpty()) {
            BY_CLIENT.put(clientId, this);
        }
    }

    @Override
    public void init(List<KafkaMetric> metrics) {
        for (KafkaMetric metric : metrics) {
            metricChange(metric);
        }
    }

    @Override
    public void metricChange(KafkaMetric metric) {
        TopicPartition partition = lagPartition(metric);
        if (partition != null) {
            lags.put(partition, metric);
        }
    }

    @Override
    public void metricRemoval(KafkaMetric metric) {
        TopicPartition partition = lagPartition(metric);
        if (partition != null) {
            lags.remove(partition, metric);
        }
    }

    @Override
    public void close() {
        if (clientId != null) {
            BY_CLIENT.remove(clientId, this);
        }
    }

    /** Records not yet read from the partition as of the last fetch, or -1 when the consumer has not fetched it. */
    public long lag(TopicPartition partition) {
        KafkaMetric metric = lags.get(partition);
        return metric == null ? -1 : lagOf(metric);
    }

    /** Marks a partition as owned by a watermark generator that has seen its records. */
    public void claim(TopicPartition partition) {
        claimed.add(partition);
        if (partition.topic().indexOf('.') >= 0) {
            // The deprecated twin of the lag metric names the topic with dots replaced.
            claimed.add(new TopicPartition(partition.topic().replace('.', '_'), partition.partition()));
        }
    }

    /** Whether a partition no watermark generator has claimed yet has records left to read. */
    public boolean unclaimedPartitionHasUnreadRecords() {
        for (Map.Entry<TopicPartition, KafkaMetric> e : lags.entrySet()) {
            if (!claimed.contains(e.getKey()) && lagOf(e.getValue()) > 0) {
                return true;
            }
        }
        return false;
    }

    private static long lagOf(KafkaMetric metric) {
        Object value = metric.metricValue();
        if (value instanceof Number n && !Double.isNaN(n.doubleValue())) {
            return n.longValue();
        }
        return -1;
    }

    /**
     * The partition of a per-partition {@code records-lag} metric. For topics with dots in their name Kafka also
     * registers a deprecated twin whose topic tag has them replaced by underscores; {@link #claim} covers both.
     */
    private static TopicPartition lagPartition(KafkaMetric metric) {
        if (!LAG_METRIC.equals(metric.metricName().name()) || !FETCH_GROUP.equals(metric.metricName().group())) {
            return null;
        }
        Map<String, String> tags = metric.metricName().tags();
        String topic = tags.get("topic");
        String partition = tags.get("partition");
        if (topic == null || partition == null) {
            return null;
        }
        return new TopicPartition(topic, Integer.parseInt(partition));
    }
}
