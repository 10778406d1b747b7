package dev.sluice.server;

import dev.sluice.SluiceException;
import dev.sluice.broker.BrokerAdmin;
import dev.sluice.broker.EmbeddedKafka;
import dev.sluice.engine.CompiledPipeline;
import dev.sluice.engine.EngineConfig;
import dev.sluice.engine.PipelineCompiler;
import dev.sluice.engine.PipelineRunner;
import dev.sluice.spec.PipelineSpec;
import dev.sluice.spec.SourceSpec;
import dev.sluice.storage.DelayHistogram;
import dev.sluice.storage.DuckDbStore;
import dev.sluice.storage.LoaderConfig;
import dev.sluice.storage.LoaderStatus;
import dev.sluice.storage.QueryService;
import dev.sluice.storage.ResultLoader;
import dev.sluice.storage.TableDefinition;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One pipeline running end to end in this JVM: the Kafka broker (embedded, or an existing cluster), the Flink
 * job on a MiniCluster, the loader into DuckDB, and the HTTP API. Started in that order and closed in reverse,
 * so that on a clean stop the job's last results reach storage before the loader stops. Starting again on the
 * same data directory resumes the job from its savepoint or last checkpoint and the loader from the offsets
 * stored with its rows.
 *
 * <pre>{@code
 * try (SluiceServer server = SluiceServer.start(SpecParser.parse(file), settings)) {
 *     server.status(); // events in, results out, lag
 * }
 * }</pre>
 */
