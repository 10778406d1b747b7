package dev.sluice.cli;

import dev.sluice.engine.CompiledPipeline;
import dev.sluice.engine.EngineConfig;
import dev.sluice.engine.PipelineCompiler;
import dev.sluice.spec.PipelineSpec;
import dev.sluice.spec.SpecParser;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;

/**
 * {@code sluice validate PIPELINE.yaml}: parses the file, checks it, and plans every view with Flink's SQL planner,
 * without starting anything. Problems are printed as {@code file:line:column: key: message}; exit code 1.
 */
@Command(name = "validate", mixinStandardHelpOptions = true,
        description = "Check a pipeline file (YAML structure, types, and every view's SQL) without running it.")
final class ValidateCommand implements Callable<Integer> {
    @Parameters(paramLabel = "PIPELINE.yaml", description = "The pipeline file.")
    Path file;

    @Override
    public Integer call() throws Exception {
        PipelineSpec spec = new SpecParser().parse(file);
        Path scratch = Files.createTempDirectory("sluice-validate");
        try {
            CompiledPipeline compiled = PipelineCompiler.compile(spec, EngineConfig.local("localhost:9092", scratch));
            Console.print(file + ": pipeline '" + spec.name() + "' is valid: " + count(spec.sources().size(), "source")
                    + ", " + count(spec.references().size(), "reference") + ", " + count(spec.views().size(), "view")
                    + ", " + count(spec.sinks().size(), "sink") + " -> tables "
                    + String.join(", ", compiled.tables().stream().map(t -> t.name()).distinct().toList()) + ".");
            return 0;
        } finally {
            Files.deleteIfExists(scratch);
        }
    }

    static String count(int n, String noun) {
        return n + " " + noun + (n == 1 ? "" : "s");
    }
}
