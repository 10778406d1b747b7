package dev.sluice.cli.faults;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.sluice.cli.Main;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * {@code sluice run} of {@link FaultPipeline} in a child JVM, as a user runs it, on a fixed data directory and fixed
 * Kafka and HTTP ports (free ones, chosen once), so that it can be killed with SIGKILL and started again on the same
 * state. Queries go through its HTTP API.
 */
final class ChildSluice implements AutoCloseable {
    private static final ObjectMapper JSON = new ObjectMapper();
    /**
     * How long a start may take until the API answers. About 30 s with the machine to itself; on the 2-core machine
     * shared by several builds (load average 40 and more) a start took over 3 minutes.
     */
    private static final Duration START_TIMEOUT = Duration.ofMinutes(6);
    private final Path pipelineFile;
    private final List<String> options;
    private final Path dataDir;
    private final Path logDir;
    private final int kafkaPort;
    private final int httpPort;
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    private Process process;
    private int starts;

    ChildSluice(Path pipelineFile, Path dir) throws IOException {
        this(pipelineFile, dir, List.of());
    }

    /** With more {@code sluice run} options, such as {@code --kafka-bootstrap} and {@code --kafka-properties}. */
    ChildSluice(Path pipelineFile, Path dir, List<String> options) throws IOException {
        this.options = List.copyOf(options);
        this.pipelineFile = pipelineFile;
        this.dataDir = dir.resolve("data");
        this.logDir = Files.createDirectories(dir.resolve("child-output"));
        this.kafkaPort = freePort();
        this.httpPort = freePort();
    }

    String bootstrap() {
        return "localhost:" + kafkaPort;
    }

