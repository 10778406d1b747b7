package dev.sluice.cli;

import dev.sluice.SluiceException;
import dev.sluice.broker.BrokerAdmin;
import dev.sluice.broker.TopicSpec;
import dev.sluice.ingest.EventGenerator;
import dev.sluice.ingest.FileEvents;
import dev.sluice.ingest.GeneratorRunner;
import dev.sluice.ingest.GeneratorSettings;
import dev.sluice.ingest.HttpEventSender;
import dev.sluice.ingest.ProducerRun;
import dev.sluice.ingest.Generators;
import dev.sluice.ingest.Imperfections;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Properties;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code sluice produce <generator>} and {@code sluice produce --file events.ndjson --topic T}: writes a built-in
 * generator's events, or a file's lines, to a Kafka topic with the durable producer of {@link GeneratorRunner},
 * printing a progress line every few seconds. A thin adapter: pacing, sending and counting live in sluice-ingest.
 */
@Command(name = "produce", mixinStandardHelpOptions = true, sortOptions = false,
        description = {"Write events, a built-in generator's or each line of a file, to Kafka (acks=all, idempotent producer) or,",
            "with --to http, to a running server's HTTP ingest API as NDJSON batches over keep-alive connections."})
final class ProduceCommand implements Callable<Integer> {

    private static final Duration BROKER_TIMEOUT = Duration.ofSeconds(10);
    private static final Duration COUNT_GRACE = Duration.ofSeconds(30);

    @Parameters(arity = "0..1", paramLabel = "GENERATOR",
            description = "The generator: ${COMPLETION-CANDIDATES}. Its events go to the topic of the same name unless --topic is given.",
            completionCandidates = GeneratorNames.class)
    String generator;

    @Option(names = "--file", paramLabel = "FILE",
            description = "Send each non-blank line of this file (e.g. NDJSON) as one record without a key, instead of a generator; needs --topic.")
    Path file;

    @Option(names = "--topic", paramLabel = "TOPIC", description = "The Kafka topic (default: the generator's name).")
    String topic;

    @Option(names = "--rate", paramLabel = "EVENTS_PER_SECOND",
            description = "Records per second; 0 means as fast as possible (default: 1000 for a generator, 0 for a file).")
    Double rate;

    @Option(names = "--duration", paramLabel = "DURATION", converter = DurationConverter.class,
            description = "Stop after this long (e.g. 60s); with a rate, exactly rate x duration records are sent (giving up, "
                    + "exit code 3, if that takes more than twice as long plus 30 s). "
                    + "A generator runs until Ctrl-C when absent, a file until its last line.")
    Duration duration;

    @Option(names = "--seed", paramLabel = "N", description = "Seed of the generator: the same seed gives the same events (default: a new one each run).")
    Long seed;

    @Option(names = "--out-of-order", paramLabel = "SHARE", defaultValue = "0.02",
            description = "Share of generated events stamped 1 ms..3 s in the past (default: ${DEFAULT-VALUE}).")
    double outOfOrder;

    @Option(names = "--late", paramLabel = "SHARE", defaultValue = "0.001",
            description = "Share of generated events stamped 20..60 s in the past, beyond a typical watermark (default: ${DEFAULT-VALUE}).")
    double late;

    @Option(names = "--duplicates", paramLabel = "SHARE", defaultValue = "0.001",
            description = "Share of generated records that repeat an earlier one, as a producer retry would (default: ${DEFAULT-VALUE}).")
    double duplicates;

    @Option(names = "--malformed", paramLabel = "SHARE", defaultValue = "0.0005",
            description = "Share of generated records that are broken (cut-off JSON, wrong types, not JSON) (default: ${DEFAULT-VALUE}).")
    double malformed;

    @Option(names = "--to", paramLabel = "kafka|http", defaultValue = "kafka",
            description = "Where to write: 'kafka' (default) or 'http', the ingest API of the server at --server "
                    + "(POST /api/v1/streams/<topic>/events), with the key of --key-file or $SLUICE_API_KEY.")
    String to;

    @Mixin
    ServerOptions server;

    @Option(names = "--batch-size", paramLabel = "N", defaultValue = "500",
            description = "With --to http: records per request, at most (default: ${DEFAULT-VALUE}).")
    int batchSize;

    @Option(names = "--key-field", paramLabel = "FIELD",
            description = "With --to http: the field whose value the server makes each record's Kafka key (?key=FIELD), such as "
                    + "card_id for payments; without it records are written without a key.")
    String keyField;

