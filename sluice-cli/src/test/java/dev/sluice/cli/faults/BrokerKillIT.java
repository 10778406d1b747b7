package dev.sluice.cli.faults;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.Config;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.common.TopicPartitionInfo;
import org.apache.kafka.common.config.ConfigResource;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A 3-node KRaft cluster (each node broker and controller, each its own JVM) under a running Sluice: Sluice creates its
 * topics with replication factor 3 and {@code min.insync.replicas=2}; while events stream in, the broker leading the
 * first source partition is killed with SIGKILL and stays down. Producers, the Flink job's sources and transactional
 * sinks and the loader fail over to the other two brokers, and the stored tables must equal the oracle: nothing lost,
 * nothing duplicated.
 */
class BrokerKillIT {
    private static final Logger LOG = LoggerFactory.getLogger(BrokerKillIT.class);

    @TempDir
    Path dir;

    @Test
    void killingOneOfThreeBrokersMidStreamLosesAndDuplicatesNothing() throws Exception {
        FaultPipeline pipeline = FaultPipeline.standard();
        Workload workload = new Workload(100_000, 40, 0, 43, Instant.now());
        Oracle oracle = new Oracle(pipeline.window().toMillis());
        long started = System.nanoTime();
        try (KafkaCluster cluster = KafkaCluster.start(dir.resolve("kafka"), 3);
             InProcessSluice sluice = InProcessSluice.start(dir, pipeline, Optional.of(cluster.bootstrapServers()));
             Admin admin = Admin.create(Map.of("bootstrap.servers", cluster.bootstrapServers()))) {
            List<String> topics = List.of(pipeline.topic(), "sluice.faults.per_key", "sluice.faults.events.dlq");
            Map<String, TopicDescription> described = admin.describeTopics(topics).allTopicNames().get(30, TimeUnit.SECONDS);
            for (TopicDescription d : described.values()) {
                for (TopicPartitionInfo p : d.partitions()) {
                    assertThat(p.replicas()).as("replicas of %s-%d", d.name(), p.partition()).hasSize(3);
                }
            }
            Map<ConfigResource, Config> configs = admin.describeConfigs(topics.stream()
                    .map(t -> new ConfigResource(ConfigResource.Type.TOPIC, t)).toList()).all().get(30, TimeUnit.SECONDS);
            configs.forEach((r, c) -> assertThat(c.get("min.insync.replicas").value()).as("min.insync.replicas of %s", r.name()).isEqualTo("2"));

            try (EventFeed feed = new EventFeed(cluster.bootstrapServers(), pipeline, workload, oracle, 4_000).start()) {
                InProcessSluice.await("first results stored", Duration.ofSeconds(180), () -> sluice.server().loader().rowsLoaded() > 0);
                int victim = cluster.nodeOnPort(described.get(pipeline.topic()).partitions().get(0).leader().port());
                boolean midStream = feed.streaming();
                LOG.info("SIGKILL of Kafka node {} (leader of {}-0) with {} records acknowledged.", victim, pipeline.topic(), feed.acknowledged());
                cluster.kill(victim);
                long before = sluice.server().loader().rowsLoaded();
                InProcessSluice.await("new results after the broker died", Duration.ofSeconds(180),
                        () -> sluice.server().loader().rowsLoaded() > before);
                feed.finish(Duration.ofMinutes(3));
                ResultCheck.Report report = sluice.awaitExact(oracle, Duration.ofSeconds(180));
                LOG.info("BrokerKillIT: {} events, node {} of 3 killed, {} s: {}", oracle.events(), victim,
                        (System.nanoTime() - started) / 1_000_000_000, report);
                InProcessSluice.assertExact(report);
                assertThat(midStream).as("the broker was killed while the stream was still being sent").isTrue();
            }
        }
    }
}
