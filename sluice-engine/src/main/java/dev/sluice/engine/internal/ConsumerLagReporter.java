package dev.sluice.engine.internal;

import java.util.HashSet;
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
 * <p>A partition the consumer has been assigned but not fetched yet has no {@code records-lag} metric: its lag is
 * unknown, and it counts as having records to read (it may hold a backlog). The consumer's assignment is known from two
 * of its metrics: {@code assigned-partitions} of its group coordinator (a count, present as soon as partitions are
 * assigned) and the per-partition {@code preferred-read-replica} gauge its fetcher registers for every assigned
 * partition before fetching it. A partition that truly holds nothing gets a {@code records-lag} of 0 with its first
 * (empty) fetch, so it still goes idle. {@code ConsumerLagReporterIT} shows both on a real consumer.
 *
 * <p>Reporters are found by the consumer's {@code client.id}, which the Kafka source sets to
 * {@code <client id prefix>-<subtask index>}; a watermark generator runs in the same subtask as its consumer. All
 * methods are thread-safe: the consumer's fetcher thread records lags, the task thread reads them.
 */
public final class ConsumerLagReporter implements MetricsReporter {
    private static final String LAG_METRIC = "records-lag";
    private static final String FETCH_GROUP = "consumer-fetch-manager-metrics";
    private static final String ASSIGNED_METRIC = "preferred-read-replica";
    private static final String COORDINATOR_GROUP = "consumer-coordinator-metrics";
    private static final String ASSIGNED_COUNT_METRIC = "assigned-partitions";
    private static final Map<String, ConsumerLagReporter> BY_CLIENT = new ConcurrentHashMap<>();

    /** By partition, topic names with dots replaced (see {@link #key}). */
    private final Map<TopicPartition, KafkaMetric> lags = new ConcurrentHashMap<>();
    /** Partitions the fetcher has been assigned (fetched or not), from their {@code preferred-read-replica} gauges. */
    private final Map<TopicPartition, KafkaMetric> assigned = new ConcurrentHashMap<>();
    private volatile KafkaMetric assignedCount;
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
        if (isAssignedCount(metric)) {
            assignedCount = metric;
            return;
        }
        TopicPartition partition = partitionOf(metric, LAG_METRIC);
        if (partition != null) {
            lags.put(partition, metric);
        }
        partition = partitionOf(metric, ASSIGNED_METRIC);
        if (partition != null) {
            assigned.put(partition, metric);
        }
    }

    @Override
    public void metricRemoval(KafkaMetric metric) {
        if (isAssignedCount(metric)) {
            assignedCount = null;
            return;
        }
        TopicPartition partition = partitionOf(metric, LAG_METRIC);
        if (partition != null) {
            lags.remove(partition, metric);
        }
        partition = partitionOf(metric, ASSIGNED_METRIC);
        if (partition != null) {
            assigned.remove(partition, metric);
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
        KafkaMetric metric = lags.get(key(partition.topic(), partition.partition()));
        return metric == null ? -1 : lagOf(metric);
    }

    /**
     * Whether another partition of this consumer has records left to read as of its last fetch. While the consumer hands
     * out a backlog of one partition, the newer fetch of another one waits in its buffer behind it, and that partition's
     * {@code records-lag} still says 0 from its previous fetch: 0 is only to be trusted when no other partition is
     * being caught up on.
     */
    public boolean otherPartitionHasUnreadRecords(TopicPartition partition) {
        TopicPartition self = key(partition.topic(), partition.partition());
        for (Map.Entry<TopicPartition, KafkaMetric> e : lags.entrySet()) {
            if (!e.getKey().equals(self) && lagOf(e.getValue()) > 0) {
                return true;
            }
        }
        return false;
    }

    /** Marks a partition as owned by a watermark generator that has seen its records. */
    public void claim(TopicPartition partition) {
        claimed.add(key(partition.topic(), partition.partition()));
    }

    /**
     * Whether a partition of this consumer that no watermark generator has claimed yet may still have records to read:
     * one with records left as of its last fetch, or one whose lag is not known because the consumer has not fetched it
     * yet (or has not been assigned its partitions yet). False only when every partition of the consumer has been
     * fetched and each unclaimed one was read to its end.
     */
    public boolean unclaimedPartitionMayHaveUnreadRecords() {
        Set<TopicPartition> known = new HashSet<>(assigned.keySet());
        known.addAll(lags.keySet());
        long count = assignedCount();
        if (known.isEmpty() || known.size() < count) {
            return true;
        }
        for (TopicPartition partition : known) {
            if (!claimed.contains(partition)) {
                KafkaMetric metric = lags.get(partition);
                if (metric == null || lagOf(metric) != 0) {
                    return true;
                }
            }
        }
        return false;
    }

    /** The number of partitions assigned to the consumer, or -1 when it has no group coordinator to say so. */
    private long assignedCount() {
        KafkaMetric metric = assignedCount;
        if (metric == null) {
            return -1;
        }
        Object value = metric.metricValue();
        return value instanceof Number n && !Double.isNaN(n.doubleValue()) ? n.longValue() : -1;
    }

    private static long lagOf(KafkaMetric metric) {
        Object value = metric.metricValue();
        if (value instanceof Number n && !Double.isNaN(n.doubleValue())) {
            return n.longValue();
        }
        return -1;
    }

    private static boolean isAssignedCount(KafkaMetric metric) {
        return ASSIGNED_COUNT_METRIC.equals(metric.metricName().name())
                && COORDINATOR_GROUP.equals(metric.metricName().group());
    }

    /** The partition of a per-partition metric of the consumer's fetcher with this name, or null for other metrics. */
    private static TopicPartition partitionOf(KafkaMetric metric, String name) {
        if (!name.equals(metric.metricName().name()) || !FETCH_GROUP.equals(metric.metricName().group())) {
            return null;
        }
        Map<String, String> tags = metric.metricName().tags();
        String topic = tags.get("topic");
        String partition = tags.get("partition");
        if (topic == null || partition == null) {
            return null;
        }
        return key(topic, Integer.parseInt(partition));
    }

    /**
     * For topics with dots in their name Kafka registers each per-partition metric twice, once with a deprecated topic
     * tag that has them replaced by underscores; keyed by that form, the twins are one partition. A source's consumer
     * reads one topic, so no two of its topics collide.
     */
    private static TopicPartition key(String topic, int partition) {
        return new TopicPartition(topic.replace('.', '_'), partition);
    }
}
