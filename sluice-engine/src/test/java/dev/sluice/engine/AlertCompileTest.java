package dev.sluice.engine;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import dev.sluice.spec.AlertSpec;
import dev.sluice.spec.Location;
import dev.sluice.spec.PipelineSpec;
import dev.sluice.spec.SpecException;
import dev.sluice.spec.SpecProblem;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** An alert's SQL, key, time column and message placeholders are checked against the query when the job is compiled. */
class AlertCompileTest {
    @TempDir
    Path state;

    private static final Path FILE = Path.of("p.yaml");
    private static final Location AT = new Location(FILE, 30, 5);

    private PipelineSpec withAlert(String sql, List<String> key, String time, String message) {
        PipelineSpec base = PipelineRunnerIT.spec();
        AlertSpec alert = new AlertSpec("a", sql, AT, new Location(FILE, 31, 10), false, key, time, AlertSpec.Severity.CRITICAL,
                message, Duration.ZERO, Duration.ZERO, Duration.ofSeconds(10), List.of());
        return new PipelineSpec(base.name(), "", FILE, base.sources(), List.of(), base.views(), base.sinks(), List.of(alert),
                List.of(), List.of());
    }

    private SpecProblem problem(PipelineSpec spec) {
        SpecException e = catchThrowableOfType(SpecException.class,
                () -> PipelineCompiler.compile(spec, EngineConfig.local("localhost:9092", state)));
        assertThat(e).as("expected a SpecException").isNotNull();
        assertThat(e.problems()).hasSize(1);
        return e.problems().get(0);
    }

    @Test
    void compilesAnAlertAndAddsItsTopic() {
        CompiledPipeline compiled = PipelineCompiler.compile(withAlert(
                "SELECT merchant_id, amount, ts FROM payments WHERE amount > 100", List.of("merchant_id"), "ts",
                "merchant {merchant_id} took {amount}"), EngineConfig.local("localhost:9092", state));
        assertThat(compiled.topics()).extracting(t -> t.name() + "/" + t.partitions()).contains("sluice.smoke.alerts/1");
    }

    @Test
    void refusesAMessagePlaceholderThatIsNotAColumn() {
        SpecProblem p = problem(withAlert("SELECT merchant_id, ts FROM payments", List.of("merchant_id"), "ts",
                "merchant {merchant_id} took {amount}"));
        assertThat(p).isEqualTo(new SpecProblem(AT, "alerts[0].message", "alert 'a': message placeholder {amount} is not a "
                + "column of its SQL; its columns are: merchant_id, ts"));
    }

    @Test
    void refusesAKeyOrTimeColumnTheQueryDoesNotProduce() {
        assertThat(problem(withAlert("SELECT merchant_id, ts FROM payments", List.of("card"), "ts", "m")).message())
                .isEqualTo("alert 'a': key column 'card' is not produced by its SQL; its columns are: merchant_id, ts");
        assertThat(problem(withAlert("SELECT merchant_id, ts FROM payments", List.of(), "window_end", "m")))
                .isEqualTo(new SpecProblem(AT, "alerts[0].time", "alert 'a': time column 'window_end' is not produced by its "
                        + "SQL; expected a TIMESTAMP column (set time: to one of: merchant_id, ts)"));
        assertThat(problem(withAlert("SELECT merchant_id, ts FROM payments", List.of(), "merchant_id", "m")).message())
                .startsWith("alert 'a': time column 'merchant_id' has type STRING");
    }

    @Test
    void refusesAQueryThatUpdatesRows() {
        SpecProblem p = problem(withAlert("SELECT merchant_id, MAX(ts) AS ts FROM payments GROUP BY merchant_id",
                List.of("merchant_id"), "ts", "m"));
        assertThat(p.key()).isEqualTo("alerts[0].sql");
        assertThat(p.message()).startsWith("alert 'a': its SQL must only insert rows");
    }

    @Test
    void sqlErrorsPointIntoTheAlertsSql() {
        SpecProblem p = problem(withAlert("SELECT amout, ts FROM payments", List.of(), "ts", "m"));
        assertThat(p.location()).isEqualTo(new Location(FILE, 31, 17));
        assertThat(p.message()).startsWith("alert 'a': ").contains("Column 'amout' not found");
    }
}
