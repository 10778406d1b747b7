package dev.sluice.broker;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.ScramCredentialInfo;
import org.apache.kafka.clients.admin.ScramMechanism;
import org.apache.kafka.clients.admin.UserScramCredentialUpsertion;
import org.apache.kafka.common.acl.AclBinding;

/**
 * A test broker as users run Kafka: a SASL_SSL listener with a certificate made for this test by the JDK's
 * {@code keytool} (self-signed for {@code localhost}, trusted through a PKCS12 trust store), mechanisms PLAIN and
 * SCRAM-SHA-256/512, optionally Kafka's {@code StandardAuthorizer} with no ACLs but the super user {@code admin}'s.
 * {@link #clientProperties} gives what a Sluice properties file would hold for a user.
 */
public final class SecureKafka implements AutoCloseable {
    public static final String PLAIN_USER = "plain-user";
    public static final String PLAIN_PASSWORD = "plain-secret-7";
    private static final String STORE_PASSWORD = "store-secret-3";
    private static final String ADMIN_PASSWORD = "admin-secret-5";

    private final EmbeddedKafka kafka;
    private final Path trustStore;
    private final Admin admin;

    private SecureKafka(EmbeddedKafka kafka, Path trustStore) {
        this.kafka = kafka;
        this.trustStore = trustStore;
        Properties p = clientProperties("PLAIN", EmbeddedKafka.SaslSsl.ADMIN, ADMIN_PASSWORD);
        p.setProperty(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers());
        this.admin = Admin.create(p);
    }

    /** Starts a SASL_SSL broker under {@code dir}, enforcing ACLs when {@code acls}. */
    public static SecureKafka start(Path dir, boolean acls) throws IOException, InterruptedException {
        EmbeddedKafka.SaslSsl sasl = saslSsl(dir.resolve("tls"));
        EmbeddedKafka.Options options = EmbeddedKafka.Options.plaintext(0).withSaslSsl(sasl);
        return new SecureKafka(EmbeddedKafka.start(dir.resolve("kafka"), acls ? options.withAcls() : options), sasl.trustStore());
    }

    /** A broker key pair and certificate for localhost, and a trust store holding the certificate, made with keytool. */
    public static EmbeddedKafka.SaslSsl saslSsl(Path dir) throws IOException, InterruptedException {
        Files.createDirectories(dir);
        Path keyStore = dir.resolve("broker.p12");
        Path certificate = dir.resolve("broker.crt");
        Path trustStore = dir.resolve("truststore.p12");
        if (!Files.exists(trustStore)) {
            keytool("-genkeypair", "-alias", "broker", "-keyalg", "EC", "-groupname", "secp256r1", "-dname", "CN=localhost",
                    "-ext", "SAN=dns:localhost,ip:127.0.0.1", "-validity", "2", "-storetype", "PKCS12", "-keystore", keyStore.toString(),
                    "-storepass", STORE_PASSWORD, "-keypass", STORE_PASSWORD);
            keytool("-exportcert", "-alias", "broker", "-keystore", keyStore.toString(), "-storepass", STORE_PASSWORD, "-file",
                    certificate.toString());
            keytool("-importcert", "-noprompt", "-alias", "broker", "-file", certificate.toString(), "-storetype", "PKCS12",
                    "-keystore", trustStore.toString(), "-storepass", STORE_PASSWORD);
        }
        return new EmbeddedKafka.SaslSsl(keyStore, STORE_PASSWORD, trustStore, STORE_PASSWORD, ADMIN_PASSWORD,
                Map.of(PLAIN_USER, PLAIN_PASSWORD));
    }

    private static void keytool(String... args) throws IOException, InterruptedException {
        List<String> command = new ArrayList<>();
        command.add(Path.of(System.getProperty("java.home"), "bin", "keytool").toString());
        command.addAll(List.of(args));
        Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
        String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!process.waitFor(60, TimeUnit.SECONDS) || process.exitValue() != 0) {
            throw new IllegalStateException("keytool " + args[0] + " failed: " + output);
        }
    }

    public String bootstrapServers() {
        return kafka.bootstrapServers();
    }

    public EmbeddedKafka kafka() {
        return kafka;
    }

    /** An admin client of the super user. */
    public Admin admin() {
        return admin;
    }

    /** Creates (or updates) a SCRAM user for {@code mechanism} ("SCRAM-SHA-256" or "SCRAM-SHA-512"). */
    public void addScramUser(String user, String password, String mechanism) throws Exception {
        ScramMechanism m = ScramMechanism.fromMechanismName(mechanism);
        admin.alterUserScramCredentials(List.of(new UserScramCredentialUpsertion(user, new ScramCredentialInfo(m, 4096), password)))
                .all().get(30, TimeUnit.SECONDS);
    }

    public void grant(List<AclBinding> acls) throws Exception {
        admin.createAcls(acls).all().get(30, TimeUnit.SECONDS);
    }

    public void revoke(List<AclBinding> acls) throws Exception {
        admin.deleteAcls(acls.stream().map(AclBinding::toFilter).toList()).all().get(30, TimeUnit.SECONDS);
    }

    /** The client settings of a Sluice properties file for {@code user} with {@code mechanism}, without bootstrap servers. */
    public Properties clientProperties(String mechanism, String user, String password) {
        Properties p = new Properties();
        p.setProperty("security.protocol", "SASL_SSL");
        p.setProperty("sasl.mechanism", mechanism);
        String module = mechanism.equals("PLAIN") ? "org.apache.kafka.common.security.plain.PlainLoginModule"
                : "org.apache.kafka.common.security.scram.ScramLoginModule";
        p.setProperty("sasl.jaas.config", module + " required username=\"" + user + "\" password=\"" + password + "\";");
        p.setProperty("ssl.truststore.type", "PKCS12");
        p.setProperty("ssl.truststore.location", trustStore.toAbsolutePath().toString());
        p.setProperty("ssl.truststore.password", STORE_PASSWORD);
        return p;
    }

    /** Writes {@code properties} as a Java properties file, readable by its owner only. */
    public static Path write(Properties properties, Path file) throws IOException {
        try (OutputStream out = Files.newOutputStream(file)) {
            properties.store(out, "Kafka client settings");
        }
        file.toFile().setReadable(false, false);
        file.toFile().setReadable(true, true);
        return file;
    }

    @Override
    public void close() {
        admin.close(Duration.ofSeconds(5));
        kafka.close();
    }
}
