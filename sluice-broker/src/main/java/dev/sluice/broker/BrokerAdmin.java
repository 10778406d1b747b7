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
import java.util.LinkedHashMap;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.ConsumerGroupDescription;
import org.apache.kafka.clients.admin.CreateTopicsResult;
import org.apache.kafka.clients.admin.DescribeConsumerGroupsOptions;
import org.apache.kafka.clients.admin.DescribeConsumerGroupsResult;
import org.apache.kafka.clients.admin.DescribeTopicsOptions;
import org.apache.kafka.clients.admin.DescribeTopicsResult;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.KafkaFuture;
import org.apache.kafka.common.acl.AclOperation;
import org.apache.kafka.common.config.SaslConfigs;
import org.apache.kafka.common.errors.GroupAuthorizationException;
import org.apache.kafka.common.errors.GroupIdNotFoundException;
import org.apache.kafka.common.errors.TopicAuthorizationException;
import org.apache.kafka.common.errors.TransactionalIdAuthorizationException;
import org.apache.kafka.common.errors.UnknownTopicOrPartitionException;
import org.apache.kafka.common.serialization.ByteArraySerializer;
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
 * a pipeline needs (and refuses existing ones that do not fit), checks the principal's ACLs, and reports end offsets
 * and consumer-group lag for the live summary and the REST API.
 */
