package dev.sluice.cli;

import dev.sluice.ingest.GeneratorRunner;
import dev.sluice.ingest.PaymentsGenerator;
import dev.sluice.server.ServerSettings;
import dev.sluice.server.SluiceServer;
import dev.sluice.spec.PipelineSpec;
import dev.sluice.spec.SpecParser;
import java.nio.file.Path;
import java.time.Clock;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * {@code sluice demo}: the whole architecture on one machine. Realistic card payments with injected fraud go
 * into Kafka, the demo pipeline runs on Flink, results land in DuckDB and are served over the REST API.
 */
@Command(name = "demo", mixinStandardHelpOptions = true,
        description = "Run the payments demo: generator -> Kafka -> Flink (examples/payments/pipeline.yaml) -> DuckDB -> REST API.")
final class DemoCommand implements Callable<Integer> {
    @Mixin
    RunOptions options;

    @Option(names = "--rate", defaultValue = "1000", paramLabel = "EVENTS_PER_SECOND",
            description = "Payments per second from the generator; 0 means as fast as possible (default: ${DEFAULT-VALUE}).")
    double rate;

    @Option(names = "--pipeline", paramLabel = "PIPELINE.yaml",
            description = "The pipeline to run (default: examples/payments/pipeline.yaml of this Sluice installation).")
    Path pipeline;

    @Option(names = "--seed", paramLabel = "N", description = "Seed of the payments generator (default: a new one each run).")
    Long seed;

    @Override
    public Integer call() throws Exception {
        if (rate < 0) {
            throw new picocli.CommandLine.ParameterException(new picocli.CommandLine(this),
                    "--rate must be 0 (as fast as possible) or a positive number of events per second, got " + rate);
        }
        Path file = pipeline != null ? pipeline : defaultPipeline();
        PipelineSpec spec = new SpecParser().parse(file);
        ServerSettings settings = options.settings();
        Banner.starting(spec, file, settings);
        SluiceServer server = SluiceServer.start(spec, settings);
        String topic = spec.sources().get(0).topic();
        GeneratorRunner generator;
        try {
            generator = GeneratorRunner.start(server.bootstrapServers(), settings.kafkaProperties(), topic, rate,
                    new PaymentsGenerator(seed != null ? seed : System.nanoTime(), Clock.systemUTC(),
                            PaymentsGenerator.DEMO_MALFORMED_RATIO,
                            // Payment ids continue after the records already in the topic, across restarts.
                            server.admin().endOffsets(java.util.List.of(topic)).getOrDefault(topic, 0L)))
                    .pauseUnless(server::admitsInput);
        } catch (RuntimeException e) {
            server.close();
            throw e;
        }
        Banner.started(server, settings, "payments -> topic '" + topic + "' at "
                + (rate == 0 ? "maximum rate" : String.format("%,.0f events/s", rate))
                + ", with card-testing fraud bursts, late and malformed events");
        PipelineSession.runUntilStopped(server, options.duration, options.summaryInterval, generator);
        return 0;
    }

    static Path defaultPipeline() {
        String home = System.getProperty("sluice.home");
        Path base = home != null ? Path.of(home) : Path.of(".");
        return base.resolve("examples").resolve("payments").resolve("pipeline.yaml").normalize();
    }
}
