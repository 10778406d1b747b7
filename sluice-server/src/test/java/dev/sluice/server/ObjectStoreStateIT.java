package dev.sluice.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import dev.sluice.broker.EmbeddedKafka;
import dev.sluice.engine.FlinkCluster;
import dev.sluice.engine.RemoteFlink;
import dev.sluice.engine.StateFileSystems;
import dev.sluice.spec.PipelineSpec;
import dev.sluice.spec.SpecParser;
import dev.sluice.storage.QueryScope;
import dev.sluice.storage.QueryService;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import java.util.TreeMap;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Checkpoints and savepoints on S3: a real S3-compatible server (s3proxy, in its own JVM, with signed requests) and
 * Flink's S3 file system loaded from a Flink plugins directory, as a user's setup has them. The pipeline's state lives
 * only in the bucket; a stop takes a savepoint there, the next start finds it there and resumes from it, and the
 * results stay exact; the same with the job on a standalone Flink cluster reached over TLS. (The error for a scheme
 * without a plugin is checked in StateFileSystemsTest.)
 */
class ObjectStoreStateIT {
    private static final String COUNTS = """
            name: objects
            sources:
              - name: events
                topic: events
                partitions: 2
                schema: {id: STRING, k: STRING, v: BIGINT, ts: TIMESTAMP(3)}
                event-time: {column: ts}
            views:
              - name: totals
                sql: SELECT k, COUNT(*) AS n, SUM(v) AS s FROM events GROUP BY k
            sinks:
              - view: totals
                primary-key: [k]
            """;

    @TempDir
    Path dir;

    @AfterEach
    void forgetTheS3FileSystem() {
        // Flink's file systems are JVM-wide; the next test in this JVM starts without S3.
        StateFileSystems.configure(Map.of(), Optional.empty());
    }

    @Test
    void keepsCheckpointsAndSavepointsInAnS3BucketAndResumesFromThere() throws Exception {
        try (S3ProxyServer s3 = S3ProxyServer.start(dir.resolve("s3"), "sluice")) {
            StateFileSystems.configure(s3.flinkOptions(), Optional.of(S3ProxyServer.FLINK_PLUGINS));
            ServerSettings settings = new ServerSettings(dir.resolve("data"), Optional.empty(), 0, new Properties(), "localhost", 0, 2,
                    Duration.ofMillis(500)).withCheckpointDir(Optional.of(URI.create("s3://sluice/state")));
            Map<String, long[]> expected = new TreeMap<>();

            try (SluiceServer server = SluiceServer.start(List.of(spec()), settings)) {
                send(server.bootstrapServers(), 0, 300, expected);
                // Results become visible with the checkpoints, which are written to the bucket.
                await().atMost(Duration.ofSeconds(90)).untilAsserted(() -> assertThat(server.status("objects").checkpoints().completed())
                        .as("completed checkpoints; %s", server.status("objects")).isPositive());
                await().atMost(Duration.ofSeconds(60)).untilAsserted(() -> assertThat(totals(server)).isEqualTo(text(expected)));
                assertThat(s3.keys("sluice", "state/objects/checkpoints/")).as("retained checkpoints in the bucket")
                        .anyMatch(k -> k.matches("state/objects/checkpoints/[0-9a-f]{32}/chk-\\d+/_metadata"));
                send(server.bootstrapServers(), 300, 50, expected);
            }
            // Nothing of the state is on the local disk: only in the bucket.
            assertThat(settings.pipelineStateDir("objects").resolve("checkpoints")).doesNotExist();
            assertThat(settings.pipelineStateDir("objects").resolve("savepoints")).doesNotExist();
            List<String> savepoints = s3.keys("sluice", "state/objects/savepoints/").stream()
                    .filter(k -> k.endsWith("/_metadata")).toList();
            assertThat(savepoints).as("the savepoint of the stop").hasSize(1);
            assertThat(s3.keys("sluice", "state/objects/deployment.properties")).hasSize(1);
            String savepoint = "s3://sluice/" + savepoints.get(0).substring(0, savepoints.get(0).length() - "/_metadata".length());

            try (SluiceServer server = SluiceServer.start(List.of(spec()), settings)) {
                assertThat(server.pipeline("objects").restoredFrom()).contains(URI.create(savepoint));
                send(server.bootstrapServers(), 350, 150, expected);
                await().atMost(Duration.ofSeconds(60)).untilAsserted(() -> assertThat(totals(server)).isEqualTo(text(expected)));
            }
            assertThat(expected.values().stream().mapToLong(c -> c[0]).sum()).isEqualTo(500);
            assertThat(s3.exitCode()).as("s3proxy still runs").isEmpty();
        }
    }

