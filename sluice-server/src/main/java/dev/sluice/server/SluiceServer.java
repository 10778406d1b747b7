package dev.sluice.server;

import dev.sluice.SluiceException;
import dev.sluice.broker.BrokerAdmin;
import dev.sluice.broker.EmbeddedKafka;
import dev.sluice.broker.KafkaPermission;
import dev.sluice.broker.KafkaSecrets;
import dev.sluice.broker.TopicSpec;
import dev.sluice.alerts.Notifiers;
import dev.sluice.alerts.RetryPolicy;
import dev.sluice.alerts.RetryingDelivery;
import dev.sluice.engine.CompiledPipeline;
import dev.sluice.engine.EngineConfig;
import dev.sluice.engine.FlinkCluster;
import dev.sluice.engine.JobStartup;
import dev.sluice.engine.PipelineCompiler;
import dev.sluice.engine.PipelineRunner;
import dev.sluice.engine.RemoteFlink;
import dev.sluice.engine.StateCompatibility;
import dev.sluice.engine.StateFileSystems;
import dev.sluice.engine.StateLocations;
import dev.sluice.engine.TransactionTimeouts;
import dev.sluice.server.internal.HeapHeadroom;
import dev.sluice.server.internal.ResourceMeter;
import dev.sluice.spec.AlertSpec;
import dev.sluice.spec.PipelineSpec;
import dev.sluice.storage.ResultStore;
import dev.sluice.storage.LoaderConfig;
import dev.sluice.storage.LoaderStatus;
import dev.sluice.storage.QueryLimits;
import dev.sluice.storage.QueryService;
import dev.sluice.storage.ResultLoader;
import dev.sluice.storage.TableDefinition;
import java.net.URI;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.atomic.AtomicInteger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Many pipelines end to end in this JVM, on shared infrastructure: one Kafka broker (embedded, or an existing
 * cluster), one embedded Flink cluster with a fixed number of task slots, one store (DuckDB, or PostgreSQL with
 * {@code --store}) with a schema per pipeline,
 * and the HTTP API. Each pipeline has its own Flink job, topics, tables, dead letters and loader, so it can be
 * deployed, upgraded and removed at runtime without touching the others, and a failing job fails alone.
 *
 * <p>Started broker, cluster and store side by side (the pipelines are planned meanwhile), then the pipelines with the API
 * beside them, and closed in reverse order, so that on a clean stop every
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

    /** How often CPU per pipeline is sampled. */
    private static final Duration RESOURCE_SAMPLE_INTERVAL = Duration.ofSeconds(5);

    private final ServerSettings settings;
    private final Clock clock = Clock.systemUTC();
    private final List<AutoCloseable> started = new ArrayList<>();
    /** The running pipelines by name, in the order they were deployed; changed only under this object's lock. */
    private final Map<String, PipelineDeployment> pipelines = new LinkedHashMap<>();
    private final Map<String, DeadLetterReplay> replays = new java.util.concurrent.ConcurrentHashMap<>();
    private volatile List<PipelineDeployment> snapshot = List.of();
    private volatile Notifiers.Settings alertSettings = Notifiers.Settings.defaults();
    private volatile RetryPolicy alertRetries = RetryPolicy.defaults();
    private EmbeddedKafka kafka;
    private String bootstrapServers;
    private BrokerAdmin admin;
    private FlinkCluster flink;
    private ResultStore store;
    private TransactionTimeouts timeouts;
    /** Sluice's own status queries; the API's run in a QueryService of their own, so that they cannot crowd these out. */
    private QueryService queries;
    private ResourceMeter resources;
    private DashboardHub dashboards;
    private ApiServer api;
    private DiskGuard disk;
    /** The phases of this server's start, until its first stored row. */
    private final StartupTimeline startup = new StartupTimeline();
    /** Completes when something outside any one pipeline failed so badly that the process must stop (a broker whose disk filled). */
    private final CompletableFuture<SluiceException> fatal = new CompletableFuture<>();
    private volatile boolean brokerFailed;
    private IngestService ingest;

    /** The existing Flink session cluster that runs the jobs; empty for the embedded one. */
    private final Optional<RemoteFlink> remoteFlink;

    private SluiceServer(ServerSettings settings, Optional<RemoteFlink> remoteFlink) {
        this.settings = settings;
        this.remoteFlink = remoteFlink;
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
        return start(specs, settings, Notifiers.Settings.defaults(), RetryPolicy.defaults());
    }

    /**
     * As {@link #start(List, ServerSettings)}, with how the pipelines' alert notifiers reach their receivers (SSRF
     * guard and {@code alerts.allow-private-networks}, where {@code ${env:NAME}} secrets come from, timeouts) and retry.
     */
    public static SluiceServer start(List<PipelineSpec> specs, ServerSettings settings, Notifiers.Settings alertSettings,
            RetryPolicy alertRetries) {
        return start(specs, settings, alertSettings, alertRetries, Optional.empty());
    }

    /**
     * As {@link #start(List, ServerSettings)}, with the pipelines' jobs on an existing Flink session cluster: submitted
     * through its REST API, with their checkpoints and savepoints in its shared state directory. Kafka must then be an
     * existing cluster too ({@link ServerSettings#kafkaBootstrap()}), one the Flink cluster reaches; the loaders, the store
     * and the API stay in this process.
     *
     * @throws SluiceException before anything starts when no Kafka bootstrap is given
     */
    public static SluiceServer start(List<PipelineSpec> specs, ServerSettings settings, Optional<RemoteFlink> flink) {
        return start(specs, settings, Notifiers.Settings.defaults(), RetryPolicy.defaults(), flink);
    }

    private static SluiceServer start(List<PipelineSpec> specs, ServerSettings settings, Notifiers.Settings alertSettings,
            RetryPolicy alertRetries, Optional<RemoteFlink> flink) {
        if (flink.isPresent() && settings.kafkaBootstrap().isEmpty()) {
            throw new SluiceException("A remote Flink cluster (" + flink.get().restUrl() + ") needs an existing Kafka cluster that its"
                    + " task managers reach: give --kafka-bootstrap HOST:PORT (the embedded broker listens on this host's loopback only)");
        }
        ApiServer.checkExposure(settings.bindAddress(), settings.apiKeys());
        checkNames(specs);
        int needed = specs.size() * settings.parallelism();
        if (needed > settings.taskSlots()) {
            throw new PipelineConflictException(specs.size() + " pipelines at parallelism " + settings.parallelism() + " need "
                    + needed + " task slots, but the Flink cluster has " + settings.taskSlots()
                    + "; start with --task-slots " + needed + " or fewer pipelines");
        }
        SluiceServer server = new SluiceServer(settings, flink);
        server.alertDelivery(alertSettings, alertRetries);
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

    /**
     * Starts what the pipelines need side by side: the Flink cluster and the DuckDB store start on threads of their own
     * while the broker starts, and, when the broker's address is known beforehand (an embedded broker), the pipelines are
     * planned meanwhile too (planning reads no Kafka); the HTTP API starts while the jobs are submitted.
     */
    private void startAll(List<PipelineSpec> specs) {
        disk = DiskGuard.start(settings.dataDir(), settings.disk(), this::onDiskLevel);
        started.add(disk);
        ExecutorService starting = Executors.newFixedThreadPool(3, new StartThreads());
        try {
            startAll(specs, starting);
        } finally {
            starting.shutdownNow();
        }
        if (settings.apiKeys().isEmpty()) {
            LOG.warn("Authentication is off: the API (queries, deploys and HTTP ingest) asks for no key on {}:{}. That is only"
                    + " allowed on loopback; pass --api-key-file to require keys.", settings.bindAddress(), api.port());
        }
        LOG.info("Sluice is running {} pipeline(s) {}: Kafka {}, HTTP {}:{}, {} task slots, data in {}, tables in {}.", specs.size(),
                pipelineNames(), bootstrapServers, settings.bindAddress(), api.port(), settings.taskSlots(),
                settings.dataDir().toAbsolutePath(), store.location());
    }

    private void startAll(List<PipelineSpec> specs, ExecutorService starting) {
        Optional<URI> sharedState = remoteFlink.map(RemoteFlink::stateDir).or(settings::checkpointDir);
        Future<FlinkCluster> flinkStart = starting.submit(() -> {
            // A checkpoint directory this process cannot write fails here, not at the first checkpoint.
            sharedState.ifPresent(StateFileSystems::check);
            FlinkCluster cluster = remoteFlink.isPresent() ? FlinkCluster.connect(remoteFlink.get())
                    : FlinkCluster.start(settings.taskSlots(), Map.of());
            startup.mark(StartupReport.FLINK);
            return cluster;
        });
        Future<ResultStore> storeOpen = starting.submit(() -> {
            ResultStore opened = settings.storage().open(settings.databaseFile());
            startup.mark(StartupReport.STORE);
            return opened;
        });
        Map<String, Future<CompiledPipeline>> plans = new LinkedHashMap<>();
        try {
            if (settings.kafkaBootstrap().isPresent()) {
                bootstrapServers = settings.kafkaBootstrap().get();
            } else {
                int port = settings.kafkaPort() == 0 ? EmbeddedKafka.freePort() : settings.kafkaPort();
                bootstrapServers = "localhost:" + port;
                // The embedded broker's own limit, so the plans need not wait for the broker to be asked.
                timeouts = TransactionTimeouts.choose(settings.checkpointInterval(), Optional.of(EmbeddedKafka.TRANSACTION_MAX_TIMEOUT));
                for (PipelineSpec spec : specs) {
                    EngineConfig engine = engineConfig(spec);
                    plans.put(spec.name(), starting.submit(() -> {
                        CompiledPipeline plan = PipelineCompiler.compile(spec, engine);
                        startup.mark(StartupReport.PLANNED);
                        return plan;
                    }));
                }
                kafka = EmbeddedKafka.start(settings.kafkaDir(), port);
                started.add(kafka);
                startup.mark(StartupReport.BROKER);
                bootstrapServers = kafka.bootstrapServers();
                onDiskLevel(disk.status());
                kafka.failure().thenAccept(this::onBrokerFailure);
            }
            if (!settings.kafkaProperties().isEmpty()) {
                LOG.info("Kafka clients use these settings besides the bootstrap servers {}: {}", bootstrapServers,
                        KafkaSecrets.redacted(settings.kafkaProperties()));
            }
            admin = new BrokerAdmin(bootstrapServers, settings.kafkaProperties(), settings.topicReplication());
            started.add(admin);
            if (kafka == null) {
                timeouts = TransactionTimeouts.choose(settings.checkpointInterval(), admin.transactionMaxTimeout());
            }
            if (timeouts.shortened()) {
                LOG.warn("The Kafka cluster at {} allows transactions of at most {} ms: result transactions use that, and checkpoints"
                        + " time out after {} ms instead of 10 minutes.", bootstrapServers, timeouts.transactionTimeout().toMillis(),
                        timeouts.checkpointTimeout().toMillis());
            }
            ingest = IngestService.start(bootstrapServers, settings.kafkaProperties(), admin, this, settings.ingest(),
                    deploymentId(), clock);
            started.add(ingest);
        } catch (RuntimeException | Error e) {
            // What did start is stopped with the rest when the caller closes the server.
            registerQuietly(flinkStart);
            registerQuietly(storeOpen);
            throw e;
        }
        flink = joinStarted(flinkStart);
        try {
            store = joinStarted(storeOpen);
        } catch (RuntimeException | Error e) {
            registerQuietly(storeOpen);
            throw e;
        }
        queries = new QueryService(store);
        // The dashboards' queries run in a QueryService of their own too: two at a time, bounded in time and size.
        dashboards = new DashboardHub(new QueryService(store, new QueryLimits(Duration.ofSeconds(10),
                DashboardHub.Limits.defaults().maxPayloadBytes() * 2L, 2), clock), DashboardHub.Limits.defaults(), clock);
        started.add(dashboards);
        started.add(this::stopPipelines);
        resources = new ResourceMeter(this::taskThreads, RESOURCE_SAMPLE_INTERVAL);
        started.add(resources);
        Future<ApiServer> apiStart = starting.submit(() -> {
            ApiServer apiServer = ApiServer.start(this, this, new QueryService(store, settings.queryLimits(), Clock.systemUTC()),
                    settings, dashboards, this::deadLetters, Optional.of(ingest));
            startup.mark(StartupReport.API);
            return apiServer;
        });
        try {
            for (PipelineSpec spec : specs) {
                Future<CompiledPipeline> plan = plans.get(spec.name());
                deploy(spec, settings.allowStateReset(), plan == null ? Optional.empty() : Optional.of(join(plan)));
            }
        } catch (RuntimeException | Error e) {
            registerQuietly(apiStart);
            throw e;
        }
        api = joinStarted(apiStart);
    }

    /**
     * Threads of the start-up, named; not daemons, like the main thread, because the threads the components start from
     * them inherit that. They end when {@link #startAll} shuts their pool down.
     */
    private static final class StartThreads implements ThreadFactory {
        private final AtomicInteger count = new AtomicInteger();

        @Override
        public Thread newThread(Runnable r) {
            // Not "sluice-...": per-pipeline CPU is attributed by thread names of that form (ThreadCpu).
            return new Thread(r, "server-start-" + count.incrementAndGet());
        }
    }

    /**
     * Waits for a component started on another thread and registers it to be stopped with the server; null when the
     * future is null. Its start-up failure is rethrown, after the component (if any) is registered.
     */
    private <T extends AutoCloseable> T joinStarted(Future<T> future) {
        if (future == null) {
            return null;
        }
        T component = join(future);
        started.add(component);
        return component;
    }

    /** Waits for a component started on another thread and registers it to be stopped, ignoring its failure. */
    private void registerQuietly(Future<? extends AutoCloseable> future) {
        try {
            started.add(future.get());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (ExecutionException | RuntimeException e) {
            LOG.debug("A component that was starting alongside failed too.", e);
        }
    }

    private static <T> T join(Future<T> future) {
        try {
            return future.get();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            future.cancel(true);
            throw new SluiceException("Interrupted while starting", e);
        } catch (ExecutionException e) {
            if (e.getCause() instanceof RuntimeException r) {
                throw r;
            }
            if (e.getCause() instanceof Error err) {
                throw err;
            }
            throw new SluiceException("Starting failed: " + e.getCause().getMessage(), e.getCause());
        }
    }

    @Override
    public synchronized Deployed deploy(PipelineSpec spec) {
        return deploy(spec, settings.allowStateReset());
    }

    @Override
    public synchronized Deployed deploy(PipelineSpec spec, boolean allowStateReset) {
        return deploy(spec, allowStateReset, Optional.empty());
    }

    /** @param plan the spec compiled beforehand with {@link #engineConfig}, used when no version of it runs yet */
    private synchronized Deployed deploy(PipelineSpec spec, boolean allowStateReset, Optional<CompiledPipeline> plan) {
        PipelineDeployment previous = pipelines.get(spec.name());
        int free = settings.taskSlots() - usedSlots() + (previous == null ? 0 : previous.taskSlots());
        if (settings.parallelism() > free) {
            throw new PipelineConflictException("Cannot deploy pipeline '" + spec.name() + "': it needs " + settings.parallelism()
                    + " task slots, but only " + free + " of the Flink cluster's " + settings.taskSlots() + " are free ("
                    + slotUse() + "). Remove a pipeline, or start the server with more --task-slots");
        }
        if (previous == null && !pipelines.isEmpty()) {
            HeapHeadroom.shortfall().ifPresent(shortfall -> {
                throw new PipelineConflictException("Cannot deploy pipeline '" + spec.name() + "': " + shortfall);
            });
        }
        if (previous == null) {
            try {
                flink.ensureNotRunning(spec.name());
            } catch (SluiceException e) {
                throw new PipelineConflictException("Cannot deploy pipeline '" + spec.name() + "': " + e.getMessage(), e);
            }
        }
        EngineConfig engine = engineConfig(spec);
        boolean startOver = false;
        if (previous != null) {
            // Plan the new version and check its tables and state before the old one stops: a view that does not plan, a
            // table whose columns changed or state that has no place in the new job must not cost a running pipeline.
            CompiledPipeline planned = PipelineCompiler.compile(spec, engine);
            checkTables(planned);
            Optional<DeployedShape> before = DeployedShape.read(stateDir(spec));
            List<String> problems = StateCompatibility.check(planned, previous.compiled().state(),
                    before.map(DeployedShape::operators).orElse(Map.of())).problems();
            if (!problems.isEmpty() && !allowStateReset) {
                throw new PipelineConflictException(stateConflict(spec, Optional.of(DeployedShape.of(previous.spec())), problems,
                        "The running version keeps running."));
            }
            startOver = !problems.isEmpty();
            dashboards.check(spec, tableNames(planned));
            LOG.info("Upgrading pipeline '{}': stopping the running version with a savepoint.", spec.name());
            // It stays listed (as stopped) until the new version replaces it, in the same place of the list.
            previous.stop(admin, store);
        }
        CompiledPipeline compiled;
        if (previous == null && plan.isPresent()) {
            compiled = plan.get();
        } else {
            compiled = PipelineCompiler.compile(spec, engine);
            startup.mark(StartupReport.PLANNED);
        }
        if (previous == null) {
            checkTables(compiled);
            if (compiled.restoredFrom().isPresent()) {
                Optional<DeployedShape> before = DeployedShape.read(stateDir(spec));
                List<String> problems = StateCompatibility.check(compiled, compiled.restoredFrom().get(),
                        before.map(DeployedShape::operators).orElse(Map.of())).problems();
                if (!problems.isEmpty() && !allowStateReset) {
                    throw new PipelineConflictException(stateConflict(spec, before, problems, "Its state and tables are unchanged."));
                }
                startOver = !problems.isEmpty();
            }
            dashboards.check(spec, tableNames(compiled));
        }
        if (startOver) {
            startOver(compiled);
            compiled = PipelineCompiler.compile(spec, engine);
        }
        DeployedShape shape = DeployedShape.of(spec, StateCompatibility.operatorDescriptions(compiled));
        PipelineDeployment deployment;
        try {
            deployment = startPipeline(compiled);
        } catch (SluiceException e) {
            if (previous == null) {
                throw new PipelineConflictException("Cannot deploy pipeline '" + spec.name() + "': " + e.getMessage(), e);
            }
            pipelines.remove(spec.name());
            publish();
            dashboards.remove(spec.name());
            throw new PipelineConflictException("The new version of pipeline '" + spec.name() + "' did not start"
                    + compiled.restoredFrom().map(p -> " from the state of the previous version (" + shown(p) + ")").orElse("")
                    + ": " + e.getMessage()
                    + ". The previous version is stopped and its savepoint is kept: deploy it again to resume it from there.", e);
        }
        shape.write(stateDir(spec));
        pipelines.put(spec.name(), deployment);
        publish();
        dashboards.deploy(spec, tableNames(compiled));
        return new Deployed(status(deployment), previous != null);
    }

    private Path stateDir(PipelineSpec spec) {
        return settings.pipelineStateDir(spec.name());
    }

    /** A state location as people read it: relative to the data directory when it is in there, else the whole URI. */
    private String shown(URI location) {
        if ("file".equals(location.getScheme())) {
            Path path = Path.of(location);
            Path data = settings.dataDir().toAbsolutePath().normalize();
            return path.startsWith(data) ? data.relativize(path).toString() : path.toString();
        }
        return location.toString();
    }

    private String stateConflict(PipelineSpec spec, Optional<DeployedShape> before, List<String> problems, String meanwhile) {
        String changed = before.map(b -> b.changesTo(DeployedShape.of(spec))).filter(c -> !c.isEmpty())
                .map(c -> " What changed in the pipeline file: " + c + ".").orElse("");
        return "The new version of pipeline '" + spec.name() + "' cannot take over the state of the previous one: "
                + String.join("; ", problems) + "." + changed + " " + meanwhile + " To start the new version over instead, deploy"
                + " it with --allow-state-reset: its state is set aside (kept under " + shown(engineConfig(spec).stateDir())
                + "/reset-<time>), its tables are emptied and rebuilt from the"
                + " events the source topics still hold; results of events the topics no longer hold are gone.";
    }

    /**
     * Starts a pipeline over: its Flink state is set aside, its tables are emptied and the loader continues at the current
     * end of its topics (where the new version's results begin), and its sources' consumer group forgets its offsets, so
     * that the new job reads the source topics from their earliest retained record.
     */
    private void startOver(CompiledPipeline compiled) {
        String name = compiled.spec().name();
        URI aside = compiled.state().setAside(clock.instant());
        List<String> topics = compiled.tables().stream().map(TableDefinition::topic).distinct().toList();
        Map<org.apache.kafka.common.TopicPartition, Long> ends = admin.partitionEnds(topics);
        store.startOver(compiled.tables(), ends);
        admin.deleteGroup("sluice-" + name);
        LOG.warn("Pipeline '{}' starts over without state: its state is kept in {}, its tables {} were emptied and are rebuilt from"
                + " the source topics' earliest retained records.", name, aside,
                compiled.tables().stream().map(TableDefinition::qualifiedName).toList());
    }

    private static Set<String> tableNames(CompiledPipeline compiled) {
        Set<String> names = new HashSet<>();
        compiled.tables().forEach(t -> names.add(t.name()));
        if (!compiled.spec().alerts().isEmpty()) {
            names.addAll(AlertSpec.STORAGE_TABLES);
        }
        return names;
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
        if (kafka == null) {
            checkKafkaAccess(compiled);
        }
        for (TableDefinition table : compiled.tables()) {
            store.ensureTable(table);
        }
        startup.mark(StartupReport.TOPICS);
        // Kept with the state before the job writes a record: the loader stores only the results of this deployment.
        if (compiled.state().keep(compiled.deployment())) {
            LOG.info("Pipeline '{}' starts deployment {} with new state: only its results are stored; results that an earlier"
                    + " deployment left in the pipeline's topics are skipped.", name, compiled.deployment().id());
        }
        LoaderConfig loading = LoaderConfig.of("sluice-loader-" + name).withDeployment(compiled.deployment());
        if (compiled.spec().delivery() == PipelineSpec.Delivery.LOW_LATENCY) {
            loading = loading.withCaughtUpWait(Duration.ofMillis(LoaderConfig.LOW_LATENCY_CAUGHT_UP_WAIT_MILLIS));
        }
        ResultLoader loader = new ResultLoader(bootstrapServers, settings.kafkaProperties(), store, compiled.tables(), loading, clock);
        loader.addCommitListener(tables -> dashboards.committed(name, tables));
        loader.addCommitListener(tables -> firstRows(name, tables));
        loader.start();
        AlertDelivery alerts = null;
        try {
            if (!compiled.spec().alerts().isEmpty()) {
                alerts = new AlertDelivery(compiled.spec(), bootstrapServers, kafkaPropertyMap(), store,
                        Notifiers.create(compiled.spec().notifiers(), alertSettings), unconfigured(compiled.spec()),
                        RetryingDelivery.of(alertRetries), clock, compiled.deployment());
                // The alert feed is a table the loader does not write: its dashboard panels update when a notification is recorded.
                alerts.onRecorded(() -> dashboards.committed(name, Set.of(name + "." + AlertSpec.STORAGE_TABLES.get(0))));
                alerts.start();
            }
            PipelineRunner runner = PipelineRunner.start(compiled, flink);
            startup.mark(StartupReport.SUBMITTED);
            if (compiled.spec().delivery() == PipelineSpec.Delivery.LOW_LATENCY) {
                // Replays after a restore reach back only to the latest completed checkpoint: older row ids can go.
                org.apache.flink.api.common.JobID job = runner.flinkJobId();
                loader.replayHorizon(new CheckpointHorizon(job.toHexString(), () -> flink.checkpoints(job).latestTriggeredAtMillis()));
            }
            return new PipelineDeployment(compiled, loader, runner, settings.parallelism(), clock, Optional.ofNullable(alerts));
        } catch (RuntimeException e) {
            if (alerts != null) {
                alerts.close();
            }
            loader.close();
            throw e;
        }
    }

    /**
     * The first batch a loader commits completes the start-up report, which is logged once at INFO. The job's task and
     * checkpoint times are read from the Flink cluster off the loader's thread.
     */
    private void firstRows(String pipeline, Set<String> tables) {
        if (!startup.claimFirstRow()) {
            return;
        }
        long at = System.currentTimeMillis();
        long cpuMillis = ((com.sun.management.OperatingSystemMXBean) java.lang.management.ManagementFactory
                .getOperatingSystemMXBean()).getProcessCpuTime() / 1_000_000;
        String table = String.join(", ", new TreeSet<>(tables));
        CompletableFuture.runAsync(() -> {
            JobStartup job = JobStartup.UNKNOWN;
            PipelineDeployment deployment = snapshot.stream().filter(d -> d.name().equals(pipeline)).findFirst().orElse(null);
            if (deployment != null && flink != null) {
                job = flink.startup(deployment.runner().flinkJobId());
            }
            startup.firstRow(table, at, cpuMillis, job.tasksRunningAtMillis(), job.firstCheckpointAtMillis())
                    .ifPresent(report -> LOG.info("Started: {}", report.summary()));
        });
    }

    /**
     * Completes with the start-up report (JVM start to the first stored row, phase by phase) when the first row is
     * stored; never completes while no row is.
     */
    public CompletableFuture<StartupReport> startup() {
        return startup.report().copy();
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
        dashboards.remove(name);
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
        Path localDir = settings.pipelineStateDir(spec.name());
        if (remoteFlink.isPresent()) {
            // State where the cluster writes it; RocksDB's working files stay in the task managers' own temporary directories.
            URI shared = remoteFlink.get().pipelineStateDir(spec.name());
            Map<String, String> options = new HashMap<>(settings.stateBackend().flinkOptions(localDir));
            options.remove("state.backend.rocksdb.localdir");
            return new EngineConfig(bootstrapServers, settings.kafkaProperties(), shared, settings.parallelism(),
                    settings.checkpointInterval(), options, timeouts);
        }
        // Checkpoints and savepoints in the data directory or on the file system given; RocksDB's working files stay local.
        URI stateDir = settings.checkpointDir().map(d -> StateLocations.child(d, spec.name()))
                .orElse(localDir.toAbsolutePath().normalize().toUri());
        return new EngineConfig(bootstrapServers, settings.kafkaProperties(), stateDir, settings.parallelism(),
                settings.checkpointInterval(), settings.stateBackend().flinkOptions(localDir), timeouts);
    }

    private void onDiskLevel(DiskStatus status) {
        EmbeddedKafka broker = kafka;
        if (broker == null) {
            return;
        }
        if (status.level() == DiskStatus.Level.INPUT_STOPPED) {
            broker.inputGate().close(status.detail());
        } else if (!broker.inputGate().isOpen()) {
            broker.inputGate().open();
            LOG.warn("New input is accepted again: {}", status.detail());
        }
    }

    private void onBrokerFailure(EmbeddedKafka.BrokerFailure failure) {
        brokerFailed = true;
        DiskStatus space = disk.status();
        try {
            disk.check();
            space = disk.status();
        } catch (RuntimeException e) {
            LOG.warn("Cannot measure free space after the broker failed: {}", e.toString());
        }
        String broker = "the embedded Kafka broker could not write to " + failure.dataDir() + " and stopped (" + failure.message() + ")";
        // The broker fails for a full disk far more often than for anything else; say which it was when the numbers show it.
        boolean full = space.freeBytes() < Math.max(space.stopBytes(), 16L << 20);
        if (full) {
            long needed = Math.max(space.warnBytes(), space.stopBytes() * 2);
            fatal.complete(new DiskFullException("the disk of the data directory " + settings.dataDir().toAbsolutePath()
                    + " is full (" + DiskStatus.size(space.freeBytes()) + " free of " + DiskStatus.size(space.totalBytes()) + "): "
                    + broker + ". Free at least " + DiskStatus.size(needed) + " and run the same command again on the same data"
                    + " directory: it resumes exactly where it stopped, with every acknowledged event.", null));
        } else {
            fatal.complete(new SluiceException(broker + "; the data directory's disk has " + DiskStatus.size(space.freeBytes())
                    + " free. Details are in the log; running the same command again resumes from the last checkpoint."));
        }
    }

    /**
     * Completes when the process must stop although no one asked: the embedded broker failed (its disk filled, typically;
     * then with a {@link DiskFullException}). The pipelines are still to be stopped by {@link #close()}.
     */
    public CompletableFuture<SluiceException> fatal() {
        return fatal;
    }

    /** Free space on the data directory and whether new input is accepted. */
    @Override
    public Optional<DiskStatus> disk() {
        return disk == null ? Optional.empty() : Optional.of(disk.status());
    }

    @Override
    public Optional<String> inputRefusal() {
        return disk == null || disk.admitsInput() ? Optional.empty()
                : Optional.of(dev.sluice.PathRedactor.of(settings.dataDir()).redact(disk.status().detail()));
    }

    /** Whether new input is accepted now; generators and ingest pause while it is not. */
    public boolean admitsInput() {
        return disk == null || disk.admitsInput();
    }

    /** Stops every pipeline with a savepoint (a cancel when the broker has failed), last deployed first. */
    private synchronized void stopPipelines() {
        List<PipelineDeployment> running = new ArrayList<>(pipelines.values());
        for (int i = running.size() - 1; i >= 0; i--) {
            try {
                if (brokerFailed) {
                    // A savepoint needs the broker (the sinks commit their transactions in it); the last checkpoint is the
                    // point to resume from.
                    running.get(i).cancel();
                    continue;
                }
                running.get(i).stop(admin, store);
            } catch (RuntimeException e) {
                LOG.warn("Stopping pipeline '{}' failed: {}", running.get(i).name(), e.toString(), e);
            }
        }
        pipelines.clear();
        publish();
    }

    /** Dead letters of a running pipeline, to list and replay; one replayer per pipeline, so replays do not overlap. */
    public Optional<DeadLetterReplay> deadLetters(String name) {
        for (PipelineDeployment d : snapshot) {
            if (d.name().equals(name)) {
                return Optional.of(replays.compute(name, (n, existing) -> existing != null && existing.spec() == d.spec() ? existing
                        : new DeadLetterReplay(d.spec(), queries, admin, bootstrapServers, settings.kafkaProperties(), clock)));
            }
        }
        return Optional.empty();
    }

    /**
     * How the notifiers of pipelines deployed from now on reach their receivers (SSRF guard, secrets, timeouts) and
     * retry; the defaults read secrets from the environment and refuse private addresses.
     */
    public void alertDelivery(Notifiers.Settings notifierSettings, RetryPolicy retries) {
        this.alertSettings = notifierSettings;
        this.alertRetries = retries;
    }

    @Override
    public Optional<AlertDelivery> alerts(String pipeline) {
        for (PipelineDeployment d : snapshot) {
            if (d.name().equals(pipeline)) {
                return d.alerts();
            }
        }
        return Optional.empty();
    }

    /** Notifiers whose environment variables are not set, with the reason, logged once here instead of per alert. */
    private Map<String, String> unconfigured(PipelineSpec spec) {
        Map<String, String> reasons = new LinkedHashMap<>();
        for (var notifier : spec.notifiers()) {
            List<String> missing = Notifiers.missingVariables(notifier, alertSettings.secrets());
            if (!missing.isEmpty()) {
                String reason = "not configured: environment variable" + (missing.size() > 1 ? "s " : " ") + String.join(", ", missing)
                        + (missing.size() > 1 ? " are" : " is") + " not set";
                reasons.put(notifier.name(), reason);
                LOG.warn("Notifier '{}' of pipeline '{}' is {}; its notifications are recorded in alert_events and as given up.",
                        notifier.name(), spec.name(), reason);
            }
        }
        return reasons;
    }

    /** On an external cluster, whether Sluice's principal holds the ACLs the pipeline needs: a list of what is missing if not. */
    private void checkKafkaAccess(CompiledPipeline compiled) {
        String name = compiled.spec().name();
        List<String> groups = new ArrayList<>(List.of(compiled.consumerGroup(), "sluice-loader-" + name));
        if (!compiled.spec().alerts().isEmpty()) {
            groups.add("sluice-notifier-" + name);
        }
        admin.checkAccess(KafkaPermission.forSources(compiled.sourceTopics()), compiled.topics().stream().map(TopicSpec::name).toList(),
                groups, "sluice-" + name + "-access-check");
    }

    private Map<String, String> kafkaPropertyMap() {
        Map<String, String> map = new HashMap<>();
        settings.kafkaProperties().forEach((k, v) -> map.put(String.valueOf(k), String.valueOf(v)));
        return map;
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

    public ResultStore store() {
        return store;
    }

    /** The live dashboards of every pipeline. */
    public DashboardHub dashboards() {
        return dashboards;
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
        return d.status(admin, store, queries, flink, ingest.metrics(), resources.cpu(d.name()));
    }

    /** The thread names of each running pipeline's Flink tasks, for attributing CPU. */
    private Map<String, Set<String>> taskThreads() {
        Map<String, Set<String>> tasks = new LinkedHashMap<>();
        for (PipelineDeployment d : snapshot) {
            tasks.put(d.name(), flink.taskThreadNames(d.runner().flinkJobId()));
        }
        return tasks;
    }

    @Override
    public Optional<ServerResources> resources() {
        ResourceMeter.Process p = resources.process();
        return Optional.of(new ServerResources(p.cpu().cores(), p.cpu().seconds(), p.sharedCpu().cores(), p.sharedCpu().seconds(),
                p.heapUsedBytes(), p.heapMaxBytes(), p.residentBytes(), settings.taskSlots(), usedSlotsNow(),
                Runtime.getRuntime().availableProcessors()));
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
    public List<String> topics(String pipeline) {
        for (PipelineDeployment d : snapshot) {
            if (d.name().equals(pipeline)) {
                return d.compiled().topics().stream().map(t -> t.name()).toList();
            }
        }
        return List.of();
    }

    @Override
    public Properties kafkaConsumerProperties() {
        Properties props = new Properties();
        props.putAll(settings.kafkaProperties());
        props.setProperty("bootstrap.servers", bootstrapServers);
        return props;
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
        DiskStatus space = disk.status();
        health.put("disk", new Health(space.level() != DiskStatus.Level.INPUT_STOPPED, space.detail()));
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
