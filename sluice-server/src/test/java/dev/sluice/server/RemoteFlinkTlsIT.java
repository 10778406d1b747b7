package dev.sluice.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.sluice.engine.FlinkCluster;
import dev.sluice.engine.RemoteFlink;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * TLS to a Flink cluster's REST API: a real standalone cluster with {@code security.ssl.rest.enabled} and a certificate
 * made here for localhost. Sluice reaches it at {@code https://} with the cluster's certificate in a trust store given
 * as Flink client settings, and refuses it, saying so, without that trust.
 */
class RemoteFlinkTlsIT {
    private static final String STORE_PASSWORD = "rest-store-" + Long.toHexString(System.nanoTime());

    @TempDir
    Path dir;

    @Test
    void connectsOverTlsWithTheClustersCertificateAndRefusesWithoutIt() throws Exception {
        Path keyStore = dir.resolve("rest.p12");
        Path trustStore = dir.resolve("rest-trust.p12");
        certificate(keyStore, trustStore);
        Map<String, String> restTls = Map.of(
                "security.ssl.rest.enabled", "true",
                "security.ssl.rest.keystore", keyStore.toString(),
                "security.ssl.rest.keystore-password", STORE_PASSWORD,
                "security.ssl.rest.key-password", STORE_PASSWORD,
                "security.ssl.rest.truststore", trustStore.toString(),
                "security.ssl.rest.truststore-password", STORE_PASSWORD);
        try (StandaloneFlink flink = StandaloneFlink.start(dir.resolve("flink"), 2, restTls, Optional.empty())) {
            assertThat(flink.restUrl().getScheme()).isEqualTo("https");
            Path jar = Files.write(dir.resolve("job.jar"), new byte[0]);
            Map<String, String> trust = Map.of(
                    "security.ssl.rest.truststore", trustStore.toString(),
                    "security.ssl.rest.truststore-password", STORE_PASSWORD);

            RemoteFlink trusted = new RemoteFlink(flink.restUrl(), dir.resolve("state").toUri(), List.of(jar), trust);
            try (FlinkCluster cluster = FlinkCluster.connect(trusted)) {
                assertThat(cluster.isRemote()).isTrue();
                assertThat(cluster.slots()).isEqualTo(2);
            }

            // Without retries: a refused handshake is not retried into the 30 s connect timeout.
            Map<String, String> once = Map.of("rest.retry.max-attempts", "0");
            RemoteFlink untrusted = new RemoteFlink(flink.restUrl(), dir.resolve("state").toUri(), List.of(jar), once);
            assertThatThrownBy(() -> FlinkCluster.connect(untrusted).close())
                    .hasMessageStartingWith("The Flink cluster at " + flink.restUrl() + " does not answer");
            RemoteFlink plain = new RemoteFlink(java.net.URI.create("http://localhost:" + flink.restUrl().getPort()),
                    dir.resolve("state").toUri(), List.of(jar), once);
            assertThatThrownBy(() -> FlinkCluster.connect(plain).close())
                    .hasMessageStartingWith("The Flink cluster at http://localhost:" + flink.restUrl().getPort() + " does not answer");
        }
    }

    /** A key pair and self-signed certificate for localhost, and a trust store holding the certificate, made with keytool. */
    private void certificate(Path keyStore, Path trustStore) throws IOException, InterruptedException {
        Path certificate = dir.resolve("rest.crt");
        keytool("-genkeypair", "-alias", "rest", "-keyalg", "EC", "-groupname", "secp256r1", "-dname", "CN=localhost",
                "-ext", "SAN=dns:localhost,ip:127.0.0.1", "-validity", "2", "-storetype", "PKCS12", "-keystore", keyStore.toString(),
                "-storepass", STORE_PASSWORD, "-keypass", STORE_PASSWORD);
        keytool("-exportcert", "-alias", "rest", "-keystore", keyStore.toString(), "-storepass", STORE_PASSWORD, "-file",
                certificate.toString());
        keytool("-importcert", "-noprompt", "-alias", "rest", "-file", certificate.toString(), "-storetype", "PKCS12",
                "-keystore", trustStore.toString(), "-storepass", STORE_PASSWORD);
    }

    private static void keytool(String... args) throws IOException, InterruptedException {
        List<String> command = new ArrayList<>();
        command.add(Path.of(System.getProperty("java.home"), "bin", "keytool").toString());
        command.addAll(List.of(args));
        Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
        String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (process.waitFor() != 0) {
            throw new IllegalStateException("keytool " + args[0] + " failed: " + output);
        }
    }
}
