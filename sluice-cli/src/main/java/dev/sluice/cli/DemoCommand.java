package dev.sluice.cli;

import dev.sluice.alerts.Notifiers;
import dev.sluice.alerts.RetryPolicy;
import dev.sluice.alerts.Secrets;
import dev.sluice.ingest.EventGenerator;
import dev.sluice.ingest.GeneratorRunner;
import dev.sluice.ingest.GeneratorSettings;
import dev.sluice.ingest.Generators;
import dev.sluice.ingest.Imperfections;
import dev.sluice.ingest.PaymentsGenerator;
import dev.sluice.server.ServerSettings;
import dev.sluice.server.SluiceServer;
import dev.sluice.spec.PipelineSpec;
import dev.sluice.spec.SpecParser;
import java.nio.file.Path;
import java.time.Clock;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * {@code sluice demo}: the whole architecture on one machine. Realistic card payments with injected fraud go
 * into Kafka, the demo pipeline runs on Flink, results land in DuckDB and are served over the REST API.
 */
@Command(name = "demo", mixinStandardHelpOptions = true,
        description = {"Run the payments demo: generator -> Kafka -> Flink (examples/payments/pipeline.yaml) -> DuckDB -> REST API.",
                "With --use-cases: the five use cases side by side on one server, each fed by its generator."})
final class DemoCommand implements Callable<Integer> {
    @Mixin
    RunOptions options;

    @Option(names = "--rate", defaultValue = "1000", paramLabel = "EVENTS_PER_SECOND",
            description = "Payments per second from the generator; 0 means as fast as possible (default: ${DEFAULT-VALUE}).")
    double rate;

    @Option(names = "--pipeline", paramLabel = "PIPELINE.yaml",
            description = "The pipeline to run (default: examples/payments/pipeline.yaml of this Sluice installation).")
    Path pipeline;

    @Option(names = "--use-cases",
            description = "Run the five shipped use cases side by side instead (fraud detection, live dashboards, stock trading, "
                    + "ride tracking, recommendations: examples/<use-case>/pipeline.yaml), fed by four generators (payments, "
                    + "clickstream, ticks, rides); --rate is then their events per second together, split 2:3:5:2. Each "
                    + "pipeline takes one task slot unless --parallelism says otherwise.")
    boolean useCases;

    @Option(names = "--seed", paramLabel = "N", description = "Seed of the payments generator (default: a new one each run).")
    Long seed;

    @Option(names = "--alert-webhook", paramLabel = "URL",
            description = "Where the demo's fraud alerts are POSTed (sets ${env:" + ALERT_WEBHOOK_VARIABLE + "} of the example's "
                    + "notifier; default: that environment variable, else the alerts only reach the dashboard).")
    String alertWebhook;

    @Option(names = "--alerts-allow-private-networks",
            description = "Let alert notifiers reach loopback and private addresses (for a receiver on this machine or LAN); "
                    + "refused by default (SSRF guard).")
    boolean alertsAllowPrivateNetworks;

    /** The variable the example's webhook notifier takes its URL from. */
    static final String ALERT_WEBHOOK_VARIABLE = "SLUICE_ALERT_WEBHOOK";

