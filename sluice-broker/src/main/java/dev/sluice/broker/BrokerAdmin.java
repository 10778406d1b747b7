package dev.sluice.broker;

import dev.sluice.SluiceException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.Config;
import org.apache.kafka.clients.admin.ConfigEntry;
import org.apache.kafka.clients.admin.ListOffsetsResult;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.IsolationLevel;
import org.apache.kafka.common.Node;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.config.ConfigResource;
import org.apache.kafka.clients.admin.ListOffsetsOptions;
import org.apache.kafka.common.errors.TopicExistsException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Topic provisioning and offset monitoring against any Kafka cluster (embedded or external): creates the topics
 * a pipeline needs, and reports end offsets and consumer-group lag for the live summary and the REST API.
 */
public final class BrokerAdmin implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(BrokerAdmin.class);
    private static final long TIMEOUT_SECONDS = 30;

    private final Admin admin;
    private final String bootstrapServers;

    public BrokerAdmin(String bootstrapServers, Properties clientProperties) {
        Properties props = new Properties();
        props.putAll(clientProperties);
        props.setProperty(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
        props.setProperty(AdminClientConfig.CLIENT_ID_CONFIG, "sluice-admin");
        props.setProperty(AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, "30000");
        this.admin = Admin.create(props);
        this.bootstrapServers = bootstrapServers;
    }

    /** Creates the topics that do not exist yet; existing topics are left as they are (partitions are never reduced). */
    public void ensureTopics(Collection<TopicSpec> topics) {
        Set<String> existing = call(admin.listTopics().names(), "list topics");
        List<NewTopic> missing = new ArrayList<>();
        for (TopicSpec t : topics) {
            if (!existing.contains(t.name())) {
                missing.add(new NewTopic(t.name(), t.partitions(), (short) 1).configs(t.configs()));
            }
        }
        if (missing.isEmpty()) {
            return;
        }
        try {
            admin.createTopics(missing).all().get(TIMEOUT_SECONDS, TimeUnit.SECONDS);
            LOG.info("Created topics {} on {}.", missing.stream().map(NewTopic::name).toList(), bootstrapServers);
        } catch (ExecutionException e) {
            if (!(e.getCause() instanceof TopicExistsException)) {
                throw new SluiceException("Cannot create topics " + missing.stream().map(NewTopic::name).toList()
                        + " on " + bootstrapServers + ": " + e.getCause().getMessage(), e.getCause());
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new SluiceException("Interrupted while creating topics on " + bootstrapServers, e);
        } catch (TimeoutException e) {
            throw new SluiceException("Timed out after " + TIMEOUT_SECONDS + " s creating topics on " + bootstrapServers, e);
        }
    }

    /**
     * The longest transaction the cluster allows ({@code transaction.max.timeout.ms} of one of its brokers), or empty
     * when the cluster does not say (a principal without the right to describe broker configurations, for example).
     */
    public Optional<Duration> transactionMaxTimeout() {
        try {
            Collection<Node> nodes = admin.describeCluster().nodes().get(TIMEOUT_SECONDS, TimeUnit.SECONDS);
            if (nodes.isEmpty()) {
                return Optional.empty();
            }
            ConfigResource broker = new ConfigResource(ConfigResource.Type.BROKER, String.valueOf(nodes.iterator().next().id()));
            Config config = admin.describeConfigs(List.of(broker)).all().get(TIMEOUT_SECONDS, TimeUnit.SECONDS).get(broker);
            ConfigEntry entry = config == null ? null : config.get("transaction.max.timeout.ms");
            return entry == null || entry.value() == null ? Optional.empty() : Optional.of(Duration.ofMillis(Long.parseLong(entry.value())));
        } catch (ExecutionException | TimeoutException | RuntimeException e) {
            LOG.warn("Cannot read transaction.max.timeout.ms of the cluster at {} ({}); assuming Kafka's default of 15 minutes.",
                    bootstrapServers, e.toString());
            return Optional.empty();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return Optional.empty();
        }
    }

    /** Partition counts of the given topics that exist. */
    public Map<String, Integer> partitions(Collection<String> topics) {
        Set<String> existing = call(admin.listTopics().names(), "list topics");
        List<String> present = topics.stream().filter(existing::contains).toList();
        Map<String, TopicDescription> described = call(admin.describeTopics(present).allTopicNames(), "describe topics");
        Map<String, Integer> result = new HashMap<>();
        described.forEach((name, d) -> result.put(name, d.partitions().size()));
        return result;
    }

    /** Sum over partitions of the last stable offset of each topic: the number of committed records ever written. */
    public Map<String, Long> endOffsets(Collection<String> topics) {
        Map<TopicPartition, Long> ends = partitionEndOffsets(topics);
        Map<String, Long> result = new HashMap<>();
        for (String t : topics) {
            result.put(t, 0L);
        }
        ends.forEach((tp, offset) -> result.merge(tp.topic(), offset, Long::sum));
        return result;
    }

    /**
     * How many committed records of {@code topics} the consumer group {@code groupId} has not committed yet,
     * summed over partitions; partitions the group has never committed count from offset 0.
     */
    public long lag(String groupId, Collection<String> topics) {
        Map<TopicPartition, Long> ends = partitionEndOffsets(topics);
        Map<TopicPartition, OffsetAndMetadata> committed =
                call(admin.listConsumerGroupOffsets(groupId).partitionsToOffsetAndMetadata(), "read offsets of group " + groupId);
        long lag = 0;
        for (Map.Entry<TopicPartition, Long> e : ends.entrySet()) {
            OffsetAndMetadata c = committed.get(e.getKey());
            lag += Math.max(0, e.getValue() - (c == null ? 0 : c.offset()));
        }
        return lag;
    }

    /**
     * The last stable offset of every partition of the given topics that exist: the offset after the last committed
     * record (and commit marker), which is where a consumer that has read everything stands.
     */
    public Map<TopicPartition, Long> partitionEnds(Collection<String> topics) {
        return partitionEndOffsets(topics);
    }

    /** Forgets the offsets the consumer group committed, so that it starts from its reset policy again; a missing group is fine. */
    public void deleteGroup(String groupId) {
        try {
            admin.deleteConsumerGroups(List.of(groupId)).all().get(TIMEOUT_SECONDS, TimeUnit.SECONDS);
            LOG.info("Deleted consumer group {} and its committed offsets on {}.", groupId, bootstrapServers);
        } catch (ExecutionException e) {
            if (!(e.getCause() instanceof org.apache.kafka.common.errors.GroupIdNotFoundException)) {
                throw new SluiceException("Cannot delete consumer group " + groupId + " on " + bootstrapServers + ": "
                        + e.getCause().getMessage(), e.getCause());
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new SluiceException("Interrupted while deleting consumer group " + groupId, e);
        } catch (TimeoutException e) {
            throw new SluiceException("Timed out after " + TIMEOUT_SECONDS + " s deleting consumer group " + groupId, e);
        }
    }

    /** The offsets the consumer group {@code groupId} has committed, per partition; empty when it has committed none. */
    public Map<TopicPartition, Long> committedOffsets(String groupId) {
        Map<TopicPartition, OffsetAndMetadata> committed =
                call(admin.listConsumerGroupOffsets(groupId).partitionsToOffsetAndMetadata(), "read offsets of group " + groupId);
        Map<TopicPartition, Long> result = new HashMap<>();
        committed.forEach((tp, o) -> {
            if (o != null) {
                result.put(tp, o.offset());
            }
        });
        return result;
    }

    /** True when the cluster answers within {@code timeout}. */
    public boolean isUp(Duration timeout) {
        try {
            admin.describeCluster().clusterId().get(timeout.toMillis(), TimeUnit.MILLISECONDS);
            return true;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        } catch (ExecutionException | TimeoutException e) {
            return false;
        }
    }

    private Map<TopicPartition, Long> partitionEndOffsets(Collection<String> topics) {
        Map<String, Integer> partitions = partitions(topics);
        Map<TopicPartition, OffsetSpec> request = new HashMap<>();
        partitions.forEach((topic, n) -> {
            for (int p = 0; p < n; p++) {
                request.put(new TopicPartition(topic, p), OffsetSpec.latest());
            }
        });
        if (request.isEmpty()) {
            return Map.of();
        }
        Map<TopicPartition, ListOffsetsResult.ListOffsetsResultInfo> infos = call(
                admin.listOffsets(request, new ListOffsetsOptions(IsolationLevel.READ_COMMITTED)).all(), "list offsets");
        Map<TopicPartition, Long> result = new HashMap<>();
        infos.forEach((tp, info) -> result.put(tp, info.offset()));
        return result;
    }

    private <T> T call(org.apache.kafka.common.KafkaFuture<T> future, String what) {
        try {
            return future.get(TIMEOUT_SECONDS, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new SluiceException("Interrupted while trying to " + what + " on " + bootstrapServers, e);
        } catch (ExecutionException e) {
            throw new SluiceException("Cannot " + what + " on " + bootstrapServers + ": " + e.getCause().getMessage(), e.getCause());
        } catch (TimeoutException e) {
            throw new SluiceException("Timed out after " + TIMEOUT_SECONDS + " s trying to " + what + " on " + bootstrapServers, e);
        }
    }

    @Override
    public void close() {
        admin.close(Duration.ofSeconds(5));
    }
}
