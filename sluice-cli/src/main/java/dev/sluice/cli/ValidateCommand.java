package dev.sluice.cli;

import dev.sluice.engine.CompiledPipeline;
import dev.sluice.engine.EngineConfig;
import dev.sluice.engine.PipelineCompiler;
import dev.sluice.spec.PipelineSpec;
import dev.sluice.spec.SpecParser;
import dev.sluice.server.DashboardHub;
import dev.sluice.storage.DuckDbStore;
import dev.sluice.storage.QueryService;
import dev.sluice.storage.TableDefinition;
import java.io.IOException;
import java.nio.file.Files;
import java.time.Clock;
import java.util.Comparator;
import java.util.HashSet;
import java.util.Set;
import java.util.stream.Stream;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;

/**
 * {@code sluice validate PIPELINE.yaml}: parses the file, checks it, plans every view with Flink's SQL planner, and
 * checks every dashboard panel's SQL against the pipeline's tables (in a scratch DuckDB file), without starting anything. Problems are printed as {@code file:line:column: key: message}; exit code 1.
 */
@Command(name = "validate", mixinStandardHelpOptions = true,
        description = "Check a pipeline file (YAML structure, types, every view's SQL and every dashboard panel's SQL) without running it.")
final class ValidateCommand implements Callable<Integer> {
    @Parameters(paramLabel = "PIPELINE.yaml", description = "The pipeline file.")
    Path file;

    @Override
    public Integer call() throws Exception {
        PipelineSpec spec = new SpecParser().parse(file);
        Path scratch = Files.createTempDirectory("sluice-validate");
        try {
            CompiledPipeline compiled = PipelineCompiler.compile(spec, EngineConfig.local("localhost:9092", scratch));
            checkDashboards(spec, compiled, scratch);
            Console.print(file + ": pipeline '" + spec.name() + "' is valid: " + count(spec.sources().size(), "source")
                    + ", " + count(spec.references().size(), "reference") + ", " + count(spec.views().size(), "view")
                    + ", " + count(spec.sinks().size(), "sink")
                    + (spec.dashboards().isEmpty() ? "" : ", " + count(spec.dashboards().size(), "dashboard")) + " -> tables "
                    + String.join(", ", compiled.tables().stream().map(t -> t.name()).distinct().toList()) + ".");
            return 0;
        } finally {
            deleteTree(scratch);
        }
    }

    /**
     * Checks the panels' SQL the way a deploy does: against the pipeline's tables, created empty in a scratch DuckDB
     * file, so that a panel that is not one read-only query over them is a problem now rather than at deploy time.
     */
    private static void checkDashboards(PipelineSpec spec, CompiledPipeline compiled, Path scratch) {
        if (spec.dashboards().isEmpty()) {
            return;
        }
        try (DuckDbStore store = DuckDbStore.open(scratch.resolve("validate.duckdb"));
             DashboardHub dashboards = new DashboardHub(new QueryService(store), DashboardHub.Limits.defaults(), Clock.systemUTC())) {
            Set<String> tables = new HashSet<>();
            for (TableDefinition table : compiled.tables()) {
                store.ensureTable(table);
                tables.add(table.name());
            }
            dashboards.check(spec, tables);
        }
    }

    private static void deleteTree(Path dir) throws IOException {
        try (Stream<Path> paths = Files.walk(dir)) {
            for (Path p : paths.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(p);
            }
        }
    }

    static String count(int n, String noun) {
        return n + " " + noun + (n == 1 ? "" : "s");
    }
}
