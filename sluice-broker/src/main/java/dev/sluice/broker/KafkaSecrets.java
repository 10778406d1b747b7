package dev.sluice.broker;

import java.util.Locale;
import java.util.Map;
import java.util.Properties;
import java.util.TreeMap;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.common.config.ConfigDef;

/**
 * Kafka client settings as they may be shown: every value Kafka declares a password ({@code sasl.jaas.config},
 * {@code ssl.*.password}, PEM keys), and any setting whose name says password, secret, token or key material, is replaced by
 * {@value #HIDDEN}. Use it wherever Sluice logs or echoes client settings.
 */
public final class KafkaSecrets {
    public static final String HIDDEN = "[hidden]";

    private KafkaSecrets() {}

    /** The settings, sorted by name, with secret values hidden. */
    public static Map<String, String> redacted(Properties settings) {
        Map<String, String> shown = new TreeMap<>();
        settings.forEach((k, v) -> {
            String key = String.valueOf(k);
            shown.put(key, isSecret(key) ? HIDDEN : String.valueOf(v));
        });
        return shown;
    }

    /** Whether the value of setting {@code key} is secret. */
    public static boolean isSecret(String key) {
        String lower = key.toLowerCase(Locale.ROOT);
        if (lower.endsWith("sasl.jaas.config") || lower.contains("password") || lower.contains("secret") || lower.contains("token")
                || lower.endsWith("ssl.keystore.key") || lower.endsWith(".credentials")) {
            return true;
        }
        for (ConfigDef def : new ConfigDef[] {AdminClientConfig.configDef(), ProducerConfig.configDef(), ConsumerConfig.configDef()}) {
            ConfigDef.ConfigKey declared = def.configKeys().get(key);
            if (declared != null && declared.type == ConfigDef.Type.PASSWORD) {
                return true;
            }
        }
        return false;
    }
}