    /**
     * Starts {@code sluice run} and waits until its API answers and it has printed its banner (the broker, the job and
     * the loader have started, and Ctrl-C stops it cleanly).
     */
    void start() throws Exception {
        starts++;
        List<String> command = new ArrayList<>(List.of(ProcessHandle.current().info().command().orElse("java"),
                "-cp", System.getProperty("java.class.path"), Main.class.getName(), "run", pipelineFile.toString(),
                "--data-dir", dataDir.toString(), "--kafka-port", Integer.toString(kafkaPort), "--port", Integer.toString(httpPort),
                "--checkpoint-interval", "1s", "--parallelism", "2", "--summary-interval", "60s"));
        command.addAll(options);
        process = new ProcessBuilder(command)
                .redirectOutput(logDir.resolve("stdout-" + starts).toFile())
                .redirectError(logDir.resolve("stderr-" + starts).toFile())
                .start();
        long deadline = System.nanoTime() + START_TIMEOUT.toNanos();
        while (true) {
            if (!process.isAlive()) {
                throw new AssertionError("sluice run ended with exit code " + process.exitValue() + " while starting: "
                        + Files.readString(logDir.resolve("stderr-" + starts)));
            }
            try {
                HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create("http://localhost:" + httpPort + "/api/v1/pipelines"))
                        .timeout(Duration.ofSeconds(5)).build(), HttpResponse.BodyHandlers.ofString());
                // The API answers while the pipelines still start; the banner's last line comes once they run.
                if (r.statusCode() == 200 && Files.readString(logDir.resolve("stdout-" + starts)).contains("Press Ctrl-C to stop")) {
                    return;
                }
            } catch (IOException e) {
                // not listening yet
            }
            if (System.nanoTime() > deadline) {
                throw new AssertionError("sluice run did not answer on port " + httpPort + " within " + START_TIMEOUT.toMinutes()
                        + " minutes; the end of its output: " + tail(logDir.resolve("stdout-" + starts)) + " / stderr: "
                        + tail(logDir.resolve("stderr-" + starts)));
            }
            Thread.sleep(250);
        }
    }

    /** The last lines of a file of the child's output, for a failure message. */
    private static String tail(Path file) throws IOException {
        List<String> lines = Files.readAllLines(file);
        return String.join("\n", lines.subList(Math.max(0, lines.size() - 20), lines.size()));
    }

    /** SIGKILL: the process ends at once, with no shutdown hook, savepoint or flush. */
    void kill() throws InterruptedException {
        process.destroyForcibly();
        if (!process.waitFor(1, TimeUnit.MINUTES)) {
            throw new AssertionError("sluice run did not end within a minute of SIGKILL");
        }
    }

    /** SIGTERM: the clean stop (savepoint, last results stored); returns the exit code (143 after a clean stop). */
    int stop() throws InterruptedException {
        process.destroy();
        if (!process.waitFor(3, TimeUnit.MINUTES)) {
            process.destroyForcibly();
            throw new AssertionError("sluice run did not stop within 3 minutes of SIGTERM");
        }
        return process.exitValue();
    }

    /** What the process wrote: its standard output and error of every start, and its log file. */
    String output() throws IOException {
        StringBuilder all = new StringBuilder();
        try (var files = Files.list(logDir)) {
            for (Path f : files.sorted().toList()) {
                all.append(Files.readString(f)).append('\n');
            }
        }
        Path log = dataDir.resolve("logs").resolve("sluice.log");
        if (Files.exists(log)) {
            all.append(Files.readString(log));
        }
        return all.toString();
    }

    Path databaseFile() {
        return dataDir.resolve("sluice.duckdb");
    }

    /** Read-only SQL through {@code POST /api/v1/query}. */
    ResultCheck.Sql sql() {
        return httpSql(httpPort);
    }

    /** Read-only SQL through {@code POST /api/v1/query} of the Sluice server whose API listens on {@code httpPort}. */
    static ResultCheck.Sql httpSql(int httpPort) {
        HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
        return q -> {
            try {
                HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create("http://localhost:" + httpPort + "/api/v1/query"))
                        .timeout(Duration.ofSeconds(60)).header("Content-Type", "application/json")
                        .POST(HttpRequest.BodyPublishers.ofString(JSON.writeValueAsString(Map.of("sql", q)))).build(),
                        HttpResponse.BodyHandlers.ofString());
                if (r.statusCode() != 200) {
                    throw new AssertionError("POST /api/v1/query " + q + " answered " + r.statusCode() + ": " + r.body());
                }
                List<List<Object>> rows = new ArrayList<>();
                for (JsonNode row : JSON.readTree(r.body()).path("rows")) {
                    List<Object> values = new ArrayList<>();
                    row.forEach(v -> values.add(v.isNull() ? null : v.isNumber() ? (Object) v.numberValue() : v.asText()));
                    rows.add(values);
                }
                return rows;
            } catch (IOException e) {
                throw new AssertionError("POST /api/v1/query failed: " + e, e);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new AssertionError("interrupted", e);
            }
        };
    }

    private static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0, 50, InetAddress.getLoopbackAddress())) {
            return s.getLocalPort();
        }
    }

    @Override
    public void close() {
        if (process != null && process.isAlive()) {
            process.destroyForcibly();
        }
        keepOutput();
    }

    /**
     * Copies what the child wrote (its output of every start and its log) to {@code target/child-output/}, because the
     * test's temporary directory is deleted and a fault that shows only on a loaded machine must be explained from it.
     */
    private void keepOutput() {
        Path kept = Path.of("target", "child-output", java.time.LocalTime.now().toString().replace(':', '-'));
        try {
            Files.createDirectories(kept);
            try (var files = Files.list(logDir)) {
                for (Path f : files.toList()) {
                    Files.copy(f, kept.resolve(f.getFileName()));
                }
            }
            Path log = dataDir.resolve("logs").resolve("sluice.log");
            if (Files.exists(log)) {
                Files.copy(log, kept.resolve("sluice.log"));
            }
        } catch (IOException e) {
            org.slf4j.LoggerFactory.getLogger(ChildSluice.class).warn("Could not keep the child's output in {}: {}", kept, e.toString());
        }
    }
}