    /**
     * The same with the job on a standalone cluster that has the S3 plugin in its plugins directory and the s3.* settings
     * in its config.yaml, as a distribution would, and whose REST API speaks TLS only ({@code security.ssl.rest.enabled}
     * with a certificate for localhost made here): Sluice connects over https with the certificate in a trust store given
     * as Flink client settings, and is refused without it and over plain http.
     */
    @Test
    void aStandaloneClusterOverTlsWritesTheStateToS3AndSluiceResumesFromIt() throws Exception {
        Path keyStore = dir.resolve("rest.p12");
        Path trustStore = dir.resolve("rest-trust.p12");
        String password = "rest-store-" + Long.toHexString(System.nanoTime());
        certificate(keyStore, trustStore, password);
        Map<String, String> cluster = new TreeMap<>(Map.of(
                "security.ssl.rest.enabled", "true",
                "security.ssl.rest.keystore", keyStore.toString(),
                "security.ssl.rest.keystore-password", password,
                "security.ssl.rest.key-password", password,
                "security.ssl.rest.truststore", trustStore.toString(),
                "security.ssl.rest.truststore-password", password));
        try (S3ProxyServer s3 = S3ProxyServer.start(dir.resolve("s3"), "sluice");
                EmbeddedKafka kafka = EmbeddedKafka.start(dir.resolve("kafka"), 0);
                StandaloneFlink flink = StandaloneFlink.start(dir.resolve("flink"), 2, merged(cluster, s3.flinkOptions()),
                        Optional.of(S3ProxyServer.FLINK_PLUGINS))) {
            assertThat(flink.restUrl().getScheme()).isEqualTo("https");
            StateFileSystems.configure(s3.flinkOptions(), Optional.of(S3ProxyServer.FLINK_PLUGINS));
            ServerSettings settings = new ServerSettings(dir.resolve("data"), Optional.of(kafka.bootstrapServers()), 0, new Properties(),
                    "localhost", 0, 2, Duration.ofMillis(500));
            Map<String, String> trust = Map.of("security.ssl.rest.truststore", trustStore.toString(),
                    "security.ssl.rest.truststore-password", password);
            RemoteFlink remote = new RemoteFlink(flink.restUrl(), URI.create("s3://sluice/remote"), flink.jobJars(), trust);

            // Without retries: a refused handshake is not retried into the 30 s connect timeout.
            Map<String, String> once = Map.of("rest.retry.max-attempts", "0");
            RemoteFlink untrusted = new RemoteFlink(flink.restUrl(), remote.stateDir(), flink.jobJars(), once);
            assertThatThrownBy(() -> FlinkCluster.connect(untrusted).close())
                    .hasMessageStartingWith("The Flink cluster at " + flink.restUrl() + " does not answer");
            URI http = URI.create("http://localhost:" + flink.restUrl().getPort());
            RemoteFlink plain = new RemoteFlink(http, remote.stateDir(), flink.jobJars(), once);
            assertThatThrownBy(() -> FlinkCluster.connect(plain).close())
                    .hasMessageStartingWith("The Flink cluster at " + http + " does not answer");

            Map<String, long[]> expected = new TreeMap<>();
            try (SluiceServer server = SluiceServer.start(List.of(spec()), settings, Optional.of(remote))) {
                assertThat(server.flink().isRemote()).isTrue();
                send(kafka.bootstrapServers(), 0, 200, expected);
                await().atMost(Duration.ofSeconds(90)).untilAsserted(() -> assertThat(totals(server)).isEqualTo(text(expected)));
                assertThat(s3.keys("sluice", "remote/objects/checkpoints/"))
                        .anyMatch(k -> k.matches("remote/objects/checkpoints/[0-9a-f]{32}/chk-\\d+/_metadata"));
            }
            List<String> savepoints = s3.keys("sluice", "remote/objects/savepoints/").stream().filter(k -> k.endsWith("/_metadata")).toList();
            assertThat(savepoints).hasSize(1);
            URI savepoint = URI.create("s3://sluice/" + savepoints.get(0).substring(0, savepoints.get(0).length() - "/_metadata".length()));

            send(kafka.bootstrapServers(), 200, 100, expected); // while no job runs
            try (SluiceServer server = SluiceServer.start(List.of(spec()), settings, Optional.of(remote))) {
                assertThat(server.pipeline("objects").restoredFrom()).contains(savepoint);
                send(kafka.bootstrapServers(), 300, 100, expected);
                await().atMost(Duration.ofSeconds(90)).untilAsserted(() -> assertThat(totals(server)).isEqualTo(text(expected)));
            }
            assertThat(expected.values().stream().mapToLong(c -> c[0]).sum()).isEqualTo(400);
        }
    }