    @Option(names = "--connections", paramLabel = "N", defaultValue = "4",
            description = "With --to http: requests in flight at once, each on a keep-alive connection (default: ${DEFAULT-VALUE}).")
    int connections;

    @Option(names = {"--bootstrap", "--kafka-bootstrap"}, paramLabel = "HOST:PORT", defaultValue = "localhost:9092",
            description = "Kafka bootstrap servers (default: ${DEFAULT-VALUE}, the broker of a local 'sluice run' or 'sluice demo').")
    String bootstrap;

    @Mixin
    KafkaClientOptions kafka;


    @Option(names = "--partitions", paramLabel = "N", defaultValue = "4",
            description = "Partitions of the topic if it does not exist yet and is created (default: ${DEFAULT-VALUE}).")
    int partitions;

    @Option(names = "--progress-interval", paramLabel = "DURATION", defaultValue = "5s", converter = DurationConverter.class,
            description = "How often to print a progress line (default: ${DEFAULT-VALUE}).")
    Duration progressInterval;

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public Integer call() throws Exception {
        checkOptions();
        Properties producer = kafka.properties();
        if (file != null) {
            long records = FileEvents.countRecords(file);
            if (records == 0) {
                Console.print("produce: " + file + " has no records; nothing sent.");
                return 0;
            }
            try (FileEvents events = FileEvents.open(file)) {
                return produce(events, producer, rate != null ? rate : 0.0, records, file.toString());
            }
        }
        double eventsPerSecond = rate != null ? rate : 1000.0;
        long limit = GeneratorSettings.UNLIMITED;
        if (duration != null && eventsPerSecond > 0) {
            limit = Math.max(1, Math.round(eventsPerSecond * duration.toNanos() / 1e9));
        }
        Imperfections imperfections;
        try {
            imperfections = new Imperfections(outOfOrder, late, duplicates, malformed);
        } catch (IllegalArgumentException e) {
            throw usage(e.getMessage());
        }
        long actualSeed = seed != null ? seed : System.nanoTime();
        EventGenerator events = Generators.create(generator, actualSeed, Clock.systemUTC(), imperfections);
        return produce(events, producer, eventsPerSecond, limit, "the " + generator + " generator (seed " + actualSeed + ")");
    }

    private int produce(EventGenerator events, Properties producer, double eventsPerSecond, long limit, String what)
            throws InterruptedException {
        String target = topic != null ? topic : generator;
        GeneratorSettings settings;
        try {
            settings = GeneratorSettings.to(target).withEventsPerSecond(eventsPerSecond).withMaxEvents(limit);
        } catch (IllegalArgumentException e) {
            throw usage(e.getMessage());
        }
        boolean http = "http".equals(to);
        Console.print("produce: " + what + " -> " + (http ? "stream '" + target + "' at " + server.server + " (HTTP ingest)"
                        : "topic '" + target + "' at " + bootstrap) + ", "
                + (eventsPerSecond == 0 ? "as fast as possible" : String.format("%,.0f records/s", eventsPerSecond))
                + (limit == GeneratorSettings.UNLIMITED ? (duration != null ? " for " + duration.toSeconds() + " s" : " until Ctrl-C")
                        : String.format(", %,d records", limit))
                + ".");
        if (!http) {
            prepareTopic(target, producer);
        }
        long start = System.nanoTime();
        try (ProducerRun runner = http
                ? HttpEventSender.start(server.server, server.apiKey(), java.util.Optional.ofNullable(keyField), settings, events,
                        batchSize, connections)
                : GeneratorRunner.start(bootstrap, producer, settings, events)) {
            boolean gaveUp = false;
            Thread hook = new Thread(runner::close, "sluice-produce-shutdown");
            Runtime.getRuntime().addShutdownHook(hook);
            try {
                // A generator with a rate stops at its exact count, but gives up if the broker cannot take it within
                // twice the duration plus half a minute; otherwise the duration is the deadline.
                boolean timed = duration != null && (limit == GeneratorSettings.UNLIMITED || file != null);
                long deadline = timed ? start + duration.toNanos()
                        : duration != null ? start + 2 * duration.toNanos() + COUNT_GRACE.toNanos() : Long.MAX_VALUE;
                long lastSent = 0;
                long lastNanos = start;
                while (true) {
                    long wait = Math.min(progressInterval.toNanos(), Math.max(1, deadline - System.nanoTime()));
                    if (runner.awaitCompletion(Duration.ofNanos(wait))) {
                        break;
                    }
                    if (System.nanoTime() >= deadline) {
                        if (!timed) {
                            Console.error(String.format("produce: gave up waiting after %,d s: %,d of %,d records were"
                                    + " acknowledged (is %s still up?).",
                                    (System.nanoTime() - start) / 1_000_000_000L, runner.sent(), limit,
                                    http ? "the server at " + server.server : "the broker at " + bootstrap));
                            gaveUp = true;
                        }
                        break;
                    }
                    long now = System.nanoTime();
                    long sent = runner.sent();
                    Console.print(String.format("produce: sent %,d | %,.0f records/s | errors %,d", sent,
                            (sent - lastSent) / ((now - lastNanos) / 1e9), runner.errors())
                            + (http ? String.format(" | rejected %,d", runner.rejected()) : ""));
                    lastSent = sent;
                    lastNanos = now;
                }
            } finally {
                runner.close();
                removeHook(hook);
            }
            double seconds = (System.nanoTime() - start) / 1e9;
            Console.print(String.format("produce: done, %,d records sent to %s '%s' in %.1f s (%,.0f records/s), %,d errors%s.",
                    runner.sent(), http ? "stream" : "topic", target, seconds, runner.sent() / Math.max(seconds, 1e-9), runner.errors(),
                    http ? String.format(", %,d rejected by the server as invalid", runner.rejected()) : ""));
            if (runner.lastError().isPresent()) {
                Console.error("produce: the last error was: " + runner.lastError().get());
            }
            return !gaveUp && runner.errors() == 0 && runner.lastError().isEmpty() ? 0 : ErrorHandler.FAILED;
        }
    }

