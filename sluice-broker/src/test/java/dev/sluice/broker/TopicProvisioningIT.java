package dev.sluice.broker;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.sluice.SluiceException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.ListTopicsOptions;
import org.apache.kafka.clients.admin.NewTopic;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class TopicProvisioningIT {
    @TempDir
    Path dir;

    @Test
    void existingTopicsThatDoNotFitAreRefusedWithWhatToDo() throws Exception {
        try (EmbeddedKafka kafka = EmbeddedKafka.start(dir, 0);
                BrokerAdmin admin = new BrokerAdmin(kafka.bootstrapServers(), new Properties());
                Admin raw = Admin.create(Map.of("bootstrap.servers", kafka.bootstrapServers()))) {
            raw.createTopics(List.of(new NewTopic("payments", 2, (short) 1), new NewTopic("wide", 8, (short) 1),
                    new NewTopic("sluice.p.per_key", 4, (short) 1), new NewTopic("sluice.p.all", 4, (short) 1)
                            .configs(Map.of("cleanup.policy", "compact")))).all().get(30, TimeUnit.SECONDS);

            // Fitting topics are accepted as they are, missing ones created.
            admin.ensureTopics(List.of(TopicSpec.of("payments", 2), TopicSpec.of("fresh", 3)));
            // A created topic reaches the brokers' metadata a moment after the controller has created it.
            Awaitility.await().atMost(Duration.ofSeconds(10))
                    .untilAsserted(() -> assertThat(admin.partitions(List.of("payments", "fresh"))).isEqualTo(Map.of("payments", 2, "fresh", 3)));

            assertThatThrownBy(() -> admin.ensureTopics(List.of(TopicSpec.of("payments", 4))))
                    .isInstanceOf(SluiceException.class)
                    .hasMessage("Existing topics on " + kafka.bootstrapServers() + " do not fit: Topic 'payments' has 2 partition(s), expected 4."
                            + " Declare partitions: 2 for it in the pipeline file, or add partitions with 'kafka-topics.sh --alter --topic payments"
                            + " --partitions 4' (keys then move to other partitions). Topics derived from it follow the largest source partition count.");
            assertThatThrownBy(() -> admin.ensureTopics(List.of(TopicSpec.of("wide", 4))))
                    .isInstanceOf(SluiceException.class)
                    .hasMessageContaining("Topic 'wide' has 8 partition(s), expected 4. Kafka cannot remove partitions: declare partitions: 8");
            assertThatThrownBy(() -> admin.ensureTopics(List.of(TopicSpec.compacted("sluice.p.per_key", 4))))
                    .isInstanceOf(SluiceException.class)
                    .hasMessage("Existing topics on " + kafka.bootstrapServers() + " do not fit: Topic 'sluice.p.per_key' has"
                            + " cleanup.policy=delete, expected cleanup.policy=compact (it holds the latest row per key). Change it with"
                            + " 'kafka-configs.sh --alter --entity-type topics --entity-name sluice.p.per_key --add-config cleanup.policy=compact',"
                            + " or delete the topic so that Sluice creates it.");
            assertThatThrownBy(() -> admin.ensureTopics(List.of(TopicSpec.of("sluice.p.all", 4))))
                    .isInstanceOf(SluiceException.class)
                    .hasMessageContaining("Topic 'sluice.p.all' has cleanup.policy=compact, expected cleanup.policy=delete (every record must be"
                            + " kept until it expires)");
            assertThatThrownBy(() -> admin.ensureTopics(List.of(TopicSpec.of("payments", 2), TopicSpec.of("payments", 3))))
                    .isInstanceOf(SluiceException.class)
                    .hasMessageStartingWith("Topic 'payments' is needed twice with different settings");
            // A policy of several parts fits in any order.
            admin.ensureTopics(List.of(new TopicSpec("sluice.ingest", 1, Map.of("cleanup.policy", "compact,delete"))));
            admin.ensureTopics(List.of(new TopicSpec("sluice.ingest", 1, Map.of("cleanup.policy", "delete, compact"))));
            // Nothing was changed by the refusals.
            assertThat(admin.partitions(List.of("payments", "wide"))).isEqualTo(Map.of("payments", 2, "wide", 8));
        }
    }

    @Test
    void preparingTheCoordinatorsCreatesTheOffsetsAndTransactionStateTopicsOfAFreshBroker() throws Exception {
        try (EmbeddedKafka kafka = EmbeddedKafka.start(dir, 0);
                BrokerAdmin admin = new BrokerAdmin(kafka.bootstrapServers(), new Properties());
                Admin raw = Admin.create(Map.of("bootstrap.servers", kafka.bootstrapServers()))) {
            ListTopicsOptions internal = new ListTopicsOptions().listInternal(true);
            assertThat(raw.listTopics(internal).names().get(30, TimeUnit.SECONDS)).doesNotContain("__consumer_offsets", "__transaction_state");

            admin.prepareCoordinators();

            // Nothing else asks for a coordinator here: only the warm-up can have made the broker create these topics.
            Awaitility.await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> assertThat(raw.listTopics(internal).names()
                    .get(30, TimeUnit.SECONDS)).contains("__consumer_offsets", "__transaction_state"));
        }
    }
}