public final class SluiceServer implements StatusSource, AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(SluiceServer.class);
    private static final Duration DRAIN_TIMEOUT = Duration.ofSeconds(15);

    private final PipelineSpec spec;
    private final ServerSettings settings;
    private final List<AutoCloseable> started = new ArrayList<>();
    private EmbeddedKafka kafka;
    private String bootstrapServers;
    private BrokerAdmin admin;
    private CompiledPipeline compiled;
    private DuckDbStore store;
    private ResultLoader loader;
    private PipelineRunner runner;
    /** Sluice's own status queries; the API's run in a QueryService of their own, so that they cannot crowd these out. */
    private QueryService queries;
    private ApiServer api;

    private SluiceServer(PipelineSpec spec, ServerSettings settings) {
        this.spec = spec;
        this.settings = settings;
    }

    /**
     * Starts everything, or nothing: on a failure, what was started is stopped again.
     *
     * @throws SluiceException before anything starts when the API would listen beyond loopback without API keys
     */
    public static SluiceServer start(PipelineSpec spec, ServerSettings settings) {
        ApiServer.checkExposure(settings.bindAddress(), settings.apiKeys());
        SluiceServer server = new SluiceServer(spec, settings);
        try {
            server.startAll();
            return server;
        } catch (RuntimeException e) {
            server.close();
            throw e;
        }
    }

    private void startAll() {
        if (settings.kafkaBootstrap().isPresent()) {
            bootstrapServers = settings.kafkaBootstrap().get();
        } else {
            kafka = EmbeddedKafka.start(settings.kafkaDir(), settings.kafkaPort());
            started.add(kafka);
            bootstrapServers = kafka.bootstrapServers();
        }
        admin = new BrokerAdmin(bootstrapServers, settings.kafkaProperties());
        started.add(admin);

        EngineConfig engine = new EngineConfig(bootstrapServers, settings.kafkaProperties(),
                settings.pipelineStateDir(spec.name()), settings.parallelism(), settings.checkpointInterval(), Map.of());
        compiled = PipelineCompiler.compile(spec, engine);
        admin.ensureTopics(compiled.topics());

        store = DuckDbStore.open(settings.databaseFile(), settings.storage());
        started.add(store);
        for (TableDefinition table : compiled.tables()) {
            store.ensureTable(table);
        }
        loader = new ResultLoader(bootstrapServers, settings.kafkaProperties(), store, compiled.tables(),
                LoaderConfig.of("sluice-loader-" + spec.name()), Clock.systemUTC());
        loader.start();
        started.add(loader);

        runner = PipelineRunner.start(compiled);
        started.add(this::stopPipelineAndDrain);

        queries = new QueryService(store);
        api = ApiServer.start(this, new QueryService(store, settings.queryLimits(), Clock.systemUTC()), settings);
        started.add(api);
        LOG.info("Sluice is running pipeline '{}': Kafka {}, HTTP {}:{}, data in {}.", spec.name(), bootstrapServers,
                settings.bindAddress(), api.port(), settings.dataDir().toAbsolutePath());
    }

    /** Stops the job with a savepoint, then gives the loader time to store the results that savepoint committed. */
    private void stopPipelineAndDrain() {
        runner.close();
        long deadline = System.nanoTime() + DRAIN_TIMEOUT.toNanos();
        while (System.nanoTime() < deadline) {
            if (loaderLag() == 0) {
                return;
            }
            try {
                Thread.sleep(100);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
        }
        LOG.warn("The loader still had {} result records to store after {}; they will be stored on the next start.",
                loaderLag(), DRAIN_TIMEOUT);
    }

    public PipelineSpec spec() {
        return spec;
    }

    public String bootstrapServers() {
        return bootstrapServers;
    }

    public boolean embeddedKafka() {
        return kafka != null;
    }

    public int httpPort() {
        return api.port();
    }

    public CompiledPipeline pipeline() {
        return compiled;
    }

    public PipelineRunner runner() {
        return runner;
    }

    public ResultLoader loader() {
        return loader;
    }

    public BrokerAdmin admin() {
        return admin;
    }

    public DuckDbStore store() {
        return store;
    }

    private long loaderLag() {
        Map<String, Long> ends = admin.endOffsets(resultTopics());
        Map<String, Long> stored = new HashMap<>();
        store.committedOffsets().forEach((tp, offset) -> stored.merge(tp.topic(), offset, Long::sum));
        long lag = 0;
        for (Map.Entry<String, Long> e : ends.entrySet()) {
            lag += Math.max(0, e.getValue() - stored.getOrDefault(e.getKey(), 0L));
        }
        return lag;
    }

    private List<String> resultTopics() {
        Set<String> topics = new LinkedHashSet<>();
        compiled.tables().forEach(t -> topics.add(t.topic()));
        return List.copyOf(topics);
    }

    /**
     * Counts from Kafka offsets, the job, the loader and storage; a few admin round-trips and two small queries,
     * so call it every few seconds, not per event. Dead letters and late events are counted in storage because
     * the offsets of their transactional topics also count commit markers.
     */
    public PipelineStatus status() {
        Map<String, Long> ends = admin.endOffsets(compiled.sourceTopics());
        Map<String, Integer> partitions = admin.partitions(compiled.sourceTopics());
        Map<String, Long> dead = countBySource(PipelineCompiler.DEAD_LETTERS_TABLE);
        Map<String, Long> late = countBySource(PipelineCompiler.LATE_EVENTS_TABLE);
        List<PipelineStatus.Source> sources = new ArrayList<>();
        for (SourceSpec s : spec.sources()) {
            sources.add(new PipelineStatus.Source(s.name(), s.topic(), partitions.getOrDefault(s.topic(), 0),
                    ends.getOrDefault(s.topic(), 0L), dead.getOrDefault(s.name(), 0L), late.getOrDefault(s.name(), 0L)));
        }
        long pipelineLag = admin.lag(compiled.consumerGroup(), compiled.sourceTopics());
        Map<String, Long> loaded = loader.rowsLoadedByTable();
        Map<String, DelayHistogram> delays = loader.delays();
        List<PipelineStatus.TableInfo> tables = new ArrayList<>();
        long resultsOut = 0;
        for (TableDefinition t : compiled.tables()) {
            long rows = loaded.getOrDefault(t.name(), 0L);
            if (tables.stream().noneMatch(i -> i.name().equals(t.name()))) {
                DelayHistogram delay = delays.get(t.name());
                tables.add(new PipelineStatus.TableInfo(t.name(), t.topic(), t.mode().name().toLowerCase(), t.primaryKey(), rows,
                        delay.percentile(50).toMillis(), delay.percentile(99).toMillis()));
                if (spec.sinks().stream().anyMatch(s -> s.table().equals(t.name()))) {
                    resultsOut += rows;
                }
            }
        }
        return new PipelineStatus(spec.name(), spec.description(), runner.status().name(), loader.status().name(),
                sum(ends), sum(dead), sum(late), runner.lateRecordsDropped(), pipelineLag, resultsOut, loader.rowsLoaded(), loaderLag(), sources,
                spec.views().stream().map(v -> v.name()).toList(), tables);
    }

    private Map<String, Long> countBySource(String table) {
        Map<String, Long> counts = new HashMap<>();
        for (List<Object> row : queries.query("SELECT source, count(*) FROM " + table + " GROUP BY source", 10_000).rows()) {
            counts.put((String) row.get(0), ((Number) row.get(1)).longValue());
        }
        return counts;
    }

    private static long sum(Map<String, Long> values) {
        return values.values().stream().mapToLong(Long::longValue).sum();
    }

    @Override
    public List<PipelineStatus> pipelines() {
        return List.of(status());
    }

    /** Health of each part: broker, engine, storage, loader. */
    @Override
    public Map<String, Health> health() {
        Map<String, Health> health = new java.util.LinkedHashMap<>();
        boolean brokerUp = admin.isUp(Duration.ofSeconds(2));
        health.put("broker", new Health(brokerUp, bootstrapServers + (kafka != null ? " (embedded)" : " (external)")));
        String job = runner.status().name();
        health.put("engine", new Health(job.equals("RUNNING"), "Flink job " + runner.jobId() + " is " + job
                + runner.failure().map(f -> ": " + f.getMessage()).orElse("")));
        Optional<String> storageError = storageError();
        health.put("storage", new Health(storageError.isEmpty(), storageError.orElse("DuckDB " + settings.databaseFile())));
        LoaderStatus loaderStatus = loader.status();
        health.put("loader", new Health(loaderStatus != LoaderStatus.FAILED && loaderStatus != LoaderStatus.STOPPED,
                "loader is " + loaderStatus + loader.lastError().map(e -> ": " + e).orElse("")));
        return health;
    }

    private Optional<String> storageError() {
        try {
            queries.query("SELECT 1", 1);
            return Optional.empty();
        } catch (RuntimeException e) {
            return Optional.of("DuckDB " + settings.databaseFile() + " does not answer: " + e.getMessage());
        }
    }

    /** Whether one part is up, and a sentence about it. */
    public record Health(boolean up, String detail) {}

    @Override
    public void close() {
        for (int i = started.size() - 1; i >= 0; i--) {
            try {
                started.get(i).close();
            } catch (Exception e) {
                LOG.warn("Stopping {} failed: {}", started.get(i), e.toString(), e);
            }
        }
        started.clear();
    }
}
