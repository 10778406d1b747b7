package dev.sluice.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A command that fails, run as a user runs it (its own JVM, the distribution's logging): the terminal shows the
 * reason and where the log is, the stack trace is in the log only.
 */
class FailedCommandIT {
    @TempDir
    Path dir;

    @Test
    void aTakenKafkaPortGivesTheReasonAndTheLogPathButNoStackTrace() throws Exception {
        Path pipeline = Files.writeString(dir.resolve("p.yaml"), """
                name: p
                sources:
                  - name: s
                    schema: {id: STRING, ts: TIMESTAMP(3)}
                    event-time: {column: ts}
                views:
                  - name: v
                    sql: SELECT id FROM s
                sinks:
                  - view: v
                    mode: append
                """);
        Path data = dir.resolve("data");
        try (ServerSocket taken = new ServerSocket(0, 50, InetAddress.getLoopbackAddress())) {
            int port = taken.getLocalPort();

            Result r = sluice("run", pipeline.toString(), "--data-dir", data.toString(), "--kafka-port", Integer.toString(port), "--port", "0");

            assertThat(r.exitCode).isEqualTo(ErrorHandler.FAILED);
            assertThat(r.stderr).isEqualTo("sluice: Cannot start the embedded Kafka broker on localhost:" + port + " (data in " + data.resolve("kafka")
                    + "): BindException: Address already in use. Is another broker using the port or the directory?"
                    + " Choose others with --kafka-port / --data-dir.\n"
                    + "Details are in the log: " + data.resolve("logs") + "/sluice.log\n");
            assertThat(r.stdout).isEqualTo("Sluice: starting pipeline 'p' from " + pipeline + " with an embedded Kafka broker...\n");
            String log = Files.readString(data.resolve("logs").resolve("sluice.log"));
            assertThat(log).contains("ERROR [main] d.s.c.ErrorHandler - Command failed.\ndev.sluice.SluiceException: Cannot start the embedded Kafka broker")
                    .contains("\tat dev.sluice.broker.EmbeddedKafka.start(")
                    .contains("Caused by: java.net.BindException: Address already in use");
        }
    }

    private record Result(int exitCode, String stdout, String stderr) {}

    private Result sluice(String... args) throws IOException, InterruptedException {
        List<String> command = new ArrayList<>(List.of(ProcessHandle.current().info().command().orElse("java"),
                "-cp", System.getProperty("java.class.path"), Main.class.getName()));
        command.addAll(List.of(args));
        Path out = dir.resolve("stdout");
        Path err = dir.resolve("stderr");
        Process process = new ProcessBuilder(command).redirectOutput(out.toFile()).redirectError(err.toFile()).start();
        if (!process.waitFor(3, TimeUnit.MINUTES)) {
            process.destroyForcibly();
            throw new AssertionError("sluice " + String.join(" ", args) + " did not end within 3 minutes");
        }
        return new Result(process.exitValue(), Files.readString(out, StandardCharsets.UTF_8), Files.readString(err, StandardCharsets.UTF_8));
    }
}
