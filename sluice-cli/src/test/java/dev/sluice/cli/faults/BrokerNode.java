package dev.sluice.cli.faults;

import dev.sluice.broker.EmbeddedKafka;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Path;
import java.util.Map;
import java.util.TreeMap;

/**
 * One node (broker and controller) of {@link KafkaCluster}, in a JVM of its own so that the test can SIGKILL it:
 * {@code BrokerNode DATA_DIR NODE_ID CLIENT_PORT ID=CONTROLLER_PORT,... CLUSTER_ID}. Prints {@value #READY} when up and runs until
 * its standard input ends or it is killed.
 */
public final class BrokerNode {
    static final String READY = "sluice-broker-node-ready";

    private BrokerNode() {}

    public static void main(String[] args) throws IOException {
        Map<Integer, Integer> controllers = new TreeMap<>();
        for (String voter : args[3].split(",")) {
            String[] idPort = voter.split("=");
            controllers.put(Integer.parseInt(idPort[0]), Integer.parseInt(idPort[1]));
        }
        EmbeddedKafka.Options options = EmbeddedKafka.Options.plaintext(Integer.parseInt(args[2]))
                .withQuorum(new EmbeddedKafka.Quorum(Integer.parseInt(args[1]), controllers, args[4]));
        try (EmbeddedKafka kafka = EmbeddedKafka.start(Path.of(args[0]), options)) {
            System.out.println(READY);
            System.out.flush();
            InputStream in = System.in;
            while (in.read() >= 0) {
                // Runs until the test closes our standard input.
            }
        }
    }
}
