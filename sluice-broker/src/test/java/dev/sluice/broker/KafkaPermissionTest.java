package dev.sluice.broker;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;

class KafkaPermissionTest {
    @Test
    void listsWhatAPipelineNeedsWithTheCommandsThatGrantIt() {
        List<String> required = KafkaPermission.forSources(List.of("payments", "clicks")).stream()
                .filter(KafkaPermission::required)
                .map(p -> p.describe() + " | " + p.kafkaAclsOptions("User:sluice"))
                .toList();

        assertThat(required).containsExactly(
                "READ on topic 'clicks' | --allow-principal User:sluice --operation Read --topic clicks",
                "DESCRIBE_CONFIGS on topic 'clicks' | --allow-principal User:sluice --operation DescribeConfigs --topic clicks",
                "READ on topic 'payments' | --allow-principal User:sluice --operation Read --topic payments",
                "DESCRIBE_CONFIGS on topic 'payments' | --allow-principal User:sluice --operation DescribeConfigs --topic payments",
                "CREATE on topics with prefix 'sluice.' | --allow-principal User:sluice --operation Create --topic sluice. --resource-pattern-type prefixed",
                "WRITE on topics with prefix 'sluice.' | --allow-principal User:sluice --operation Write --topic sluice. --resource-pattern-type prefixed",
                "READ on topics with prefix 'sluice.' | --allow-principal User:sluice --operation Read --topic sluice. --resource-pattern-type prefixed",
                "DESCRIBE_CONFIGS on topics with prefix 'sluice.' | --allow-principal User:sluice --operation DescribeConfigs --topic sluice. "
                        + "--resource-pattern-type prefixed",
                "READ on groups with prefix 'sluice-' | --allow-principal User:sluice --operation Read --group sluice- --resource-pattern-type prefixed",
                "WRITE on transactional ids with prefix 'sluice-' | --allow-principal User:sluice --operation Write --transactional-id sluice- "
                        + "--resource-pattern-type prefixed");
    }

    @Test
    void prefixedPermissionsCoverNamesThatStartWithThePrefix() {
        KafkaPermission prefixed = KafkaPermission.forSources(List.of()).stream()
                .filter(p -> p.name().equals("sluice.")).findFirst().orElseThrow();
        assertThat(prefixed.covers("sluice.fraud.alerts")).isTrue();
        assertThat(prefixed.covers("payments")).isFalse();
    }
}
