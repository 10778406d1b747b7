package dev.sluice.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.sluice.SluiceException;
import dev.sluice.server.ApiKeys;
import dev.sluice.server.ServerSettings;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

class RunOptionsTest {
    @TempDir
    Path dir;

    private ServerSettings settings(String... args) {
        RunCommand run = new RunCommand();
        new CommandLine(run).parseArgs(args);
        return run.options.settings();
    }

    @Test
    void readsKafkaClientSettingsFromAFileAndLetsKafkaPropertyOverrideThem() throws Exception {
        Path config = Files.writeString(dir.resolve("kafka.properties"), """
                security.protocol=SASL_SSL
                sasl.mechanism=SCRAM-SHA-512
                sasl.jaas.config=org.apache.kafka.common.security.scram.ScramLoginModule required username="sluice" password="s3cret";
                ssl.truststore.location=/etc/sluice/truststore.p12
                """);

        ServerSettings settings = settings("p.yaml", "--kafka-config", config.toString(), "--kafka-property", "sasl.mechanism=PLAIN");

        assertThat(settings.kafkaProperties()).containsExactlyInAnyOrderEntriesOf(Map.of(
                "security.protocol", "SASL_SSL",
                "sasl.mechanism", "PLAIN",
                "sasl.jaas.config", "org.apache.kafka.common.security.scram.ScramLoginModule required username=\"sluice\" password=\"s3cret\";",
                "ssl.truststore.location", "/etc/sluice/truststore.p12"));
    }

    @Test
    void aMissingKafkaConfigFileIsNamed() {
        Path missing = dir.resolve("nope.properties");

        assertThatThrownBy(() -> settings("p.yaml", "--kafka-config", missing.toString()))
                .isInstanceOf(SluiceException.class)
                .hasMessageStartingWith("Cannot read the Kafka client settings from --kafka-config " + missing + ": ");
    }

    @Test
    void readsTheApiKeyFile() throws Exception {
        Path keys = Files.writeString(dir.resolve("keys"), ApiKeys.hashLine("a-long-random-key") + " dashboard\n");

        ServerSettings settings = settings("p.yaml", "--api-key-file", keys.toString(), "--bind", "0.0.0.0");

        assertThat(settings.apiKeys().accepts("a-long-random-key")).isTrue();
        assertThat(settings.bindAddress()).isEqualTo("0.0.0.0");
    }

    @Test
    void withoutAnApiKeyFileThereAreNoKeys() {
        // Assumes SLUICE_API_KEY_FILE is not set where the tests run.
        assertThat(settings("p.yaml").apiKeys().isEmpty()).isEqualTo(System.getenv("SLUICE_API_KEY_FILE") == null);
    }

    @Test
    void storesInPostgresWithThePasswordFromAFile() throws Exception {
        Path password = Files.writeString(dir.resolve("db-password"), "s3cret\n");
        Path readPassword = Files.writeString(dir.resolve("read-password"), "r3ad\n");

        ServerSettings settings = settings("p.yaml", "--store", "postgresql://db:5432/sluice?user=loader", "--store-password-file",
                password.toString(), "--store-read-url", "postgresql://db:5432/sluice?user=query", "--store-read-password-file",
                readPassword.toString());

        dev.sluice.storage.PostgresSettings postgres = settings.storage().postgres().orElseThrow();
        assertThat(postgres.url()).isEqualTo("jdbc:postgresql://db:5432/sluice");
        assertThat(postgres.user()).isEqualTo("loader");
        assertThat(postgres.password()).contains("s3cret");
        assertThat(postgres.readUrl()).contains("jdbc:postgresql://db:5432/sluice");
        assertThat(postgres.readUser()).isEqualTo("query");
        assertThat(postgres.readPassword()).contains("r3ad");
        assertThat(settings("p.yaml").storage().postgres()).isEmpty();
        assertThatThrownBy(() -> settings("p.yaml", "--store-read-url", "postgresql://db:5432/sluice?user=query"))
                .isInstanceOf(SluiceException.class)
                .hasMessage("--store-password-file, --store-read-url and --store-read-password-file need --store");
        assertThatThrownBy(() -> settings("p.yaml", "--store", "postgresql://db:5432/sluice?user=u&password=x"))
                .isInstanceOf(SluiceException.class)
                .hasMessageStartingWith("Invalid --store option: --store must not hold a password");
    }

    @Test
    void readsStorageAndQueryLimits() {
        ServerSettings settings = settings("p.yaml", "--storage-memory", "768MiB", "--storage-threads", "2", "--query-timeout", "5s");

        assertThat(settings.storage().memoryLimitBytes()).isEqualTo(768L * 1024 * 1024);
        assertThat(settings.storage().threads()).isEqualTo(2);
        assertThat(settings.queryLimits().timeout()).isEqualTo(Duration.ofSeconds(5));
        assertThat(new SizeConverter().convert("2GB")).isEqualTo(2_000_000_000L);
        assertThatThrownBy(() -> settings("p.yaml", "--storage-memory", "1MiB"))
                .isInstanceOf(SluiceException.class)
                .hasMessage("Invalid storage or query option: the DuckDB memory limit must be at least 64 MiB, got 1048576 bytes");
    }
}
