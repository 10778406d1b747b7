package dev.sluice.cli;

import dev.sluice.SluiceException;
import dev.sluice.server.ServerSettings;
import dev.sluice.server.SluiceServer;
import dev.sluice.spec.PipelineSpec;
import dev.sluice.spec.SpecParser;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.stream.Stream;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code sluice serve [--pipelines DIR | FILE...]}: many pipelines in one process, on one broker, one Flink cluster
 * and one store, with the API to deploy, upgrade and remove more while it runs.
 */
@Command(name = "serve", mixinStandardHelpOptions = true,
        description = "Run any number of pipelines on one Kafka broker, one Flink cluster and one DuckDB store, with the REST API; "
                + "deploy, upgrade and remove pipelines while it runs (sluice deploy, sluice stop).")
final class ServeCommand implements Callable<Integer> {
    @Option(names = "--pipelines", paramLabel = "DIR",
            description = "Run every pipeline file (*.yaml, *.yml) in this directory.")
    Path directory;

    @Parameters(paramLabel = "PIPELINE.yaml", arity = "0..*", description = "Pipeline files to run.")
    List<Path> files = new ArrayList<>();

    @Mixin
    RunOptions options;

    @Override
    public Integer call() throws Exception {
        List<PipelineSpec> specs = parse(pipelineFiles(directory, files));
        ServerSettings settings = options.settings(specs.size());
        Banner.starting(specs, settings);
        options.flink.configureFileSystems();
        SluiceServer server = SluiceServer.start(specs, settings, options.flink.remote(options.dataDir));
        Banner.started(server, settings, null);
        PipelineSession.runUntilStopped(server, options.duration, options.summaryInterval);
        return 0;
    }

    static List<PipelineSpec> parse(List<Path> files) {
        SpecParser parser = new SpecParser();
        List<PipelineSpec> specs = new ArrayList<>();
        for (Path file : files) {
            specs.add(parser.parse(file));
        }
        return specs;
    }

    /** The files given, then the directory's pipeline files in name order. */
    static List<Path> pipelineFiles(Path directory, List<Path> files) {
        List<Path> all = new ArrayList<>(files);
        if (directory != null) {
            if (!Files.isDirectory(directory)) {
                throw new SluiceException("--pipelines " + directory + " is not a directory; give a directory of pipeline files");
            }
            try (Stream<Path> entries = Files.list(directory)) {
                entries.filter(p -> Files.isRegularFile(p) && (p.toString().endsWith(".yaml") || p.toString().endsWith(".yml")))
                        .sorted()
                        .forEach(all::add);
            } catch (IOException e) {
                throw new SluiceException("Cannot list the pipeline files in " + directory + ": " + e.getMessage(), e);
            }
        }
        if (all.isEmpty()) {
            throw new SluiceException("No pipeline to serve: give pipeline files, or --pipelines DIR with *.yaml files in it"
                    + (directory == null ? "" : " (" + directory + " has none)"));
        }
        return all;
    }
}
