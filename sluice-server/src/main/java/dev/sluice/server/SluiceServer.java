package dev.sluice.server;

import dev.sluice.SluiceException;
import dev.sluice.broker.BrokerAdmin;
import dev.sluice.broker.EmbeddedKafka;
import dev.sluice.engine.CompiledPipeline;
import dev.sluice.engine.EngineConfig;
import dev.sluice.engine.FlinkCluster;
import dev.sluice.engine.PipelineCompiler;
import dev.sluice.engine.PipelineRunner;
import dev.sluice.spec.PipelineSpec;
import dev.sluice.storage.DuckDbStore;
import dev.sluice.storage.LoaderConfig;
import dev.sluice.storage.LoaderStatus;
import dev.sluice.storage.QueryService;
import dev.sluice.storage.ResultLoader;
import dev.sluice.storage.TableDefinition;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeSet;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Many pipelines end to end in this JVM, on shared infrastructure: one Kafka broker (embedded, or an existing
 * cluster), one embedded Flink cluster with a fixed number of task slots, one DuckDB store with a schema per pipeline,
 * and the HTTP API. Each pipeline has its own Flink job, topics, tables, dead letters and loader, so it can be
 * deployed, upgraded and removed at runtime without touching the others, and a failing job fails alone.
 *
 * <p>Started in the order broker, cluster, store, pipelines, API and closed in reverse, so that on a clean stop every
 * job's last results reach storage before its loader stops. Starting again on the same data directory resumes each
 * job from its savepoint or last checkpoint and each loader from the offsets stored with its rows.
 *
 * <pre>{@code
 * try (SluiceServer server = SluiceServer.start(List.of(fraud, trading), settings)) {
 *     server.deploy(clicks);           // a third one, at runtime
 *     server.pipelines();              // status of each
 *     server.remove("trading");        // stopped with a savepoint; its tables stay
 * }
 * }</pre>
 */