    @Override
    public Integer call() throws Exception {
        if (rate < 0) {
            throw new picocli.CommandLine.ParameterException(new picocli.CommandLine(this),
                    "--rate must be 0 (as fast as possible) or a positive number of events per second, got " + rate);
        }
        if (options.flink.restUrl != null) {
            throw new picocli.CommandLine.ParameterException(new picocli.CommandLine(this),
                    "demo runs its pipelines on the embedded Flink cluster, so --flink " + options.flink.restUrl + " would be ignored;"
                            + " to run the demo pipeline on a Flink cluster: sluice run examples/payments/pipeline.yaml --flink "
                            + options.flink.restUrl + " --kafka-bootstrap ... --checkpoint-dir ..., fed by sluice produce payments"
                            + " (docs/scale-out.md)");
        }
        if (useCases) {
            return runUseCases();
        }
        Path file = pipeline != null ? pipeline : defaultPipeline();
        PipelineSpec spec = new SpecParser().parse(file);
        ServerSettings settings = options.settings();
        Banner.starting(spec, file, settings);
        Secrets secrets = secrets();
        options.flink.configureFileSystems();
        SluiceServer server = SluiceServer.start(List.of(spec), settings, alertSettings(), RetryPolicy.defaults());
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
                + ", with card-testing fraud bursts, late and malformed events", () -> Banner.alerts(server, settings, spec, secrets));
        PipelineSession.runUntilStopped(server, options.duration, options.summaryInterval, generator);
        return 0;
    }

    /** The use cases {@code --use-cases} runs, by directory under {@code examples/}. */
    static final List<String> USE_CASES = List.of("fraud-detection", "live-dashboards", "stock-trading", "ride-tracking", "recommendations");

    /** The generators that feed them, with their share of {@code --rate}: clickstream feeds two pipelines. */
    private static final Map<String, Integer> USE_CASE_FEEDS = feeds();

    private static Map<String, Integer> feeds() {
        Map<String, Integer> shares = new LinkedHashMap<>();
        shares.put("payments", 2);
        shares.put("clickstream", 3);
        shares.put("ticks", 5);
        shares.put("rides", 2);
        return java.util.Collections.unmodifiableMap(shares);
    }

    private Integer runUseCases() throws Exception {
        if (pipeline != null) {
            throw new picocli.CommandLine.ParameterException(new picocli.CommandLine(this),
                    "--use-cases runs the five shipped pipelines; leave out --pipeline " + pipeline + " (or --use-cases)");
        }
        if (options.parallelism == null) {
            options.parallelism = 1;
        }
        List<PipelineSpec> specs = new ArrayList<>();
        for (String useCase : USE_CASES) {
            specs.add(new SpecParser().parse(examples().resolve(useCase).resolve("pipeline.yaml")));
        }
        ServerSettings settings = options.settings(specs.size());
        Banner.starting(specs, settings);
        options.flink.configureFileSystems();
        SluiceServer server = SluiceServer.start(specs, settings, alertSettings(), RetryPolicy.defaults());
        List<GeneratorRunner> generators = new ArrayList<>();
        List<String> feeds = new ArrayList<>();
        int shares = USE_CASE_FEEDS.values().stream().mapToInt(Integer::intValue).sum();
        long baseSeed = seed != null ? seed : System.nanoTime();
        try {
            for (Map.Entry<String, Integer> feed : USE_CASE_FEEDS.entrySet()) {
                String topic = feed.getKey();
                double eventsPerSecond = rate * feed.getValue() / shares;
                long seedOf = baseSeed + topic.hashCode();
                EventGenerator events = topic.equals("payments")
                        // Payment ids continue after the records already in the topic, across restarts.
                        ? new PaymentsGenerator(seedOf, Clock.systemUTC(), Imperfections.typical(),
                                server.admin().endOffsets(List.of(topic)).getOrDefault(topic, 0L))
                        : Generators.create(topic, seedOf, Clock.systemUTC(), Imperfections.typical());
                generators.add(GeneratorRunner.start(server.bootstrapServers(), settings.kafkaProperties(),
                        GeneratorSettings.to(topic).withEventsPerSecond(eventsPerSecond), events).pauseUnless(server::admitsInput));
                feeds.add(topic + (rate == 0 ? " (maximum rate)" : String.format(" %,.0f/s", eventsPerSecond)));
            }
        } catch (RuntimeException e) {
            generators.forEach(GeneratorRunner::close);
            server.close();
            throw e;
        }
        Banner.started(server, settings, String.join(", ", feeds) + ", each with late, duplicated and malformed events",
                () -> specs.forEach(spec -> Banner.alerts(server, settings, spec, secrets())));
        PipelineSession.runUntilStopped(server, options.duration, options.summaryInterval, generators.toArray(AutoCloseable[]::new));
        return 0;
    }

    private Secrets secrets() {
        return new Secrets(name -> alertWebhook != null && name.equals(ALERT_WEBHOOK_VARIABLE) ? alertWebhook : System.getenv(name));
    }

    private Notifiers.Settings alertSettings() {
        Notifiers.Settings defaults = Notifiers.Settings.defaults();
        return new Notifiers.Settings(defaults.guard(), secrets(), defaults.clock(), defaults.connectTimeout(),
                defaults.readTimeout(), alertsAllowPrivateNetworks);
    }

    /** The {@code examples} directory of this Sluice installation. */
    static Path examples() {
        String home = System.getProperty("sluice.home");
        return (home != null ? Path.of(home) : Path.of(".")).resolve("examples").normalize();
    }

    static Path defaultPipeline() {
        return examples().resolve("payments").resolve("pipeline.yaml");
    }
}
