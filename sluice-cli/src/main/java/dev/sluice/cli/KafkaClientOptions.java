package dev.sluice.cli;

import dev.sluice.SluiceException;
import java.io.IOException;
import java.io.Reader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Properties;
import picocli.CommandLine.Option;

/**
 * Kafka client settings shared by every command that talks to Kafka: a properties file for secrets (so they stay out
 * of the process list) and single settings on the command line, which override the file.
 */
final class KafkaClientOptions {
    @Option(names = "--kafka-property", paramLabel = "KEY=VALUE",
            description = "A Kafka client setting (repeatable), e.g. security.protocol=SASL_SSL. "
                    + "Visible to other users in the process list: put secrets into --kafka-properties instead.")
    Map<String, String> kafkaProperties = new LinkedHashMap<>();

    @Option(names = {"--kafka-properties", "--kafka-config"}, paramLabel = "FILE",
            description = "A Java properties file of Kafka client settings with standard Kafka keys (security.protocol, "
                    + "ssl.truststore.*, sasl.mechanism, sasl.jaas.config, ...), used by every Kafka client Sluice creates, the "
                    + "Flink job's included; --kafka-property settings override it. Secrets in it are never logged.")
    Path kafkaConfig;

    /** The file's settings, then the command line's on top. */
    Properties properties() {
        Properties props = new Properties();
        if (kafkaConfig != null) {
            try (Reader in = Files.newBufferedReader(kafkaConfig, StandardCharsets.UTF_8)) {
                props.load(in);
            } catch (IOException e) {
                throw new SluiceException("Cannot read the Kafka client settings from --kafka-properties " + kafkaConfig + ": " + e, e);
            }
        }
        props.putAll(kafkaProperties);
        return props;
    }
}