public final class SluiceServer implements StatusSource, PipelineControl, StreamCatalog, AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(SluiceServer.class);

    private final ServerSettings settings;
    private final Clock clock = Clock.systemUTC();
    private final List<AutoCloseable> started = new ArrayList<>();
    /** The running pipelines by name, in the order they were deployed; changed only under this object's lock. */
    private final Map<String, PipelineDeployment> pipelines = new LinkedHashMap<>();
    private volatile List<PipelineDeployment> snapshot = List.of();
    private EmbeddedKafka kafka;
    private String bootstrapServers;
    private BrokerAdmin admin;
    private FlinkCluster flink;
    private DuckDbStore store;
    /** Sluice's own status queries; the API's run in a QueryService of their own, so that they cannot crowd these out. */
    private QueryService queries;
    private ApiServer api;
    private IngestService ingest;

    private SluiceServer(ServerSettings settings) {
        this.settings = settings;
    }

    /** One pipeline: {@link #start(List, ServerSettings)} with it alone. */
    public static SluiceServer start(PipelineSpec spec, ServerSettings settings) {
        return start(List.of(spec), settings);
    }

    /**
     * Starts the shared parts and every pipeline, or nothing: on a failure, what was started is stopped again.
     *
     * @throws SluiceException before anything starts when the API would listen beyond loopback without API keys, when two
     *     pipelines have the same name, or when the pipelines need more task slots than {@link ServerSettings#taskSlots()}
     */
    public static SluiceServer start(List<PipelineSpec> specs, ServerSettings settings) {
        ApiServer.checkExposure(settings.bindAddress(), settings.apiKeys());
        checkNames(specs);
        int needed = specs.size() * settings.parallelism();
        if (needed > settings.taskSlots()) {
            throw new PipelineConflictException(specs.size() + " pipelines at parallelism " + settings.parallelism() + " need "
                    + needed + " task slots, but the Flink cluster has " + settings.taskSlots()
                    + "; start with --task-slots " + needed + " or fewer pipelines");
        }
        SluiceServer server = new SluiceServer(settings);
        try {
            server.startAll(specs);
            return server;
        } catch (RuntimeException e) {
            server.close();
            throw e;
        }
    }

    private static void checkNames(List<PipelineSpec> specs) {
        Map<String, PipelineSpec> byName = new LinkedHashMap<>();
        for (PipelineSpec spec : specs) {
            PipelineSpec first = byName.putIfAbsent(spec.name(), spec);
            if (first != null) {
                throw new SluiceException("Two pipelines are named '" + spec.name() + "': " + first.file() + " and " + spec.file()
                        + "; each pipeline needs a name of its own (its topics, tables and job are named after it)");
            }
        }
    }

    private void startAll(List<PipelineSpec> specs) {
        if (settings.kafkaBootstrap().isPresent()) {
            bootstrapServers = settings.kafkaBootstrap().get();
        } else {
            kafka = EmbeddedKafka.start(settings.kafkaDir(), settings.kafkaPort());
            started.add(kafka);
            bootstrapServers = kafka.bootstrapServers();
        }
        admin = new BrokerAdmin(bootstrapServers, settings.kafkaProperties());
        started.add(admin);
        ingest = IngestService.start(bootstrapServers, settings.kafkaProperties(), admin, this, settings.ingest(),
                deploymentId(), clock);
        started.add(ingest);
        flink = FlinkCluster.start(settings.taskSlots(), Map.of());
        started.add(flink);
        store = DuckDbStore.open(settings.databaseFile(), settings.storage());
        started.add(store);
        queries = new QueryService(store);
        started.add(this::stopPipelines);
        for (PipelineSpec spec : specs) {
            deploy(spec);
        }
        api = ApiServer.start(this, this, new QueryService(store, settings.queryLimits(), Clock.systemUTC()), settings,
                Optional.of(ingest));
        started.add(api);
        if (settings.apiKeys().isEmpty()) {
            LOG.warn("Authentication is off: the API (queries, deploys and HTTP ingest) asks for no key on {}:{}. That is only"
                    + " allowed on loopback; pass --api-key-file to require keys.", settings.bindAddress(), api.port());
        }
        LOG.info("Sluice is running {} pipeline(s) {}: Kafka {}, HTTP {}:{}, {} task slots, data in {}.", specs.size(),
                pipelineNames(), bootstrapServers, settings.bindAddress(), api.port(), settings.taskSlots(),
                settings.dataDir().toAbsolutePath());
    }

    @Override
    public synchronized Deployed deploy(PipelineSpec spec) {
        PipelineDeployment previous = pipelines.get(spec.name());
        int free = settings.taskSlots() - usedSlots() + (previous == null ? 0 : previous.taskSlots());
        if (settings.parallelism() > free) {
            throw new PipelineConflictException("Cannot deploy pipeline '" + spec.name() + "': it needs " + settings.parallelism()
                    + " task slots, but only " + free + " of the Flink cluster's " + settings.taskSlots() + " are free ("
                    + slotUse() + "). Remove a pipeline, or start the server with more --task-slots");
        }
        EngineConfig engine = engineConfig(spec);
        if (previous != null) {
            // Plan the new version and check its tables before the old one stops: a view that does not plan or a table
            // whose columns changed must not cost a running pipeline.
            CompiledPipeline planned = PipelineCompiler.compile(spec, engine);
            checkTables(planned);
            LOG.info("Upgrading pipeline '{}': stopping the running version with a savepoint.", spec.name());
            // It stays listed (as stopped) until the new version replaces it, in the same place of the list.
            previous.stop(admin, store);
        }
        CompiledPipeline compiled = PipelineCompiler.compile(spec, engine);
        if (previous == null) {
            checkTables(compiled);
        }
        PipelineDeployment deployment;
        try {
            deployment = startPipeline(compiled);
        } catch (SluiceException e) {
            if (previous == null) {
                throw new PipelineConflictException("Cannot deploy pipeline '" + spec.name() + "': " + e.getMessage(), e);
            }
            pipelines.remove(spec.name());
            publish();
            throw new PipelineConflictException("The new version of pipeline '" + spec.name() + "' did not start"
                    + compiled.restoredFrom().map(p -> " from the state of the previous version (" + settings.dataDir()
                            .toAbsolutePath().relativize(p.toAbsolutePath()) + ")").orElse("") + ": " + e.getMessage()
                    + ". The previous version is stopped and its savepoint is kept: deploy it again to resume it from there.", e);
        }
        pipelines.put(spec.name(), deployment);
        publish();
        return new Deployed(status(deployment), previous != null);
    }

    /** Tells this server's ingest producers from another server's on the same Kafka cluster: a hash of the data directory. */
    private String deploymentId() {
        java.util.UUID uuid = java.util.UUID.nameUUIDFromBytes(settings.dataDir().toAbsolutePath().normalize().toString()
                .getBytes(java.nio.charset.StandardCharsets.UTF_8));
        return uuid.toString().substring(0, 8);
    }

    @Override
    public List<Reader> readers(String stream) {
        List<Reader> readers = new ArrayList<>();
        for (PipelineDeployment d : snapshot) {
            for (dev.sluice.spec.SourceSpec source : d.spec().sources()) {
                if (source.topic().equals(stream)) {
                    readers.add(new Reader(d.name(), source));
                }
            }
        }
        return readers;
    }

    @Override
    public List<String> streams() {
        TreeSet<String> streams = new TreeSet<>();
        for (PipelineDeployment d : snapshot) {
            d.spec().sources().forEach(s -> streams.add(s.topic()));
        }
        return List.copyOf(streams);
    }

    /** The HTTP ingest API's logic and counters. */
    public IngestService ingest() {
        return ingest;
    }

    private void checkTables(CompiledPipeline compiled) {
        try {
            compiled.tables().forEach(store::checkTable);
        } catch (SluiceException e) {
            throw new PipelineConflictException("Cannot deploy pipeline '" + compiled.spec().name() + "': " + e.getMessage(), e);
        }
    }

    private PipelineDeployment startPipeline(CompiledPipeline compiled) {
        String name = compiled.spec().name();
        admin.ensureTopics(compiled.topics());
        for (TableDefinition table : compiled.tables()) {
            store.ensureTable(table);
        }
        ResultLoader loader = new ResultLoader(bootstrapServers, settings.kafkaProperties(), store, compiled.tables(),
                LoaderConfig.of("sluice-loader-" + name), clock);
        loader.start();
        try {
            PipelineRunner runner = PipelineRunner.start(compiled, flink);
            return new PipelineDeployment(compiled, loader, runner, settings.parallelism(), clock);
        } catch (RuntimeException e) {
            loader.close();
            throw e;
        }
    }

    @Override
    public synchronized void remove(String name) {
        PipelineDeployment deployment = pipelines.get(name);
        if (deployment == null) {
            throw new NoSuchPipelineException("no pipeline '" + name + "' is running; pipelines are: "
                    + String.join(", ", new TreeSet<>(pipelines.keySet())));
        }
        deployment.stop(admin, store);
        pipelines.remove(name);
        publish();
        LOG.info("Removed pipeline '{}'; its tables, topics and savepoint are kept.", name);
    }

    private void publish() {
        snapshot = List.copyOf(pipelines.values());
    }

    private int usedSlots() {
        return pipelines.values().stream().mapToInt(PipelineDeployment::taskSlots).sum();
    }

    private String slotUse() {
        if (pipelines.isEmpty()) {
            return "no pipeline runs";
        }
        List<String> uses = new ArrayList<>();
        pipelines.values().forEach(p -> uses.add(p.name() + " uses " + p.taskSlots()));
        return String.join(", ", uses);
    }

    private EngineConfig engineConfig(PipelineSpec spec) {
        return new EngineConfig(bootstrapServers, settings.kafkaProperties(), settings.pipelineStateDir(spec.name()),
                settings.parallelism(), settings.checkpointInterval(), Map.of());
    }

    /** Stops every pipeline with a savepoint, last deployed first. */
    private synchronized void stopPipelines() {
        List<PipelineDeployment> running = new ArrayList<>(pipelines.values());
        for (int i = running.size() - 1; i >= 0; i--) {
            try {
                running.get(i).stop(admin, store);
            } catch (RuntimeException e) {
                LOG.warn("Stopping pipeline '{}' failed: {}", running.get(i).name(), e.toString(), e);
            }
        }
        pipelines.clear();
        publish();
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

    public ServerSettings settings() {
        return settings;
    }

    public BrokerAdmin admin() {
        return admin;
    }

    public DuckDbStore store() {
        return store;
    }

    public FlinkCluster flink() {
        return flink;
    }

    @Override
    public List<String> pipelineNames() {
        return snapshot.stream().map(PipelineDeployment::name).toList();
    }

    private PipelineDeployment deployment(String name) {
        for (PipelineDeployment d : snapshot) {
            if (d.name().equals(name)) {
                return d;
            }
        }
        throw new NoSuchPipelineException("no pipeline '" + name + "' is running; pipelines are: "
                + String.join(", ", new TreeSet<>(pipelineNames())));
    }

    private PipelineDeployment only() {
        List<PipelineDeployment> running = snapshot;
        if (running.size() != 1) {
            throw new IllegalStateException("This server runs " + running.size() + " pipelines " + pipelineNames()
                    + "; name the pipeline. The single-pipeline accessors need exactly one.");
        }
        return running.get(0);
    }

    /** The compiled pipeline of the only pipeline. */
    public CompiledPipeline pipeline() {
        return only().compiled();
    }

    public CompiledPipeline pipeline(String name) {
        return deployment(name).compiled();
    }

    /** The Flink job of the only pipeline. */
    public PipelineRunner runner() {
        return only().runner();
    }

    public PipelineRunner runner(String name) {
        return deployment(name).runner();
    }

    /** The loader of the only pipeline. */
    public ResultLoader loader() {
        return only().loader();
    }

    public ResultLoader loader(String name) {
        return deployment(name).loader();
    }

    /** The spec of the only pipeline. */
    public PipelineSpec spec() {
        return only().spec();
    }

    /** The status of the only pipeline. */
    public PipelineStatus status() {
        return status(only());
    }

    public PipelineStatus status(String name) {
        return status(deployment(name));
    }

    private PipelineStatus status(PipelineDeployment d) {
        return d.status(admin, store, queries, flink, ingest.metrics());
    }

    @Override
    public List<PipelineStatus> pipelines() {
        List<PipelineStatus> all = new ArrayList<>();
        for (PipelineDeployment d : snapshot) {
            all.add(status(d));
        }
        return all;
    }

    @Override
    public Optional<PipelineStatus> pipelineStatus(String name) {
        for (PipelineDeployment d : snapshot) {
            if (d.name().equals(name)) {
                return Optional.of(status(d));
            }
        }
        return Optional.empty();
    }

    /**
     * Health of each shared part (broker, engine, storage, loader). The engine is up when every pipeline's job runs, the
     * loader when every pipeline's loader does; the detail names the pipelines that do not.
     */
    @Override
    public Map<String, Health> health() {
        Map<String, Health> health = new LinkedHashMap<>();
        boolean brokerUp = admin.isUp(Duration.ofSeconds(2));
        health.put("broker", new Health(brokerUp, bootstrapServers + (kafka != null ? " (embedded)" : " (external)")));
        List<String> jobs = new ArrayList<>();
        List<String> loaders = new ArrayList<>();
        boolean jobsUp = true;
        boolean loadersUp = true;
        for (PipelineDeployment d : snapshot) {
            PipelineDeployment.State state = d.state(flink);
            jobsUp &= state.name().equals("RUNNING");
            jobs.add("'" + d.name() + "' (job " + d.runner().jobId() + ") is " + state.name()
                    + (state.failure() == null ? "" : ": " + state.failure()));
            LoaderStatus loaderStatus = d.loader().status();
            loadersUp &= loaderStatus != LoaderStatus.FAILED && loaderStatus != LoaderStatus.STOPPED;
            loaders.add("'" + d.name() + "' is " + loaderStatus + d.loader().lastError().map(e -> ": " + e).orElse(""));
        }
        health.put("engine", new Health(jobsUp, "Flink cluster with " + flink.slots() + " task slots, " + usedSlotsNow() + " in use; "
                + (jobs.isEmpty() ? "no pipelines" : "pipeline " + String.join("; pipeline ", jobs))));
        Optional<String> storageError = storageError();
        health.put("storage", new Health(storageError.isEmpty(), storageError.orElse("DuckDB " + settings.databaseFile())));
        health.put("loader", new Health(loadersUp, loaders.isEmpty() ? "no pipelines" : "loader of " + String.join("; loader of ", loaders)));
        return health;
    }

    private int usedSlotsNow() {
        return snapshot.stream().mapToInt(PipelineDeployment::taskSlots).sum();
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
