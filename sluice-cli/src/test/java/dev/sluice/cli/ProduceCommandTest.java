package dev.sluice.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

/** Option checks of {@code sluice produce} that need no broker. */
class ProduceCommandTest {

    private final ByteArrayOutputStream out = new ByteArrayOutputStream();
    private final ByteArrayOutputStream err = new ByteArrayOutputStream();

    @BeforeEach
    void capture() {
        Console.redirect(new PrintStream(out, true, StandardCharsets.UTF_8), new PrintStream(err, true, StandardCharsets.UTF_8));
    }

    @AfterEach
    void restore() {
        Console.redirect(System.out, System.err);
    }

    private static Result run(String... args) {
        ByteArrayOutputStream stderr = new ByteArrayOutputStream();
        int code = new CommandLine(new SluiceCommand()).setErr(new java.io.PrintWriter(stderr, true, StandardCharsets.UTF_8))
                .setExecutionExceptionHandler(new ErrorHandler()).execute(args);
        return new Result(code, stderr.toString(StandardCharsets.UTF_8));
    }

    private record Result(int code, String stderr) {}

    @Test
    void rejectsAnUnknownGeneratorAndNamesTheKnownOnes() {
        Result r = run("produce", "weather");
        assertThat(r.code).isEqualTo(2);
        assertThat(r.stderr).startsWith("There is no generator called 'weather'; the generators are clickstream,");
    }

    @Test
    void rejectsNeitherGeneratorNorFile() {
        assertThat(run("produce").stderr).startsWith("Name either a generator (");
    }

    @Test
    void rejectsAFileWithoutTopic() {
        assertThat(run("produce", "--file", "x.ndjson").stderr).startsWith("--file needs --topic");
    }

    @Test
    void rejectsATargetOtherThanKafkaOrHttp() {
        assertThat(run("produce", "clickstream", "--to", "pulsar").stderr).startsWith("--to must be 'kafka' or 'http', got 'pulsar'");
        assertThat(run("produce", "clickstream", "--to", "http", "--batch-size", "0").stderr)
                .startsWith("--batch-size and --connections must be 1 or more, got 0 and 4");
    }

    @Test
    void rejectsANegativeRateAndShareOutsideZeroToOne() {
        assertThat(run("produce", "clickstream", "--rate", "-1").stderr).startsWith("--rate must be 0");
        assertThat(run("produce", "clickstream", "--late", "2", "--bootstrap", "localhost:1").stderr)
                .startsWith("The late share of a generator's records must be between 0 and 1, got 2.0");
    }

    @Test
    void helpExplainsBothTargets() {
        ByteArrayOutputStream help = new ByteArrayOutputStream();
        new CommandLine(new SluiceCommand()).setOut(new java.io.PrintWriter(help, true, StandardCharsets.UTF_8))
                .execute("produce", "--help");
        assertThat(help.toString(StandardCharsets.UTF_8)).contains("with --to http, to a running server's HTTP ingest API")
                .contains("--batch-size=N").contains("--key-file=FILE");
    }
}