public final class BrokerAdmin implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(BrokerAdmin.class);
    private static final long TIMEOUT_SECONDS = 30;
    /** How long a topic that was just created may stay missing from a broker's metadata. */
    private static final Duration METADATA_SETTLE = Duration.ofSeconds(10);
    private static final String CLEANUP_POLICY = "cleanup.policy";
    private static final String MIN_ISR = "min.insync.replicas";
    private static final Pattern USERNAME = Pattern.compile("username\\s*=\\s*\"([^\"]*)\"");

    private final Admin admin;
    private final String bootstrapServers;
    private final Properties clientProperties;
    private final TopicReplication replication;

    public BrokerAdmin(String bootstrapServers, Properties clientProperties) {
        this(bootstrapServers, clientProperties, TopicReplication.automatic());
    }

    /** An admin whose {@link #ensureTopics} creates topics replicated as {@code replication} says. */
    public BrokerAdmin(String bootstrapServers, Properties clientProperties, TopicReplication replication) {
        Properties props = new Properties();
        props.putAll(clientProperties);
        props.setProperty(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
        props.setProperty(AdminClientConfig.CLIENT_ID_CONFIG, "sluice-admin");
        props.setProperty(AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, "30000");
        this.admin = Admin.create(props);
        this.bootstrapServers = bootstrapServers;
        this.clientProperties = new Properties();
        this.clientProperties.putAll(clientProperties);
        this.replication = replication;
    }

    /**
     * Creates the topics that do not exist yet, replicated per the {@link TopicReplication}, and checks the ones that
     * do: a topic whose partition count or {@code cleanup.policy} differs from what Sluice needs is an error naming the
     * topic, what it has, what Sluice expects and what to do. Existing topics are never changed.
     */
    public void ensureTopics(Collection<TopicSpec> topics) {
        Map<String, TopicSpec> wanted = new LinkedHashMap<>();
        for (TopicSpec t : topics) {
            TopicSpec other = wanted.putIfAbsent(t.name(), t);
            if (other != null && !other.equals(t)) {
                throw new SluiceException("Topic '" + t.name() + "' is needed twice with different settings: " + other + " and " + t
                        + ". Give the sources or sinks that share it the same partition count.");
            }
        }
        Set<String> existing = call(admin.listTopics().names(), "list topics");
        List<TopicSpec> present = wanted.values().stream().filter(t -> existing.contains(t.name())).toList();
        List<TopicSpec> absent = wanted.values().stream().filter(t -> !existing.contains(t.name())).toList();
        if (!absent.isEmpty()) {
            create(absent);
        }
        checkExisting(present);
    }

    private void create(List<TopicSpec> topics) {
        int brokers = call(admin.describeCluster().nodes(), "describe the cluster").size();
        int replicas = replication.replicationFactorFor(brokers);
        Optional<Integer> minIsr = replication.minInsyncReplicasFor(brokers);
        List<NewTopic> missing = new ArrayList<>();
        for (TopicSpec t : topics) {
            Map<String, String> configs = new HashMap<>(t.configs());
            minIsr.ifPresent(n -> configs.putIfAbsent(MIN_ISR, String.valueOf(n)));
            missing.add(new NewTopic(t.name(), t.partitions(), (short) replicas).configs(configs));
        }
        CreateTopicsResult result = admin.createTopics(missing);
        List<String> raced = new ArrayList<>();
        List<String> created = new ArrayList<>();
        for (NewTopic t : missing) {
            try {
                result.values().get(t.name()).get(TIMEOUT_SECONDS, TimeUnit.SECONDS);
                created.add(t.name());
            } catch (ExecutionException e) {
                if (e.getCause() instanceof TopicExistsException) {
                    raced.add(t.name());
                } else if (e.getCause() instanceof TopicAuthorizationException) {
                    throw new SluiceException("Not allowed to create topic '" + t.name() + "' on " + bootstrapServers
                            + ": the Kafka principal lacks CREATE on topic '" + t.name() + "' or, if the topic exists, READ or WRITE on it"
                            + " (either lets it see the topic). Sluice creates its own topics (prefix '" + KafkaPermission.TOPIC_PREFIX
                            + "'); source topics may be created beforehand. See the ACL list in docs/scale-out.md.", e.getCause());
                } else {
                    throw new SluiceException("Cannot create topic '" + t.name() + "' (" + t.numPartitions() + " partitions, replication factor "
                            + replicas + " on " + brokers + " broker(s)) on " + bootstrapServers + ": " + e.getCause().getMessage(), e.getCause());
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new SluiceException("Interrupted while creating topics on " + bootstrapServers, e);
            } catch (TimeoutException e) {
                throw new SluiceException("Timed out after " + TIMEOUT_SECONDS + " s creating topic '" + t.name() + "' on " + bootstrapServers, e);
            }
        }
        if (!created.isEmpty()) {
            LOG.info("Created topics {} on {} with replication factor {}{}.", created, bootstrapServers, replicas,
                    minIsr.map(n -> " and min.insync.replicas " + n).orElse(""));
        }
        if (!raced.isEmpty()) {
            // Created meanwhile by someone else: it must still be what Sluice needs.
            checkExisting(topics.stream().filter(t -> raced.contains(t.name())).toList());
        }
    }

    private void checkExisting(List<TopicSpec> topics) {
        if (topics.isEmpty()) {
            return;
        }
        Map<String, TopicDescription> described =
                call(admin.describeTopics(topics.stream().map(TopicSpec::name).toList()).allTopicNames(), "describe topics");
        List<ConfigResource> resources = topics.stream().map(t -> new ConfigResource(ConfigResource.Type.TOPIC, t.name())).toList();
        Map<ConfigResource, KafkaFuture<Config>> configFutures = admin.describeConfigs(resources).values();
        Map<ConfigResource, Config> configs = new HashMap<>();
        List<String> problems = new ArrayList<>();
        for (ConfigResource r : resources) {
            try {
                configs.put(r, configFutures.get(r).get(TIMEOUT_SECONDS, TimeUnit.SECONDS));
            } catch (ExecutionException e) {
                if (!(e.getCause() instanceof TopicAuthorizationException)) {
                    throw new SluiceException("Cannot describe the configs of topic '" + r.name() + "' on " + bootstrapServers + ": "
                            + e.getCause().getMessage(), e.getCause());
                }
                problems.add("Not allowed to read the configs of topic '" + r.name() + "': the Kafka principal lacks DESCRIBE_CONFIGS on topic '"
                        + r.name() + "', which Sluice needs to check its cleanup.policy (see the ACL list in docs/scale-out.md).");
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new SluiceException("Interrupted while describing topic configs on " + bootstrapServers, e);
            } catch (TimeoutException e) {
                throw new SluiceException("Timed out after " + TIMEOUT_SECONDS + " s describing the configs of topic '" + r.name() + "'", e);
            }
        }
        for (TopicSpec t : topics) {
            int found = described.get(t.name()).partitions().size();
            if (found != t.partitions()) {
                problems.add("Topic '" + t.name() + "' has " + found + " partition(s), expected " + t.partitions() + ". "
                        + (found < t.partitions()
                                ? "Declare partitions: " + found + " for it in the pipeline file, or add partitions with 'kafka-topics.sh --alter --topic "
                                        + t.name() + " --partitions " + t.partitions() + "' (keys then move to other partitions)."
                                : "Kafka cannot remove partitions: declare partitions: " + found + " for it in the pipeline file.")
                        + " Topics derived from it follow the largest source partition count.");
            }
            Config config = configs.get(new ConfigResource(ConfigResource.Type.TOPIC, t.name()));
            if (config == null) {
                continue;
            }
            ConfigEntry policy = config.get(CLEANUP_POLICY);
            String foundPolicy = policy == null || policy.value() == null ? "delete" : policy.value();
            String expectedPolicy = t.configs().getOrDefault(CLEANUP_POLICY, "delete");
            if (!policies(foundPolicy).equals(policies(expectedPolicy))) {
                problems.add("Topic '" + t.name() + "' has cleanup.policy=" + foundPolicy + ", expected cleanup.policy=" + expectedPolicy + " ("
                        + (expectedPolicy.equals("compact") ? "it holds the latest row per key" : "every record must be kept until it expires")
                        + "). Change it with 'kafka-configs.sh --alter --entity-type topics --entity-name " + t.name()
                        + " --add-config cleanup.policy=" + expectedPolicy + "', or delete the topic so that Sluice creates it.");
            }
        }
        if (!problems.isEmpty()) {
            throw new SluiceException("Existing topics on " + bootstrapServers + " do not fit: " + String.join(" ", problems));
        }
    }

    /** The policies of a {@code cleanup.policy} value such as {@code compact,delete}, in any order. */
    private static Set<String> policies(String value) {
        Set<String> result = new TreeSet<>();
        for (String p : value.split(",")) {
            if (!p.isBlank()) {
                result.add(p.trim());
            }
        }
        return result;
    }

    /**
     * Checks that this client's principal holds the {@code required} {@code permissions} a pipeline needs, by asking the
     * cluster what it may do with the pipeline's actual {@code topics}, its consumer groups {@code groups}, and, for
     * transactional ids, by initialising a transactional producer under {@code transactionalIdProbe}. Call it after
     * {@link #ensureTopics} (creation needs CREATE, which {@link #ensureTopics} reports). Throws an error listing every
     * missing permission with the {@code kafka-acls.sh} options that grant it.
     */
    public void checkAccess(List<KafkaPermission> permissions, Collection<String> topics, Collection<String> groups,
            String transactionalIdProbe) {
        List<KafkaPermission> missing = new ArrayList<>();
        Map<String, Set<AclOperation>> topicOps = topicOperations(topics);
        Map<String, Set<AclOperation>> groupOps = groupOperations(groups);
        boolean transactionsAllowed = true;
        boolean transactionsProbed = false;
        for (KafkaPermission p : permissions) {
            if (!p.required()) {
                continue;
            }
            boolean held = true;
            switch (p.resourceType()) {
                case TOPIC -> {
                    if (p.operation() == AclOperation.CREATE) {
                        continue;
                    }
                    for (Map.Entry<String, Set<AclOperation>> e : topicOps.entrySet()) {
                        held &= !p.covers(e.getKey()) || e.getValue().contains(p.operation());
                    }
                }
                case GROUP -> {
                    for (Map.Entry<String, Set<AclOperation>> e : groupOps.entrySet()) {
                        held &= !p.covers(e.getKey()) || e.getValue().contains(p.operation());
                    }
                }
                case TRANSACTIONAL_ID -> {
                    if (p.covers(transactionalIdProbe)) {
                        if (!transactionsProbed) {
                            transactionsAllowed = mayWriteTransactionally(transactionalIdProbe);
                            transactionsProbed = true;
                        }
                        held = transactionsAllowed;
                    }
                }
                default -> held = true;
            }
            if (!held) {
                missing.add(p);
            }
        }
        if (!missing.isEmpty()) {
            String principal = principal();
            StringBuilder message = new StringBuilder("The Kafka principal ").append(principal).append(" lacks ").append(missing.size())
                    .append(" permission(s) Sluice needs on ").append(bootstrapServers).append(':');
            for (KafkaPermission p : missing) {
                message.append("\n  - ").append(p.describe()).append(" (").append(p.purpose()).append("): kafka-acls.sh --bootstrap-server ")
                        .append(bootstrapServers).append(" --add ").append(p.kafkaAclsOptions(principal));
            }
            message.append("\nThe full list is in docs/scale-out.md (Kafka ACLs).");
            throw new SluiceException(message.toString());
        }
    }

    /**
     * What the principal may do with each of {@code topics}. A topic the broker calls unknown is asked about again
     * for up to {@link #METADATA_SETTLE}: a topic created a moment ago (by {@link #ensureTopics} or by the user) can
     * be missing from the metadata of the broker that answers. Kafka answers a principal that may not describe a topic
     * with an authorisation error, never "unknown", so a topic still unknown after that does not exist and is left out.
     */
    private Map<String, Set<AclOperation>> topicOperations(Collection<String> topics) {
        Map<String, Set<AclOperation>> result = new TreeMap<>();
        Set<String> pending = new TreeSet<>(topics);
        long deadline = System.nanoTime() + METADATA_SETTLE.toNanos();
        while (!pending.isEmpty()) {
            Set<String> unknown = new TreeSet<>();
            DescribeTopicsResult described = admin.describeTopics(List.copyOf(pending),
                    new DescribeTopicsOptions().includeAuthorizedOperations(true));
            for (Map.Entry<String, KafkaFuture<TopicDescription>> e : described.topicNameValues().entrySet()) {
                try {
                    Set<AclOperation> ops = e.getValue().get(TIMEOUT_SECONDS, TimeUnit.SECONDS).authorizedOperations();
                    result.put(e.getKey(), ops == null ? Set.of() : ops);
                } catch (ExecutionException ex) {
                    if (ex.getCause() instanceof UnknownTopicOrPartitionException) {
                        unknown.add(e.getKey());
                    } else if (ex.getCause() instanceof TopicAuthorizationException) {
                        result.put(e.getKey(), Set.of());
                    } else {
                        throw new SluiceException("Cannot describe topic '" + e.getKey() + "' on " + bootstrapServers + ": "
                                + ex.getCause().getMessage(), ex.getCause());
                    }
                } catch (InterruptedException ex) {
                    Thread.currentThread().interrupt();
                    throw new SluiceException("Interrupted while describing topics on " + bootstrapServers, ex);
                } catch (TimeoutException ex) {
                    throw new SluiceException("Timed out after " + TIMEOUT_SECONDS + " s describing topic '" + e.getKey() + "' on " + bootstrapServers, ex);
                }
            }
            pending = unknown;
            if (!pending.isEmpty() && System.nanoTime() - deadline >= 0) {
                LOG.warn("Topic(s) {} not in the metadata of {} after {} s; their permissions are not checked.", pending, bootstrapServers,
                        METADATA_SETTLE.toSeconds());
                break;
            }
            if (!pending.isEmpty()) {
                pauseForMetadata();
            }
        }
        return result;
    }

    private void pauseForMetadata() {
        try {
            Thread.sleep(200);
        } catch (InterruptedException ex) {
            Thread.currentThread().interrupt();
            throw new SluiceException("Interrupted while waiting for topic metadata on " + bootstrapServers, ex);
        }
    }

    private Map<String, Set<AclOperation>> groupOperations(Collection<String> groups) {
        Map<String, Set<AclOperation>> result = new TreeMap<>();
        if (groups.isEmpty()) {
            return result;
        }
        DescribeConsumerGroupsResult described = admin.describeConsumerGroups(List.copyOf(new TreeSet<>(groups)),
                new DescribeConsumerGroupsOptions().includeAuthorizedOperations(true));
        for (Map.Entry<String, KafkaFuture<ConsumerGroupDescription>> e : described.describedGroups().entrySet()) {
            try {
                Set<AclOperation> ops = e.getValue().get(TIMEOUT_SECONDS, TimeUnit.SECONDS).authorizedOperations();
                result.put(e.getKey(), ops == null ? Set.of() : ops);
            } catch (ExecutionException ex) {
                if (ex.getCause() instanceof GroupIdNotFoundException) {
                    // Kafka reports a missing group only to a principal that may describe it; which of the group's
                    // operations it may do shows once the group exists. Granted as documented, DESCRIBE comes with READ.
                    result.put(e.getKey(), Set.of(AclOperation.DESCRIBE, AclOperation.READ));
                    continue;
                }
                if (!(ex.getCause() instanceof GroupAuthorizationException)) {
                    throw new SluiceException("Cannot describe consumer group '" + e.getKey() + "' on " + bootstrapServers + ": "
                            + ex.getCause().getMessage(), ex.getCause());
                }
                result.put(e.getKey(), Set.of());
            } catch (InterruptedException ex) {
                Thread.currentThread().interrupt();
                throw new SluiceException("Interrupted while describing consumer groups on " + bootstrapServers, ex);
            } catch (TimeoutException ex) {
                throw new SluiceException("Timed out after " + TIMEOUT_SECONDS + " s describing group '" + e.getKey() + "' on " + bootstrapServers, ex);
            }
        }
        return result;
    }

    private boolean mayWriteTransactionally(String transactionalId) {
        Properties p = new Properties();
        p.putAll(clientProperties);
        p.setProperty(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
        p.setProperty(ProducerConfig.TRANSACTIONAL_ID_CONFIG, transactionalId);
        p.setProperty(ProducerConfig.CLIENT_ID_CONFIG, transactionalId);
        p.setProperty(ProducerConfig.MAX_BLOCK_MS_CONFIG, String.valueOf(TimeUnit.SECONDS.toMillis(TIMEOUT_SECONDS)));
        try (KafkaProducer<byte[], byte[]> producer = new KafkaProducer<>(p, new ByteArraySerializer(), new ByteArraySerializer())) {
            producer.initTransactions();
            return true;
        } catch (TransactionalIdAuthorizationException e) {
            return false;
        } catch (KafkaException e) {
            if (e.getCause() instanceof TransactionalIdAuthorizationException) {
                return false;
            }
            throw new SluiceException("Cannot initialise a transactional producer (transactional.id " + transactionalId + ") on "
                    + bootstrapServers + ": " + e.getMessage(), e);
        }
    }

    /** {@code User:<name>} from the SASL settings, or a placeholder when they do not say. */
    private String principal() {
        Matcher m = USERNAME.matcher(String.valueOf(clientProperties.getProperty(SaslConfigs.SASL_JAAS_CONFIG, "")));
        return m.find() ? "User:" + m.group(1) : "User:<sluice-principal>";
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

    /**
     * Asks the cluster for the coordinator of a consumer group and of a transactional id, without waiting for the answers.
     * On a fresh cluster that makes the broker create its offsets and transaction-state topics and elect their
     * coordinators now, instead of when the first consumer group or transactional producer asks (which then waits, with
     * back-off, until they are ready). The group and transactional id asked about need not exist.
     */
    public void prepareCoordinators() {
        admin.describeConsumerGroups(List.of("sluice-coordinator-warm-up")).all().whenComplete((groups, e) ->
                LOG.debug("The group coordinator of {} answered: {}", bootstrapServers, e == null ? "ready" : e.toString()));
        admin.describeTransactions(List.of("sluice-coordinator-warm-up")).all().whenComplete((transactions, e) ->
                LOG.debug("The transaction coordinator of {} answered: {}", bootstrapServers, e == null ? "ready" : e.toString()));
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
