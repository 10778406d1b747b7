package dev.sluice.engine;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import dev.sluice.broker.TopicSpec;
import dev.sluice.spec.Location;
import dev.sluice.spec.PipelineSpec;
import dev.sluice.spec.SinkSpec;
import dev.sluice.spec.SpecException;
import dev.sluice.spec.SpecParser;
import dev.sluice.spec.SpecProblem;
import dev.sluice.spec.ViewSpec;
import dev.sluice.storage.TableDefinition;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class PipelineCompilerTest {
    @TempDir
    Path state;

    private static final Path FILE = Path.of("p.yaml");

    private PipelineSpec withView(String sql, SinkSpec sink) {
        PipelineSpec base = PipelineRunnerIT.spec();
        ViewSpec view = new ViewSpec("v", sql, new Location(FILE, 19, 5), new Location(FILE, 20, 7), true);
        return new PipelineSpec(base.name(), "", FILE, base.sources(), List.of(), List.of(view),
                sink == null ? List.of() : List.of(sink), List.of(), List.of(), List.of());
    }

    private SpecProblem problem(PipelineSpec spec) {
        SpecException e = catchThrowableOfType(SpecException.class,
                () -> PipelineCompiler.compile(spec, EngineConfig.local("localhost:9092", state)));
        assertThat(e).as("expected a SpecException").isNotNull();
        assertThat(e.problems()).hasSize(1);
        return e.problems().get(0);
    }

    @Test
    void describesTheStorageTablesOfTheSinksAndTheRejectedRecords() {
        CompiledPipeline compiled = PipelineCompiler.compile(PipelineRunnerIT.spec(), EngineConfig.local("localhost:9092", state));
        TableDefinition revenue = compiled.tables().get(2);
        assertThat(revenue.name()).isEqualTo("revenue");
        assertThat(revenue.topic()).isEqualTo("sluice.smoke.revenue");
        assertThat(revenue.columns()).extracting(c -> c.name() + " " + c.type()).containsExactly(
                "window_start TIMESTAMP(3)", "window_end TIMESTAMP(3)", "merchant_id STRING", "payments BIGINT",
                "revenue DECIMAL(38, 2)");
        assertThat(compiled.tables()).extracting(TableDefinition::qualifiedName).containsExactly("smoke.dead_letters", "smoke.late_events", "smoke.revenue");
        assertThat(compiled.topics()).extracting(t -> t.name()).containsExactly(
                "payments", "sluice.smoke.payments.dlq", "sluice.smoke.payments.late", "sluice.smoke.revenue");
        assertThat(compiled.restoredFrom()).isEmpty();
    }

    @Test
    void theTopicsFollowFromThePipelineFileAloneBeforeItIsPlanned() {
        PipelineSpec spec = new SpecParser().parse(Path.of("../examples/payments/pipeline.yaml"));
        // Upserted tables on compacted topics, every result topic as wide as the source, the alerts in one partition.
        assertThat(PipelineCompiler.topics(spec)).containsExactly(
                TopicSpec.of("payments", 4), TopicSpec.of("sluice.payments.payments.dlq", 4),
                TopicSpec.of("sluice.payments.payments.late", 4), TopicSpec.compacted("sluice.payments.merchant_revenue", 4),
                TopicSpec.compacted("sluice.payments.category_revenue", 4), TopicSpec.of("sluice.payments.large_payments", 4),
                TopicSpec.compacted("sluice.payments.suspicious_cards", 4), TopicSpec.of("sluice.payments.alerts", 1));
    }

    @Test
    void aViewReadByTwoSinksIsPlannedOnce() {
        PipelineSpec base = PipelineRunnerIT.spec();
        SinkSpec log = new SinkSpec("revenue", "revenue_log", SinkSpec.Mode.APPEND, List.of(), new Location(FILE, 30, 5));
        PipelineSpec twoSinks = new PipelineSpec(base.name(), "", FILE, base.sources(), List.of(), base.views(),
                List.of(base.sinks().get(0), log), List.of(), List.of(), List.of());
        CompiledPipeline compiled = PipelineCompiler.compile(twoSinks, EngineConfig.local("localhost:9092", state));
        List<String> operators = compiled.environment().getStreamGraph(false).getStreamNodes().stream()
                .map(n -> n.getOperatorName().replaceAll("\\[\\d+]$", "")).toList();
        // Planned per sink, the window aggregation (local and global phase) would appear once for each of the two sinks.
        assertThat(operators).filteredOn(n -> n.contains("WindowAggregate")).isNotEmpty().doesNotHaveDuplicates();
        assertThat(operators).filteredOn(n -> n.startsWith("result: ") && n.endsWith(": Writer")).containsExactlyInAnyOrder(
                "result: sluice.smoke.revenue: Writer", "result: sluice.smoke.revenue_log: Writer");
    }

    @Test
    void sqlErrorsPointAtTheViewInThePipelineFile() {
        SpecProblem p = problem(withView("SELECT merchant_id,\n       amout\nFROM payments", null));
        assertThat(p.location()).isEqualTo(new Location(FILE, 21, 14));
        assertThat(p.key()).isEqualTo("views[0].sql");
        assertThat(p.message()).startsWith("view 'v': ").contains("Column 'amout' not found");
    }

    @Test
    void parseErrorsPointAtTheToken() {
        SpecProblem p = problem(withView("SELECT * FORM payments", null));
        assertThat(p.location()).isEqualTo(new Location(FILE, 20, 21));
        assertThat(p.message()).contains("Encountered \"payments\"").doesNotContain("Was expecting");
    }

    @Test
    void appendSinkOfAnUpdatingViewIsRefusedWithAHint() {
        SinkSpec sink = new SinkSpec("v", "totals", SinkSpec.Mode.APPEND, List.of(), new Location(FILE, 30, 5));
        SpecProblem p = problem(withView("SELECT merchant_id, COUNT(*) AS n FROM payments GROUP BY merchant_id", sink));
        assertThat(p.location()).isEqualTo(new Location(FILE, 30, 5));
        assertThat(p.message()).startsWith("view 'v' updates rows it has already emitted").contains("use mode: upsert");
    }

    @Test
    void primaryKeyMustBeAColumnOfTheView() {
        SinkSpec sink = new SinkSpec("v", "totals", SinkSpec.Mode.UPSERT, List.of("merchant"), new Location(FILE, 30, 5));
        SpecProblem p = problem(withView("SELECT merchant_id, COUNT(*) AS n FROM payments GROUP BY merchant_id", sink));
        assertThat(p.key()).isEqualTo("sinks[0].primary-key");
        assertThat(p.message()).isEqualTo("column 'merchant' is not produced by view 'v'; its columns are: merchant_id, n");
    }
}
