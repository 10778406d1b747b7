package dev.sluice.broker;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Map;
import java.util.Properties;
import org.junit.jupiter.api.Test;

class KafkaSecretsTest {
    @Test
    void hidesJaasConfigPasswordsAndKeysButShowsTheRest() {
        Properties p = new Properties();
        p.setProperty("security.protocol", "SASL_SSL");
        p.setProperty("sasl.mechanism", "SCRAM-SHA-512");
        p.setProperty("sasl.jaas.config", "org.apache.kafka.common.security.scram.ScramLoginModule required username=\"u\" password=\"s3cret-1\";");
        p.setProperty("ssl.truststore.location", "/etc/sluice/truststore.p12");
        p.setProperty("ssl.truststore.password", "s3cret-2");
        p.setProperty("ssl.keystore.password", "s3cret-3");
        p.setProperty("ssl.key.password", "s3cret-4");
        p.setProperty("ssl.keystore.key", "-----BEGIN PRIVATE KEY-----");
        p.setProperty("sasl.oauthbearer.client.credentials.client.secret", "s3cret-5");
        p.setProperty("listener.name.x.sasl.jaas.config", "s3cret-6");

        Map<String, String> shown = KafkaSecrets.redacted(p);

        assertThat(shown).containsExactlyEntriesOf(new java.util.TreeMap<>(Map.of(
                "security.protocol", "SASL_SSL",
                "sasl.mechanism", "SCRAM-SHA-512",
                "sasl.jaas.config", "[hidden]",
                "ssl.truststore.location", "/etc/sluice/truststore.p12",
                "ssl.truststore.password", "[hidden]",
                "ssl.keystore.password", "[hidden]",
                "ssl.key.password", "[hidden]",
                "ssl.keystore.key", "[hidden]",
                "sasl.oauthbearer.client.credentials.client.secret", "[hidden]",
                "listener.name.x.sasl.jaas.config", "[hidden]")));
        assertThat(shown.toString()).doesNotContain("s3cret", "PRIVATE");
    }
}