    /** Fails fast when no broker answers, and creates the topic if it does not exist yet. */
    private void prepareTopic(String target, Properties producer) {
        try (BrokerAdmin admin = new BrokerAdmin(bootstrap, producer)) {
            if (!admin.isUp(BROKER_TIMEOUT)) {
                throw new SluiceException("No Kafka broker answered at " + bootstrap + " within " + BROKER_TIMEOUT.toSeconds()
                        + " s. Start one ('sluice run PIPELINE.yaml' or 'sluice demo') or name another with --bootstrap.");
            }
            // --partitions is for a topic created here; an existing topic is written as it is.
            if (admin.partitions(List.of(target)).isEmpty()) {
                admin.ensureTopics(List.of(TopicSpec.of(target, partitions)));
            }
        }
    }

    private void checkOptions() {
        if (!"kafka".equals(to) && !"http".equals(to)) {
            throw usage("--to must be 'kafka' or 'http', got '" + to + "'");
        }
        if (batchSize < 1 || connections < 1) {
            throw usage("--batch-size and --connections must be 1 or more, got " + batchSize + " and " + connections);
        }
        if ((generator == null) == (file == null)) {
            throw usage("Name either a generator (" + String.join(", ", Generators.NAMES) + ") or --file FILE, not "
                    + (generator == null ? "neither" : "both"));
        }
        if (generator != null && !Generators.NAMES.contains(generator)) {
            throw usage("There is no generator called '" + generator + "'; the generators are " + String.join(", ", Generators.NAMES));
        }
        if (file != null && topic == null) {
            throw usage("--file needs --topic: the topic to write the file's lines to");
        }
        if (rate != null && !(rate >= 0 && !rate.isInfinite())) {
            throw usage("--rate must be 0 (as fast as possible) or a positive number of records per second, got " + rate);
        }
        if (duration != null && (duration.isZero() || duration.isNegative())) {
            throw usage("--duration must be positive, got " + duration);
        }
        if (partitions < 1) {
            throw usage("--partitions must be 1 or more, got " + partitions);
        }
        if (progressInterval.isZero()) {
            throw usage("--progress-interval must be positive, got " + progressInterval);
        }
    }

    private CommandLine.ParameterException usage(String message) {
        return new CommandLine.ParameterException(spec.commandLine(), message);
    }

    private static void removeHook(Thread hook) {
        try {
            Runtime.getRuntime().removeShutdownHook(hook);
        } catch (IllegalStateException e) {
            // The JVM is shutting down already (Ctrl-C): the hook is running or has run, and closes the runner.
        }
    }

    /** The generator names for picocli's help and completion. */
    static final class GeneratorNames implements Iterable<String> {
        @Override
        public java.util.Iterator<String> iterator() {
            return Generators.NAMES.iterator();
        }
    }
}
