package dev.sluice.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/** Every shipped {@code examples/<use-case>/pipeline.yaml} passes {@code sluice validate}, with the real Flink planner. */
class ExamplePipelinesTest {

    private static final Path EXAMPLES = Path.of("..", "examples");

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

    static List<Path> examples() throws IOException {
        try (Stream<Path> dirs = Files.list(EXAMPLES)) {
            return dirs.map(d -> d.resolve("pipeline.yaml")).filter(Files::isRegularFile).sorted().toList();
        }
    }

    @Test
    void everyUseCaseHasAnExample() throws IOException {
        assertThat(examples()).extracting(p -> p.getParent().getFileName().toString())
                .contains("fraud-detection", "live-dashboards", "stock-trading", "ride-tracking", "recommendations", "payments", "iot");
    }

    @ParameterizedTest
    @MethodSource("examples")
    void isValid(Path pipeline) {
        assertThat(Main.execute("validate", pipeline.toString())).as(err.toString(StandardCharsets.UTF_8)).isZero();
        assertThat(out.toString(StandardCharsets.UTF_8)).startsWith(pipeline + ": pipeline '"
                + pipeline.getParent().getFileName().toString().replace('-', '_') + "' is valid: ");
    }
}
