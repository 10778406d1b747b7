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
import java.util.Properties;
import java.util.Set;
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
 * A real single-node Apache Kafka broker (KRaft, combined broker and controller) running inside this JVM, with
 * its log under {@code dataDir}. Starting it again on the same directory continues with the same cluster and
 * topics. Listens on localhost only.
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
     * Formats {@code dataDir} on first use and starts the broker.
     *
     * @param port the client port on localhost; 0 picks a free one
     */
    public static EmbeddedKafka start(Path dataDir, int port) {
        int clientPort = port == 0 ? freePort() : port;
        int controllerPort = freePort();
        Properties props = brokerProperties(dataDir.toAbsolutePath(), clientPort, controllerPort);
        try {
            Files.createDirectories(dataDir);
            if (!Files.exists(dataDir.resolve("meta.properties"))) {
                format(dataDir, props);
            }
        } catch (IOException e) {
            throw new SluiceException("Cannot prepare the Kafka data directory " + dataDir + ": " + e.getMessage(), e);
        }
        String gateId = Uuid.randomUuid().toString();
        InputGate gate = new InputGate();
        InputGateAuthorizer.register(gateId, gate);
        props.setProperty("authorizer.class.name", InputGateAuthorizer.class.getName());
        props.setProperty(InputGateAuthorizer.GATE_ID_CONFIG, gateId);
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
        LOG.info("Embedded Kafka broker is up on localhost:{} with its log in {}.", clientPort, dataDir);
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

    static Properties brokerProperties(Path logDir, int clientPort, int controllerPort) {
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

    private static void format(Path dataDir, Properties props) throws IOException {
        Path propsFile = Files.createTempFile("sluice-kraft", ".properties");
        try {
            try (OutputStream out = Files.newOutputStream(propsFile)) {
                props.store(out, "sluice embedded broker");
            }
            ByteArrayOutputStream output = new ByteArrayOutputStream();
            // StorageTool.main would call System.exit; execute returns the exit code instead.
            int code = kafka.tools.StorageTool$.MODULE$.execute(
                    new String[] {"format", "-t", Uuid.randomUuid().toString(), "-c", propsFile.toString()},
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
