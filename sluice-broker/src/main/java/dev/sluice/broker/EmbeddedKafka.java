package dev.sluice.broker;

import dev.sluice.SluiceException;
import dev.sluice.broker.internal.InputGateAuthorizer;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import java.util.Set;
import java.util.TreeMap;
import java.util.stream.Collectors;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import kafka.server.KafkaConfig;
import kafka.server.KafkaRaftServer;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.utils.Exit;
import org.apache.kafka.common.utils.Time;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A real Apache Kafka node (KRaft, combined broker and controller) running inside this JVM, with its log under
 * {@code dataDir}. Starting it again on the same directory continues with the same cluster and topics. Listens on
 * localhost only.
 *
 * <p>By default it is Sluice's embedded broker: a single node, PLAINTEXT, no authentication, every client allowed
 * except while its {@link InputGate} is closed. {@link Options} turn it into what users run: a SASL_SSL listener
 * (PLAIN, SCRAM-SHA-256 and SCRAM-SHA-512), Kafka's {@code StandardAuthorizer} with ACLs, and one node of a
 * multi-node quorum.
 *
 * <pre>{@code
 * try (EmbeddedKafka kafka = EmbeddedKafka.start(Path.of("sluice-data/kafka"), 9092)) {
 *     String bootstrap = kafka.bootstrapServers(); // "localhost:9092"
 * }
 * }</pre>
 */
