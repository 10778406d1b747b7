package dev.sluice.broker;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.sluice.SluiceException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.acl.AclBinding;
import org.apache.kafka.common.errors.SaslAuthenticationException;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.awaitility.Awaitility;
import org.awaitility.core.ConditionTimeoutException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

class SecureKafkaIT {
    private static final Logger LOG = LoggerFactory.getLogger(SecureKafkaIT.class);
    private static final String PRINCIPAL = "User:sluice";

    @TempDir
    Path dir;

    @Test
    void everyMechanismWritesAndReadsOverTls() throws Exception {
        try (SecureKafka kafka = SecureKafka.start(dir, false)) {
            kafka.addScramUser("scram256", "pw-256", "SCRAM-SHA-256");
            kafka.addScramUser("scram512", "pw-512", "SCRAM-SHA-512");
            Map<String, Properties> clients = Map.of(
                    "PLAIN", kafka.clientProperties("PLAIN", SecureKafka.PLAIN_USER, SecureKafka.PLAIN_PASSWORD),
                    "SCRAM-SHA-256", kafka.clientProperties("SCRAM-SHA-256", "scram256", "pw-256"),
                    "SCRAM-SHA-512", kafka.clientProperties("SCRAM-SHA-512", "scram512", "pw-512"));
            int n = 0;
            for (Map.Entry<String, Properties> client : clients.entrySet()) {
                n++;
                String topic = "events-" + client.getKey().toLowerCase();
                try (BrokerAdmin admin = new BrokerAdmin(kafka.bootstrapServers(), client.getValue())) {
                    admin.ensureTopics(List.of(TopicSpec.of(topic, 2)));
                    send(kafka.bootstrapServers(), client.getValue(), topic, 10 * n);
                    assertThat(admin.endOffsets(List.of(topic))).as(client.getKey()).isEqualTo(Map.of(topic, 10L * n));
                }
                assertThat(read(kafka.bootstrapServers(), client.getValue(), topic, 2)).as(client.getKey()).hasSize(10 * n);
            }

            Properties wrong = kafka.clientProperties("SCRAM-SHA-512", "scram512", "not-the-password");
            assertThatThrownBy(() -> send(kafka.bootstrapServers(), wrong, "events-plain", 1))
                    .hasRootCauseInstanceOf(SaslAuthenticationException.class);
        }
    }

    @Test
    void sluiceAclsAreEnoughAndEachMissingOneIsNamed() throws Exception {
        try (SecureKafka kafka = SecureKafka.start(dir, true)) {
            kafka.addScramUser("sluice", "sluice-pw", "SCRAM-SHA-512");
            Properties client = kafka.clientProperties("SCRAM-SHA-512", "sluice", "sluice-pw");
            // The source topic exists beforehand, as on most clusters; Sluice then needs no CREATE on it.
            kafka.admin().createTopics(List.of(new NewTopic("payments", 2, (short) 1))).all().get(30, TimeUnit.SECONDS);
            List<KafkaPermission> permissions = KafkaPermission.forSources(List.of("payments"));
            List<KafkaPermission> required = permissions.stream().filter(KafkaPermission::required).toList();
            assertThat(required).hasSize(8);
            kafka.grant(bindings(required));

            try (BrokerAdmin admin = new BrokerAdmin(kafka.bootstrapServers(), client)) {
                awaitAccess(admin, permissions, "p0", null);
                int round = 0;
                for (KafkaPermission missing : required) {
                    round++;
                    kafka.revoke(bindings(List.of(missing)));
                    awaitAccess(admin, permissions, "p" + round, missing);
                    kafka.grant(bindings(List.of(missing)));
                }
                awaitAccess(admin, permissions, "p-last", null);
            }
        }
    }

