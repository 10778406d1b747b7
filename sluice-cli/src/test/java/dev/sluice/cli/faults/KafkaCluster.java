package dev.sluice.cli.faults;

import dev.sluice.broker.EmbeddedKafka;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;

/**
 * A KRaft cluster of {@code n} nodes, each broker and controller, each a {@link BrokerNode} in its own JVM on free
 * localhost ports, so that a node can be killed with SIGKILL as a machine fails.
 */
final class KafkaCluster implements AutoCloseable {
    private final Map<Integer, Process> nodes = new TreeMap<>();
    private final Map<Integer, Integer> clientPorts = new TreeMap<>();
    private final Path dir;

    private KafkaCluster(Path dir) {
        this.dir = dir;
    }

    /** Starts the nodes together (a node is up only once a majority of the quorum is) and waits until all are up. */
    static KafkaCluster start(Path dir, int n) throws Exception {
        KafkaCluster cluster = new KafkaCluster(dir);
        Map<Integer, Integer> controllers = EmbeddedKafka.Quorum.freeControllerPorts(n);
        String clusterId = EmbeddedKafka.Quorum.newClusterId();
        String voters = controllers.entrySet().stream().map(e -> e.getKey() + "=" + e.getValue()).collect(Collectors.joining(","));
        try {
            for (int id : controllers.keySet()) {
                int port = freePort();
                cluster.clientPorts.put(id, port);
                Path log = Files.createDirectories(dir.resolve("node-" + id + "-output"));
                List<String> command = new ArrayList<>(List.of(ProcessHandle.current().info().command().orElse("java"), "-Xmx512m",
                        "-cp", System.getProperty("java.class.path"), BrokerNode.class.getName(),
                        dir.resolve("node-" + id).toString(), String.valueOf(id), String.valueOf(port), voters, clusterId));
                cluster.nodes.put(id, new ProcessBuilder(command).redirectOutput(log.resolve("stdout").toFile())
                        .redirectError(log.resolve("stderr").toFile()).start());
            }
            long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(3);
            for (int id : controllers.keySet()) {
                Path out = dir.resolve("node-" + id + "-output").resolve("stdout");
                while (!Files.readString(out).contains(BrokerNode.READY)) {
                    Process p = cluster.nodes.get(id);
                    if (!p.isAlive() || System.nanoTime() > deadline) {
                        String output = Files.readString(out) + Files.readString(dir.resolve("node-" + id + "-output").resolve("stderr"));
                        throw new AssertionError("Kafka node " + id + " did not start; the end of its output: "
                                + output.substring(Math.max(0, output.length() - 4000)));
                    }
                    Thread.sleep(200);
                }
            }
        } catch (Exception | AssertionError e) {
            cluster.close();
            throw e;
        }
        return cluster;
    }

    String bootstrapServers() {
        return clientPorts.values().stream().map(p -> "localhost:" + p).collect(Collectors.joining(","));
    }

    /** The node whose client port is {@code port}. */
    int nodeOnPort(int port) {
        return clientPorts.entrySet().stream().filter(e -> e.getValue() == port).findFirst().orElseThrow().getKey();
    }

    /** SIGKILL of node {@code id}: no controlled shutdown, no flush. */
    void kill(int id) throws InterruptedException {
        Process p = nodes.get(id);
        p.destroyForcibly();
        if (!p.waitFor(1, TimeUnit.MINUTES)) {
            throw new AssertionError("Kafka node " + id + " did not end within a minute of SIGKILL");
        }
    }

    private static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0, 50, InetAddress.getLoopbackAddress())) {
            return s.getLocalPort();
        }
    }

    @Override
    public void close() {
        for (Process p : nodes.values()) {
            if (p.isAlive()) {
                p.destroyForcibly();
            }
        }
        for (Process p : nodes.values()) {
            try {
                p.waitFor(1, TimeUnit.MINUTES);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }
}
