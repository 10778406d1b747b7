package dev.sluice.cli.faults;

import dev.sluice.server.ServerSettings;
import dev.sluice.server.SluiceServer;
import dev.sluice.spec.SpecParser;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Optional;
import java.util.Properties;

/**
 * The Sluice server of the soak, in a JVM of its own so that the soak can SIGKILL it and start it again on the same
 * data directory: {@code SoakNode PIPELINE_FILE DATA_DIR BOOTSTRAP}. It starts the same {@link SluiceServer} that
 * {@code sluice run --kafka-bootstrap BOOTSTRAP} starts (checkpoints every second, parallelism 2, the API on a free
 * port) and adds what a test needs to reach inside: it installs {@link ScheduledWriteFaults} on the store and takes
 * commands on its standard input, one per line, each answered with one line that begins with {@value #PREFIX}:
 * {@code task-manager} (restart the Flink task manager), {@code storage} (fail the next write after its commit and the
 * three after it before theirs), {@code stats} (the storage faults so far). It prints {@code <PREFIX> ready <http port>}
 * when up, and stops cleanly when its standard input ends.
 */
public final class SoakNode {
    static final String PREFIX = "sluice-soak-node:";

    private SoakNode() {}

    public static void main(String[] args) throws Exception {
        ServerSettings settings = new ServerSettings(Path.of(args[1]), Optional.of(args[2]), 0, new Properties(), "localhost", 0, 2,
                InProcessSluice.CHECKPOINT_INTERVAL);
        ScheduledWriteFaults storage = new ScheduledWriteFaults(0);
        try (SluiceServer server = SluiceServer.start(new SpecParser().parse(Path.of(args[0])), settings)) {
            server.store().injectFaults(storage);
            reply("ready " + server.httpPort());
            BufferedReader in = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
            for (String command = in.readLine(); command != null; command = in.readLine()) {
                switch (command.strip()) {
                    case "task-manager" -> {
                        server.flink().restartTaskManager();
                        reply("done task-manager");
                    }
                    case "storage" -> {
                        storage.failNextAfterCommit();
                        storage.failNext(3);
                        reply("done storage");
                    }
                    case "stats" -> reply("stats " + storage.beforeCommitFaults() + " " + storage.afterCommitFaults() + " "
                            + storage.rewrittenAfterCommit());
                    default -> reply("unknown command '" + command + "'; expected task-manager, storage or stats");
                }
            }
        }
    }

    private static void reply(String line) {
        System.out.println(PREFIX + " " + line);
        System.out.flush();
    }
}
