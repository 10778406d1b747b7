package dev.sluice.broker;

import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Locale;
import java.util.TreeSet;
import org.apache.kafka.common.acl.AccessControlEntry;
import org.apache.kafka.common.acl.AclBinding;
import org.apache.kafka.common.acl.AclOperation;
import org.apache.kafka.common.acl.AclPermissionType;
import org.apache.kafka.common.resource.PatternType;
import org.apache.kafka.common.resource.ResourcePattern;
import org.apache.kafka.common.resource.ResourceType;

/**
 * One ACL Sluice's Kafka principal needs on a cluster with an authorizer: an operation on a topic, consumer group,
 * transactional id or the cluster, by literal name or name prefix, with what it is for. {@link #forSources} is the
 * least-privilege list for a Sluice server whose pipelines read the given source topics; {@code required} ones are
 * checked when a pipeline starts against an external cluster, the others serve optional features.
 *
 * <pre>{@code
 * for (KafkaPermission p : KafkaPermission.forSources(List.of("payments"))) {
 *     admin.createAcls(List.of(p.binding("User:sluice")));
 * }
 * }</pre>
 */
public record KafkaPermission(ResourceType resourceType, PatternType patternType, String name, AclOperation operation,
        boolean required, String purpose) {
    /** Prefix of the topics Sluice owns: dead letters, late events, results, alerts, ingest and replay bookkeeping. */
    public static final String TOPIC_PREFIX = "sluice.";
    /** Prefix of Sluice's consumer groups and of the transactional ids of its producers. */
    public static final String CLIENT_PREFIX = "sluice-";
    /** Prefix of the transactional ids of dead-letter replays ({@code sluice.<pipeline>.dlq-replay}). */
    public static final String REPLAY_PREFIX = "sluice.";

    /** The least-privilege ACLs of a Sluice server whose pipelines read {@code sourceTopics}. */
    public static List<KafkaPermission> forSources(Collection<String> sourceTopics) {
        List<KafkaPermission> list = new ArrayList<>();
        for (String topic : new TreeSet<>(sourceTopics)) {
            list.add(literal(ResourceType.TOPIC, topic, AclOperation.READ, true, "the Flink job reads the source topic"));
            list.add(literal(ResourceType.TOPIC, topic, AclOperation.DESCRIBE_CONFIGS, true,
                    "provisioning checks the topic's cleanup.policy"));
            list.add(literal(ResourceType.TOPIC, topic, AclOperation.CREATE, false,
                    "only if Sluice is to create the topic; otherwise create it beforehand"));
            list.add(literal(ResourceType.TOPIC, topic, AclOperation.WRITE, false,
                    "only for the HTTP ingest API, generators, 'sluice produce' and dead-letter replay"));
        }
        list.add(prefixed(ResourceType.TOPIC, TOPIC_PREFIX, AclOperation.CREATE, true,
                "provisioning creates result, dead-letter, late-event, alert and bookkeeping topics"));
        list.add(prefixed(ResourceType.TOPIC, TOPIC_PREFIX, AclOperation.WRITE, true,
                "the Flink job writes results, dead letters, late events and alerts"));
        list.add(prefixed(ResourceType.TOPIC, TOPIC_PREFIX, AclOperation.READ, true,
                "the loader, the notifier and the ingest API read them"));
        list.add(prefixed(ResourceType.TOPIC, TOPIC_PREFIX, AclOperation.DESCRIBE_CONFIGS, true,
                "provisioning checks the topics' cleanup.policy"));
        list.add(prefixed(ResourceType.GROUP, CLIENT_PREFIX, AclOperation.READ, true,
                "the Flink job, the loader and the notifier commit offsets to their groups"));
        list.add(prefixed(ResourceType.TRANSACTIONAL_ID, CLIENT_PREFIX, AclOperation.WRITE, true,
                "the Flink job's exactly-once sinks and the ingest API write in transactions"));
        list.add(prefixed(ResourceType.TRANSACTIONAL_ID, REPLAY_PREFIX, AclOperation.WRITE, false,
                "only for dead-letter replay"));
        list.add(prefixed(ResourceType.GROUP, CLIENT_PREFIX, AclOperation.DELETE, false,
                "only for --allow-state-reset, which forgets the job's committed offsets"));
        list.add(literal(ResourceType.CLUSTER, "kafka-cluster", AclOperation.DESCRIBE_CONFIGS, false,
                "only to read transaction.max.timeout.ms; without it Sluice assumes Kafka's default of 15 minutes"));
        return List.copyOf(list);
    }

    private static KafkaPermission literal(ResourceType type, String name, AclOperation op, boolean required, String purpose) {
        return new KafkaPermission(type, PatternType.LITERAL, name, op, required, purpose);
    }

    private static KafkaPermission prefixed(ResourceType type, String name, AclOperation op, boolean required, String purpose) {
        return new KafkaPermission(type, PatternType.PREFIXED, name, op, required, purpose);
    }

    /** Whether this ACL covers the resource {@code resourceName} of its type. */
    public boolean covers(String resourceName) {
        return patternType == PatternType.PREFIXED ? resourceName.startsWith(name) : resourceName.equals(name);
    }

    /** The ACL allowing {@code principal} (such as {@code User:sluice}) this operation from any host. */
    public AclBinding binding(String principal) {
        return new AclBinding(new ResourcePattern(resourceType, name, patternType),
                new AccessControlEntry(principal, "*", operation, AclPermissionType.ALLOW));
    }

    /** For people: {@code READ on topic 'payments'}, {@code WRITE on transactional ids with prefix 'sluice-'}. */
    public String describe() {
        String resource = switch (resourceType) {
            case TOPIC -> "topic";
            case GROUP -> "group";
            case TRANSACTIONAL_ID -> "transactional id";
            case CLUSTER -> "cluster";
            default -> resourceType.name().toLowerCase(Locale.ROOT);
        };
        if (resourceType == ResourceType.CLUSTER) {
            return operation + " on the cluster";
        }
        return patternType == PatternType.PREFIXED
                ? operation + " on " + resource + "s with prefix '" + name + "'"
                : operation + " on " + resource + " '" + name + "'";
    }

    /** The {@code kafka-acls.sh} options that grant this ACL to {@code principal}, after {@code --bootstrap-server ... --add}. */
    public String kafkaAclsOptions(String principal) {
        String operationName = switch (operation) {
            case DESCRIBE_CONFIGS -> "DescribeConfigs";
            case IDEMPOTENT_WRITE -> "IdempotentWrite";
            default -> operation.name().charAt(0) + operation.name().substring(1).toLowerCase(Locale.ROOT);
        };
        String resource = switch (resourceType) {
            case TOPIC -> "--topic " + name;
            case GROUP -> "--group " + name;
            case TRANSACTIONAL_ID -> "--transactional-id " + name;
            case CLUSTER -> "--cluster";
            default -> throw new IllegalStateException("no kafka-acls.sh option for " + resourceType);
        };
        return "--allow-principal " + principal + " --operation " + operationName + " " + resource
                + (patternType == PatternType.PREFIXED ? " --resource-pattern-type prefixed" : "");
    }
}