public final class EmbeddedKafka implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(EmbeddedKafka.class);
    private static final Set<EmbeddedKafka> LIVE = ConcurrentHashMap.newKeySet();
    private static final Duration SHUTDOWN_TIMEOUT = Duration.ofSeconds(30);

    static {
        // Kafka exits or halts the JVM when its log directory fails (a full disk, say). Inside Sluice that would end the
        // process without a word and without the pipelines' savepoints, so the broker's failure is reported instead.
        Exit.setExitProcedure((code, message) -> fail("exit", code, message));
        Exit.setHaltProcedure((code, message) -> fail("halt", code, message));
    }

    private final KafkaRaftServer server;
    /** The longest transaction the embedded broker allows ({@code transaction.max.timeout.ms}). */
    public static final Duration TRANSACTION_MAX_TIMEOUT = Duration.ofMinutes(15);
    private final int port;
    private final Path dataDir;
    private final String gateId;
    private final InputGate inputGate;
    private final CompletableFuture<BrokerFailure> failure = new CompletableFuture<>();

    private EmbeddedKafka(KafkaRaftServer server, int port, Path dataDir, String gateId, InputGate inputGate) {
        this.server = server;
        this.port = port;
        this.dataDir = dataDir;
        this.gateId = gateId;
        this.inputGate = inputGate;
    }

    /**
     * Why the broker stopped working, had Kafka been left to exit the JVM: the broker asked to {@code action} ("exit" or
     * "halt") with {@code code} because of {@code message} (for example "all log dirs ... have failed").
     */
    public record BrokerFailure(String action, int code, String message, Path dataDir) {}

    private static void fail(String action, int code, String message) {
        if (LIVE.isEmpty()) {
            // Not Sluice's broker (a Kafka tool in this JVM): do what Kafka would have done.
            if (action.equals("halt")) {
                Runtime.getRuntime().halt(code);
            } else {
                System.exit(code);
            }
            return;
        }
        for (EmbeddedKafka kafka : LIVE) {
            LOG.error("The embedded Kafka broker on localhost:{} failed and asked to {} the JVM with code {}: {}.", kafka.port,
                    action, code, message);
            kafka.failure.complete(new BrokerFailure(action, code, message == null ? "" : message, kafka.dataDir));
        }
    }

    /**
     * A SASL_SSL client listener: TLS with the broker's key from {@code keyStore} (PKCS12), SASL with the mechanisms
     * PLAIN, SCRAM-SHA-256 and SCRAM-SHA-512. Brokers and controllers talk to each other over SASL_SSL too, as
     * {@code admin} with PLAIN; {@code admin} is the super user when ACLs are on. PLAIN users are fixed here
     * ({@code plainUsers}, name to password); SCRAM users are created on the running cluster with
     * {@code Admin.alterUserScramCredentials}.
     */
    public record SaslSsl(Path keyStore, String keyStorePassword, Path trustStore, String trustStorePassword,
            String adminPassword, Map<String, String> plainUsers) {
        /** The principal brokers use between themselves and the super user of an ACL-enforcing broker. */
        public static final String ADMIN = "admin";

        public SaslSsl {
            plainUsers = Map.copyOf(plainUsers);
        }

        /** Without the passwords. */
        @Override
        public String toString() {
            return "SaslSsl[keyStore=" + keyStore + ", trustStore=" + trustStore + ", plainUsers=" + new TreeMap<>(plainUsers).keySet() + "]";
        }
    }

    /**
     * This node's place in a multi-node KRaft cluster: its {@code nodeId}, the controller port on localhost of every
     * node (node id to port) and the {@code clusterId} its log is formatted with, the same map and id on every node.
     * Every node is both broker and controller. A node's {@link EmbeddedKafka#start} returns once a majority of the
     * quorum is up, so the nodes of one cluster must be started concurrently (threads or processes).
     */
    public record Quorum(int nodeId, Map<Integer, Integer> controllerPorts, String clusterId) {
        public Quorum {
            controllerPorts = Map.copyOf(new TreeMap<>(controllerPorts));
            if (!controllerPorts.containsKey(nodeId)) {
                throw new IllegalArgumentException("node " + nodeId + " is not one of the quorum's nodes " + controllerPorts.keySet());
            }
        }

        /** Free controller ports for nodes 1 to {@code nodes}. */
        public static Map<Integer, Integer> freeControllerPorts(int nodes) {
            Map<Integer, Integer> ports = new TreeMap<>();
            for (int n = 1; n <= nodes; n++) {
                ports.put(n, freePort());
            }
            return ports;
        }

        /** A new random cluster id, for the nodes of one new cluster to share. */
        public static String newClusterId() {
            return Uuid.randomUuid().toString();
        }
    }

    /**
     * How a node starts: its client {@code port} on localhost (0 picks a free one), an optional SASL_SSL listener
     * instead of PLAINTEXT, whether Kafka's {@code StandardAuthorizer} enforces ACLs ({@code allow.everyone.if.no.acl.found=false},
     * super user {@code admin}; the {@link InputGate} is then not consulted), and an optional multi-node quorum.
     */
    public record Options(int port, Optional<SaslSsl> saslSsl, boolean acls, Optional<Quorum> quorum) {
        /** Sluice's embedded broker: PLAINTEXT on localhost, a single node, no ACLs. */
        public static Options plaintext(int port) {
            return new Options(port, Optional.empty(), false, Optional.empty());
        }

        public Options withSaslSsl(SaslSsl value) {
            return new Options(port, Optional.of(value), acls, quorum);
        }

        /** With ACLs enforced; needs a SASL_SSL listener, since ACLs name authenticated principals. */
        public Options withAcls() {
            return new Options(port, saslSsl, true, quorum);
        }

        public Options withQuorum(Quorum value) {
            return new Options(port, saslSsl, acls, Optional.of(value));
        }

        public Options {
            if (acls && saslSsl.isEmpty()) {
                throw new IllegalArgumentException("ACLs need a SASL_SSL listener: without authentication every client is ANONYMOUS");
            }
        }
    }

    /**
     * Formats {@code dataDir} on first use and starts the broker.
     *
     * @param port the client port on localhost; 0 picks a free one
     */
    public static EmbeddedKafka start(Path dataDir, int port) {
        return start(dataDir, Options.plaintext(port));
    }

    /** Formats {@code dataDir} on first use and starts the node as {@code options} say. */
    public static EmbeddedKafka start(Path dataDir, Options options) {
        int clientPort = options.port() == 0 ? freePort() : options.port();
        Properties props = nodeProperties(dataDir.toAbsolutePath(), clientPort, options);
        try {
            Files.createDirectories(dataDir);
            if (!Files.exists(dataDir.resolve("meta.properties"))) {
                format(dataDir, props, options.quorum().map(Quorum::clusterId).orElseGet(() -> Uuid.randomUuid().toString()));
            }
        } catch (IOException e) {
            throw new SluiceException("Cannot prepare the Kafka data directory " + dataDir + ": " + e.getMessage(), e);
        }
        String gateId = Uuid.randomUuid().toString();
        InputGate gate = new InputGate();
        InputGateAuthorizer.register(gateId, gate);
        if (options.acls()) {
            props.setProperty("authorizer.class.name", "org.apache.kafka.metadata.authorizer.StandardAuthorizer");
            props.setProperty("allow.everyone.if.no.acl.found", "false");
            props.setProperty("super.users", "User:" + SaslSsl.ADMIN);
        } else {
            props.setProperty("authorizer.class.name", InputGateAuthorizer.class.getName());
            props.setProperty(InputGateAuthorizer.GATE_ID_CONFIG, gateId);
        }
        KafkaRaftServer server = new KafkaRaftServer(new KafkaConfig(props, false), Time.SYSTEM);
        try {
            server.startup();
        } catch (RuntimeException e) {
            InputGateAuthorizer.unregister(gateId);
            try {
                server.shutdown();
            } catch (RuntimeException shutdown) {
                e.addSuppressed(shutdown);
            }
            throw new SluiceException("Cannot start the embedded Kafka broker on localhost:" + clientPort
                    + " (data in " + dataDir + "): " + rootMessage(e)
                    + ". Is another broker using the port or the directory? Choose others with --kafka-port / --data-dir.", e);
        }
        LOG.info("Embedded Kafka broker {} is up on localhost:{} ({}) with its log in {}.", props.getProperty("node.id"), clientPort,
                options.saslSsl().isPresent() ? (options.acls() ? "SASL_SSL, ACLs enforced" : "SASL_SSL") : "PLAINTEXT", dataDir);
        EmbeddedKafka kafka = new EmbeddedKafka(server, clientPort, dataDir.toAbsolutePath(), gateId, gate);
        LIVE.add(kafka);
        return kafka;
    }

    /** Whether producers may write to input topics; Sluice closes it when the disk runs low. */
    public InputGate inputGate() {
        return inputGate;
    }

    /** Completes when the broker failed in a way that would have made Kafka exit the JVM. */
    public CompletableFuture<BrokerFailure> failure() {
        return failure;
    }

    public String bootstrapServers() {
        return "localhost:" + port;
    }

    public int port() {
        return port;
    }

    @Override
    public void close() {
        LIVE.remove(this);
        Thread shutdown = new Thread(() -> {
            server.shutdown();
            server.awaitShutdown();
        }, "sluice-kafka-shutdown");
        shutdown.setDaemon(true);
        shutdown.start();
        try {
            // A broker whose log directory failed may never finish its shutdown; the process must still stop.
            shutdown.join(SHUTDOWN_TIMEOUT.toMillis());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } finally {
            InputGateAuthorizer.unregister(gateId);
        }
        if (shutdown.isAlive()) {
            LOG.warn("The embedded Kafka broker on localhost:{} did not stop within {} s; leaving it behind.", port,
                    SHUTDOWN_TIMEOUT.toSeconds());
            return;
        }
        LOG.info("Embedded Kafka broker on localhost:{} has stopped.", port);
    }

    private static Properties nodeProperties(Path logDir, int clientPort, Options options) {
        Quorum quorum = options.quorum().orElseGet(() -> new Quorum(1, Map.of(1, freePort()), ""));
        int controllerPort = quorum.controllerPorts().get(quorum.nodeId());
        String voters = quorum.controllerPorts().entrySet().stream()
                .map(e -> e.getKey() + "@localhost:" + e.getValue()).collect(Collectors.joining(","));
        Properties p = brokerProperties(logDir, clientPort, controllerPort);
        p.setProperty("node.id", String.valueOf(quorum.nodeId()));
        p.setProperty("controller.quorum.voters", voters);
        // Kafka's internal topics as replicated as the cluster allows: RF 3 and min ISR 2 from three nodes on.
        int replicas = Math.min(3, quorum.controllerPorts().size());
        String minIsr = String.valueOf(replicas >= 3 ? 2 : 1);
        for (String key : List.of("offsets.topic.replication.factor", "transaction.state.log.replication.factor",
                "share.coordinator.state.topic.replication.factor")) {
            p.setProperty(key, String.valueOf(replicas));
        }
        p.setProperty("transaction.state.log.min.isr", minIsr);
        p.setProperty("share.coordinator.state.topic.min.isr", minIsr);
        options.saslSsl().ifPresent(sasl -> saslSsl(p, sasl, clientPort, controllerPort));
        return p;
    }

    private static void saslSsl(Properties p, SaslSsl sasl, int clientPort, int controllerPort) {
        p.setProperty("listeners", "SASL_SSL://localhost:" + clientPort + ",CONTROLLER://localhost:" + controllerPort);
        p.setProperty("advertised.listeners", "SASL_SSL://localhost:" + clientPort);
        p.setProperty("inter.broker.listener.name", "SASL_SSL");
        p.setProperty("listener.security.protocol.map", "SASL_SSL:SASL_SSL,CONTROLLER:SASL_SSL");
        p.setProperty("sasl.enabled.mechanisms", "PLAIN,SCRAM-SHA-256,SCRAM-SHA-512");
        p.setProperty("sasl.mechanism.inter.broker.protocol", "PLAIN");
        p.setProperty("sasl.mechanism.controller.protocol", "PLAIN");
        p.setProperty("listener.name.controller.sasl.enabled.mechanisms", "PLAIN");
        StringBuilder plain = new StringBuilder("org.apache.kafka.common.security.plain.PlainLoginModule required")
                .append(" username=\"").append(SaslSsl.ADMIN).append("\" password=\"").append(sasl.adminPassword()).append('"')
                .append(" user_").append(SaslSsl.ADMIN).append("=\"").append(sasl.adminPassword()).append('"');
        new TreeMap<>(sasl.plainUsers()).forEach((user, password) ->
                plain.append(" user_").append(user).append("=\"").append(password).append('"'));
        plain.append(';');
        p.setProperty("listener.name.sasl_ssl.plain.sasl.jaas.config", plain.toString());
        p.setProperty("listener.name.controller.plain.sasl.jaas.config", plain.toString());
        String scram = "org.apache.kafka.common.security.scram.ScramLoginModule required;";
        p.setProperty("listener.name.sasl_ssl.scram-sha-256.sasl.jaas.config", scram);
        p.setProperty("listener.name.sasl_ssl.scram-sha-512.sasl.jaas.config", scram);
        p.setProperty("ssl.keystore.type", "PKCS12");
        p.setProperty("ssl.keystore.location", sasl.keyStore().toAbsolutePath().toString());
        p.setProperty("ssl.keystore.password", sasl.keyStorePassword());
        p.setProperty("ssl.key.password", sasl.keyStorePassword());
        p.setProperty("ssl.truststore.type", "PKCS12");
        p.setProperty("ssl.truststore.location", sasl.trustStore().toAbsolutePath().toString());
        p.setProperty("ssl.truststore.password", sasl.trustStorePassword());
    }

    private static Properties brokerProperties(Path logDir, int clientPort, int controllerPort) {
        Properties p = new Properties();
        p.setProperty("process.roles", "broker,controller");
        p.setProperty("node.id", "1");
        p.setProperty("controller.quorum.voters", "1@localhost:" + controllerPort);
        p.setProperty("listeners", "PLAINTEXT://localhost:" + clientPort + ",CONTROLLER://localhost:" + controllerPort);
        p.setProperty("advertised.listeners", "PLAINTEXT://localhost:" + clientPort);
        p.setProperty("controller.listener.names", "CONTROLLER");
        p.setProperty("inter.broker.listener.name", "PLAINTEXT");
        p.setProperty("listener.security.protocol.map", "PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT");
        p.setProperty("log.dirs", logDir.toString());
        p.setProperty("num.partitions", "1");
        p.setProperty("auto.create.topics.enable", "false");
        p.setProperty("offsets.topic.replication.factor", "1");
        p.setProperty("offsets.topic.num.partitions", "4");
        p.setProperty("transaction.state.log.replication.factor", "1");
        p.setProperty("transaction.state.log.min.isr", "1");
        p.setProperty("transaction.state.log.num.partitions", "4");
        p.setProperty("share.coordinator.state.topic.replication.factor", "1");
        p.setProperty("share.coordinator.state.topic.min.isr", "1");
        p.setProperty("group.initial.rebalance.delay.ms", "0");
        // Flink's exactly-once Kafka sink keeps transactions open for up to a checkpoint interval plus recovery.
        p.setProperty("transaction.max.timeout.ms", Long.toString(TRANSACTION_MAX_TIMEOUT.toMillis()));
        p.setProperty("log.retention.hours", "168");
        return p;
    }

    private static void format(Path dataDir, Properties props, String clusterId) throws IOException {
        Path propsFile = Files.createTempFile("sluice-kraft", ".properties");
        try {
            try (OutputStream out = Files.newOutputStream(propsFile)) {
                props.store(out, "sluice embedded broker");
            }
            ByteArrayOutputStream output = new ByteArrayOutputStream();
            // StorageTool.main would call System.exit; execute returns the exit code instead.
            int code = kafka.tools.StorageTool$.MODULE$.execute(
                    new String[] {"format", "-t", clusterId, "-c", propsFile.toString()},
                    new PrintStream(output, true, StandardCharsets.UTF_8));
            if (code != 0) {
                throw new SluiceException("Formatting the Kafka data directory " + dataDir + " failed (exit code " + code
                        + "): " + output.toString(StandardCharsets.UTF_8));
            }
        } finally {
            Files.deleteIfExists(propsFile);
        }
    }

    /** A port on localhost that is free now (the operating system's pick), for a broker to be started on. */
    public static int freePort() {
        try (ServerSocket socket = new ServerSocket()) {
            socket.setReuseAddress(true);
            socket.bind(new InetSocketAddress("localhost", 0));
            return socket.getLocalPort();
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot find a free port on localhost", e);
        }
    }

    private static String rootMessage(Throwable e) {
        Throwable t = e;
        while (t.getCause() != null && t.getCause() != t) {
            t = t.getCause();
        }
        return t.getClass().getSimpleName() + ": " + t.getMessage();
    }
}
