package dev.sluice.cli.faults;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.PrintWriter;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * Runs {@link SoakNode} (the soak's Sluice server) in a child JVM on a fixed data directory against the test's broker,
 * so that the soak can SIGKILL it and start it again on the same state, and still inject task manager restarts and
 * storage write failures through the node's commands. Queries go through its HTTP API. The child's output goes to
 * {@code child-output/soak-node-N} under the directory given, and is copied to {@code target/child-output/} on close.
 */
final class SoakChild implements AutoCloseable {
    /** How long a start may take until the node is up; minutes on the 2-core machine shared by several builds. */
    private static final Duration START_TIMEOUT = Duration.ofMinutes(6);
    private static final Duration COMMAND_TIMEOUT = Duration.ofMinutes(2);

    private final Path pipelineFile;
    private final Path dataDir;
    private final Path outputDir;
    private final String bootstrap;
    private Process process;
    private PrintWriter commands;
    private BlockingQueue<String> replies;
    private int httpPort;
    private int starts;

    SoakChild(Path pipelineFile, Path dir, String bootstrap) throws IOException {
        this.pipelineFile = pipelineFile;
        this.dataDir = dir.resolve("data");
        this.outputDir = Files.createDirectories(dir.resolve("child-output"));
        this.bootstrap = bootstrap;
    }

    /** Starts the node and waits until it is up (its job, loader and API started). */
    void start() throws Exception {
        starts++;
        process = new ProcessBuilder(List.of(ProcessHandle.current().info().command().orElse("java"), "-cp",
                System.getProperty("java.class.path"), SoakNode.class.getName(), pipelineFile.toString(), dataDir.toString(), bootstrap))
                .redirectErrorStream(true).start();
        commands = new PrintWriter(process.getOutputStream(), true, StandardCharsets.UTF_8);
        BlockingQueue<String> queue = new LinkedBlockingQueue<>();
        replies = queue;
        Path output = outputDir.resolve("soak-node-" + starts);
        Process started = process;
        Thread pump = new Thread(() -> pump(started, queue, output), "soak-node-output-" + starts);
        pump.setDaemon(true);
        pump.start();
        String ready = reply(START_TIMEOUT);
        if (!ready.startsWith("ready ")) {
            throw new AssertionError("the soak node answered '" + ready + "' instead of ready; see " + output);
        }
        httpPort = Integer.parseInt(ready.substring("ready ".length()));
    }

    /** Copies the child's output to its file and hands the lines meant for the test to {@code queue}. */
    private static void pump(Process p, BlockingQueue<String> queue, Path output) {
        try (BufferedReader in = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8));
             Writer out = Files.newBufferedWriter(output)) {
            for (String line = in.readLine(); line != null; line = in.readLine()) {
                out.write(line);
                out.write('\n');
                if (line.startsWith(SoakNode.PREFIX)) {
                    queue.add(line.substring(SoakNode.PREFIX.length()).strip());
                    out.flush();
                }
            }
        } catch (IOException e) {
            queue.add("output failed: " + e);
        }
    }

    private String reply(Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (System.nanoTime() < deadline) {
            String line = replies.poll(1, TimeUnit.SECONDS);
            if (line != null) {
                return line;
            }
            if (!process.isAlive()) {
                throw new AssertionError("the soak node ended with exit code " + process.exitValue() + "; see " + outputDir);
            }
        }
        throw new AssertionError("the soak node did not answer within " + timeout + "; see " + outputDir);
    }

    /** Sends one command ({@code task-manager}, {@code storage}, {@code stats}) and returns its answer. */
    String command(String command) throws InterruptedException {
        commands.println(command);
        return reply(COMMAND_TIMEOUT);
    }

    /** Storage faults injected in the running node so far: before the commit, after it, batches rewritten after a commit. */
    int[] storageStats() throws InterruptedException {
        String[] parts = command("stats").split(" ");
        return new int[] {Integer.parseInt(parts[1]), Integer.parseInt(parts[2]), Integer.parseInt(parts[3])};
    }

    /** SIGKILL: the process ends at once, with no shutdown hook, savepoint or flush. */
    void kill() throws InterruptedException {
        process.destroyForcibly();
        if (!process.waitFor(1, TimeUnit.MINUTES)) {
            throw new AssertionError("the soak node did not end within a minute of SIGKILL");
        }
    }

    /** Read-only SQL through the node's {@code POST /api/v1/query}. */
    ResultCheck.Sql sql() {
        return ChildSluice.httpSql(httpPort);
    }

    @Override
    public void close() throws InterruptedException, IOException {
        if (process != null && process.isAlive()) {
            commands.close();
            if (!process.waitFor(2, TimeUnit.MINUTES)) {
                process.destroyForcibly();
            }
        }
        // The test's temporary directory is deleted; a fault that shows only on a loaded machine must be explained from
        // the node's output, so it is kept in target/child-output/ as ChildSluice keeps its child's.
        Path kept = Files.createDirectories(Path.of("target", "child-output", "soak-" + java.time.LocalTime.now().toString().replace(':', '-')));
        try (var files = Files.list(outputDir)) {
            for (Path f : files.toList()) {
                Files.copy(f, kept.resolve(f.getFileName()));
            }
        }
    }
}
