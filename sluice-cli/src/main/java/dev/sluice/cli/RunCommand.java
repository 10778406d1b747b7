package dev.sluice.cli;

import dev.sluice.server.ServerSettings;
import dev.sluice.server.SluiceServer;
import dev.sluice.spec.PipelineSpec;
import dev.sluice.spec.SpecParser;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Parameters;

/** {@code sluice run PIPELINE.yaml}: {@code sluice serve} with one pipeline file. */
@Command(name = "run", mixinStandardHelpOptions = true,
        description = "Run a pipeline: Kafka (embedded or --kafka-bootstrap), the Flink job (embedded or on --flink), the loader into DuckDB and the REST API.")
final class RunCommand implements Callable<Integer> {
    @Parameters(paramLabel = "PIPELINE.yaml", description = "The pipeline file.")
    Path file;

    @Mixin
    RunOptions options;

    @Override
    public Integer call() throws Exception {
        PipelineSpec spec = new SpecParser().parse(file);
        ServerSettings settings = options.settings(1);
        Banner.starting(spec, file, settings);
        options.flink.configureFileSystems();
        SluiceServer server = SluiceServer.start(List.of(spec), settings, options.flink.remote(options.dataDir));
        Banner.started(server, settings, null);
        PipelineSession.runUntilStopped(server, options.duration, options.summaryInterval);
        return 0;
    }
}