    /** Provisions and checks pipeline {@code pipeline} until it fails naming {@code missing} alone, or passes when null. */
    private static void awaitAccess(BrokerAdmin admin, List<KafkaPermission> permissions, String pipeline, KafkaPermission missing) {
        AtomicReference<String> last = new AtomicReference<>();
        try {
            Awaitility.await("access check of " + pipeline + " without " + (missing == null ? "nothing" : missing.describe()))
                    .atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(500))
                    .until(() -> {
                        try {
                            provisionAndCheck(admin, permissions, pipeline);
                            last.set("passed");
                            return missing == null;
                        } catch (SluiceException e) {
                            if (!e.getMessage().equals(last.get())) {
                                LOG.info("Access check of {}: {}", pipeline, e.getMessage());
                            }
                            last.set(e.getMessage());
                            return missing != null && names(e.getMessage(), missing);
                        }
                    });
        } catch (ConditionTimeoutException e) {
            throw new AssertionError("Pipeline " + pipeline + " without " + (missing == null ? "nothing" : missing.describe())
                    + ": the last check said: " + last.get(), e);
        }
    }

    private static boolean names(String message, KafkaPermission missing) {
        if (missing.operation() == org.apache.kafka.common.acl.AclOperation.CREATE) {
            return message.contains("lacks CREATE on topic 'sluice.");
        }
        if (missing.resourceType() == org.apache.kafka.common.resource.ResourceType.TOPIC && !missing.covers("sluice.x")) {
            // Without READ the principal cannot see the topic; without DESCRIBE_CONFIGS it cannot check it.
            return message.contains("topic '" + missing.name() + "'") && message.contains(missing.operation().name());
        }
        return message.contains("lacks 1 permission(s)") && message.contains(missing.describe())
                && message.contains("kafka-acls.sh --bootstrap-server") && message.contains("--allow-principal User:sluice");
    }

    private static void provisionAndCheck(BrokerAdmin admin, List<KafkaPermission> permissions, String pipeline) {
        List<TopicSpec> topics = List.of(TopicSpec.of("payments", 2), TopicSpec.of("sluice." + pipeline + ".payments.dlq", 2),
                TopicSpec.compacted("sluice." + pipeline + ".per_merchant", 2));
        admin.ensureTopics(topics);
        admin.checkAccess(permissions, topics.stream().map(TopicSpec::name).toList(),
                List.of("sluice-" + pipeline, "sluice-loader-" + pipeline), "sluice-" + pipeline + "-access-check");
    }

    private static List<AclBinding> bindings(List<KafkaPermission> permissions) {
        return permissions.stream().map(p -> p.binding(PRINCIPAL)).toList();
    }

    static void send(String bootstrap, Properties client, String topic, int n) throws Exception {
        Properties p = new Properties();
        p.putAll(client);
        p.setProperty("bootstrap.servers", bootstrap);
        p.setProperty("acks", "all");
        p.setProperty("max.block.ms", "15000");
        try (KafkaProducer<String, String> producer = new KafkaProducer<>(p, new StringSerializer(), new StringSerializer())) {
            for (int i = 0; i < n; i++) {
                producer.send(new ProducerRecord<>(topic, "k" + i, "v" + i)).get();
            }
        }
    }

    static List<String> read(String bootstrap, Properties client, String topic, int partitions) {
        Properties p = new Properties();
        p.putAll(client);
        p.setProperty("bootstrap.servers", bootstrap);
        List<TopicPartition> tps = new ArrayList<>();
        for (int i = 0; i < partitions; i++) {
            tps.add(new TopicPartition(topic, i));
        }
        List<String> values = new ArrayList<>();
        try (KafkaConsumer<String, String> consumer = new KafkaConsumer<>(p, new StringDeserializer(), new StringDeserializer())) {
            consumer.assign(tps);
            consumer.seekToBeginning(tps);
            Map<TopicPartition, Long> ends = consumer.endOffsets(tps);
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
            while (tps.stream().anyMatch(tp -> consumer.position(tp) < ends.get(tp)) && System.nanoTime() < deadline) {
                for (ConsumerRecord<String, String> r : consumer.poll(Duration.ofMillis(200))) {
                    values.add(r.value());
                }
            }
        }
        return values;
    }
}