    private static Map<String, String> merged(Map<String, String> a, Map<String, String> b) {
        Map<String, String> all = new TreeMap<>(a);
        all.putAll(b);
        return all;
    }

    /**
     * A key pair and self-signed certificate for localhost, and a trust store holding the certificate, made with keytool.
     * RSA: Flink's default cipher suites ({@code security.ssl.algorithms}) are ECDHE_RSA ones.
     */
    private void certificate(Path keyStore, Path trustStore, String password) throws Exception {
        Path certificate = dir.resolve("rest.crt");
        keytool("-genkeypair", "-alias", "rest", "-keyalg", "RSA", "-keysize", "2048", "-dname", "CN=localhost",
                "-ext", "SAN=dns:localhost,ip:127.0.0.1", "-validity", "2", "-storetype", "PKCS12", "-keystore", keyStore.toString(),
                "-storepass", password, "-keypass", password);
        keytool("-exportcert", "-alias", "rest", "-keystore", keyStore.toString(), "-storepass", password, "-file",
                certificate.toString());
        keytool("-importcert", "-noprompt", "-alias", "rest", "-file", certificate.toString(), "-storetype", "PKCS12",
                "-keystore", trustStore.toString(), "-storepass", password);
    }

    private static void keytool(String... args) throws Exception {
        List<String> command = new java.util.ArrayList<>();
        command.add(Path.of(System.getProperty("java.home"), "bin", "keytool").toString());
        command.addAll(List.of(args));
        Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
        String output = new String(process.getInputStream().readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
        if (process.waitFor() != 0) {
            throw new IllegalStateException("keytool " + args[0] + " failed: " + output);
        }
    }

    private PipelineSpec spec() throws Exception {
        return new SpecParser().parse(Files.writeString(dir.resolve("objects.yaml"), COUNTS));
    }

    private static void send(String bootstrap, int first, int n, Map<String, long[]> expected) throws Exception {
        Properties p = new Properties();
        p.setProperty(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        p.setProperty(ProducerConfig.ACKS_CONFIG, "all");
        try (KafkaProducer<String, String> producer = new KafkaProducer<>(p, new StringSerializer(), new StringSerializer())) {
            for (int i = first; i < first + n; i++) {
                String k = "k" + (i % 7);
                long v = i * 3L + 1;
                producer.send(new ProducerRecord<>("events", k, "{\"id\":\"e" + i + "\",\"k\":\"" + k + "\",\"v\":" + v
                        + ",\"ts\":\"" + Instant.parse("2026-01-01T00:00:00Z").plusMillis(i) + "\"}"));
                long[] c = expected.computeIfAbsent(k, x -> new long[2]);
                c[0]++;
                c[1] += v;
            }
            producer.flush();
        }
    }

    private static Map<String, String> text(Map<String, long[]> expected) {
        Map<String, String> out = new TreeMap<>();
        expected.forEach((k, c) -> out.put(k, c[0] + "/" + c[1]));
        return out;
    }

    private static Map<String, String> totals(SluiceServer server) {
        Map<String, String> totals = new TreeMap<>();
        for (List<Object> row : new QueryService(server.store()).query("SELECT k, n, s FROM totals", 100,
                QueryScope.pipeline("objects")).rows()) {
            totals.put((String) row.get(0), ((Number) row.get(1)).longValue() + "/" + ((Number) row.get(2)).longValue());
        }
        return totals;
    }
}
