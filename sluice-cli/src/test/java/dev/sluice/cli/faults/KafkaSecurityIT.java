package dev.sluice.cli.faults;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.sluice.broker.KafkaPermission;
import dev.sluice.broker.SecureKafka;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Properties;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.common.acl.AclOperation;
import org.apache.kafka.common.resource.ResourceType;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code sluice run --kafka-bootstrap ... --kafka-properties FILE} in a child JVM against a broker as users run Kafka:
 * SASL_SSL only, a certificate made by keytool for this test, ACLs enforced with nothing allowed by default. Sluice
 * authenticates with SCRAM-SHA-512 and holds exactly the required ACLs of {@link KafkaPermission#forSources}; the events
 * come from another principal (PLAIN) allowed to write the source topic only. The stored tables must equal the oracle,
 * no secret of the properties file may show in anything the process wrote, and without one of the ACLs Sluice must
 * refuse to start, naming it.
 */
class KafkaSecurityIT {
    private static final Logger LOG = LoggerFactory.getLogger(KafkaSecurityIT.class);
    private static final String PASSWORD = "scram-pw-for-sluice-81";

    @TempDir
    Path dir;

    @Test
    void aPipelineRunsOnSaslSslWithExactlyItsAclsAndNamesAMissingOne() throws Exception {
        FaultPipeline pipeline = FaultPipeline.standard();
        Workload workload = new Workload(60_000, 40, 0.01, 41, Instant.now());
        Oracle oracle = new Oracle(pipeline.window().toMillis());
        try (SecureKafka kafka = SecureKafka.start(dir.resolve("broker"), true)) {
            kafka.admin().createTopics(List.of(new NewTopic(pipeline.topic(), pipeline.partitions(), (short) 1))).all().get(30, TimeUnit.SECONDS);
            kafka.addScramUser("sluice", PASSWORD, "SCRAM-SHA-512");
            List<KafkaPermission> required = KafkaPermission.forSources(List.of(pipeline.topic())).stream()
                    .filter(KafkaPermission::required).toList();
            kafka.grant(required.stream().map(p -> p.binding("User:sluice")).toList());
            KafkaPermission producerWrite = KafkaPermission.forSources(List.of(pipeline.topic())).stream()
                    .filter(p -> p.operation() == AclOperation.WRITE && p.resourceType() == ResourceType.TOPIC && p.name().equals(pipeline.topic()))
                    .findFirst().orElseThrow();
            kafka.grant(List.of(producerWrite.binding("User:" + SecureKafka.PLAIN_USER)));

            Properties sluiceClient = kafka.clientProperties("SCRAM-SHA-512", "sluice", PASSWORD);
            Path properties = SecureKafka.write(sluiceClient, dir.resolve("kafka.properties"));
            List<String> options = List.of("--kafka-bootstrap", kafka.bootstrapServers(), "--kafka-properties", properties.toString());
            Properties producer = kafka.clientProperties("PLAIN", SecureKafka.PLAIN_USER, SecureKafka.PLAIN_PASSWORD);

            try (ChildSluice sluice = new ChildSluice(pipeline.write(dir), dir, options)) {
                sluice.start();
                try (EventFeed feed = new EventFeed(kafka.bootstrapServers(), producer, pipeline, workload, oracle, 10_000).start()) {
                    InProcessSluice.await("the whole workload to be sent", Duration.ofMinutes(3), () -> !feed.streaming());
                    feed.finish(Duration.ofMinutes(3));
                    assertThat(workload.validProduced()).as("valid events sent").isEqualTo(60_000);
                    assertThat(workload.malformedProduced()).as("malformed records sent").isPositive();
                    ResultCheck.Report report = InProcessSluice.awaitExact(pipeline, sluice.sql(), oracle, Duration.ofSeconds(180));
                    LOG.info("KafkaSecurityIT: {} events over SASL_SSL with ACLs: {}", oracle.events(), report);
                    InProcessSluice.assertExact(report);
                }
                assertThat(sluice.stop()).as("exit code of the clean stop").isEqualTo(143);

                String output = sluice.output();
                assertThat(output).contains("sasl.jaas.config=[hidden]", "ssl.truststore.password=[hidden]");
                assertThat(output).doesNotContain(PASSWORD, sluiceClient.getProperty("ssl.truststore.password"));

                // Without READ on its groups the job could neither resume nor commit: Sluice refuses to start and says why.
                KafkaPermission groupRead = required.stream().filter(p -> p.resourceType() == ResourceType.GROUP).findFirst().orElseThrow();
                kafka.revoke(List.of(groupRead.binding("User:sluice")));
                assertThatThrownBy(sluice::start)
                        .hasMessageContaining("The Kafka principal User:sluice lacks 1 permission(s) Sluice needs on " + kafka.bootstrapServers())
                        .hasMessageContaining("READ on groups with prefix 'sluice-' (the Flink job, the loader and the notifier commit offsets"
                                + " to their groups): kafka-acls.sh --bootstrap-server " + kafka.bootstrapServers()
                                + " --add --allow-principal User:sluice --operation Read --group sluice- --resource-pattern-type prefixed");
                assertThat(sluice.output()).doesNotContain(PASSWORD);
            }
        }
    }
}
