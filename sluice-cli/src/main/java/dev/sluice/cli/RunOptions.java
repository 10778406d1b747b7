package dev.sluice.cli;

import dev.sluice.SluiceException;
import dev.sluice.broker.TopicReplication;
import dev.sluice.engine.EngineConfig;
import dev.sluice.engine.StateBackend;
import dev.sluice.server.ApiKeys;
import dev.sluice.server.DiskLevels;
import dev.sluice.server.IngestSettings;
import dev.sluice.server.ServerSettings;
import dev.sluice.server.SpaceThreshold;
import dev.sluice.storage.DuckDbSettings;
import dev.sluice.storage.QueryLimits;
import dev.sluice.storage.StoreSettings;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Optional;
import java.util.Properties;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** Options shared by {@code serve}, {@code demo} and {@code run}. */
final class RunOptions {
    @Option(names = "--data-dir", defaultValue = DataDirArgument.DEFAULT, paramLabel = "DIR",
            description = "Kafka log, Flink state, DuckDB file and logs (default: ${DEFAULT-VALUE}).")
    Path dataDir;

    @Option(names = "--port", defaultValue = "8080", paramLabel = "PORT", description = "HTTP port (default: ${DEFAULT-VALUE}).")
    int port;

    @Option(names = "--bind", defaultValue = "localhost", paramLabel = "ADDRESS",
            description = "Address the HTTP server listens on (default: ${DEFAULT-VALUE}).")
    String bind;

    @Option(names = "--kafka-port", defaultValue = "9092", paramLabel = "PORT",
            description = "Port of the embedded Kafka broker on localhost (default: ${DEFAULT-VALUE}).")
    int kafkaPort;

    @Option(names = "--kafka-bootstrap", paramLabel = "HOST:PORT",
            description = "Use this Kafka cluster instead of starting the embedded broker.")
    String kafkaBootstrap;

    @Mixin
    KafkaClientOptions kafka;

    @Option(names = "--topic-replication-factor", paramLabel = "N",
            description = "Replication factor of the topics Sluice creates (default: the smaller of 3 and the number of brokers).")
    Integer topicReplicationFactor;

    @Option(names = "--topic-min-insync-replicas", paramLabel = "N",
            description = "min.insync.replicas of the topics Sluice creates (default: 2 when they have 3 or more replicas, else "
                    + "the cluster's default).")
    Integer topicMinInsyncReplicas;

    @Mixin
    StoreOptions store;

    @Mixin
    FlinkClusterOptions flink;


    @Option(names = "--api-key-file", paramLabel = "FILE", defaultValue = "${env:SLUICE_API_KEY_FILE}",
            description = "The SHA-256 hashes of the API keys the REST API accepts, one 'sha256:<hex>' per line (default: "
                    + "$SLUICE_API_KEY_FILE). Required with a --bind address other than loopback; see docs/security.md.")
    Path apiKeyFile;

    @Option(names = "--storage-memory", paramLabel = "SIZE", converter = SizeConverter.class,
            description = "DuckDB's memory limit for loading and queries together, e.g. 2GiB (default: a quarter of the RAM).")
    Long storageMemory;

    @Option(names = "--storage-threads", paramLabel = "N",
            description = "DuckDB's worker threads for loading and queries together (default: half the cores, 1 or 2).")
    Integer storageThreads;

    @Option(names = "--query-timeout", defaultValue = "30s", paramLabel = "DURATION", converter = DurationConverter.class,
            description = "How long one API query may take, reading its result included (default: ${DEFAULT-VALUE}).")
    Duration queryTimeout;

    @Option(names = "--parallelism", paramLabel = "N", description = "Flink parallelism (default: 2 on 2+ cores).")
    Integer parallelism;

    @Option(names = "--task-slots", paramLabel = "N",
            description = "Task slots of the embedded Flink cluster, shared by all pipelines; each pipeline takes --parallelism "
                    + "slots, and a deploy that does not fit is refused (default: 8, or more when the pipelines given need more).")
    Integer taskSlots;

    @Option(names = "--checkpoint-interval", defaultValue = "2s", paramLabel = "DURATION",
            converter = DurationConverter.class,
            description = "Flink checkpoint interval; results become visible at each checkpoint (default: ${DEFAULT-VALUE}).")
    Duration checkpointInterval;

    @Option(names = "--state-backend", defaultValue = "hashmap", paramLabel = "hashmap|rocksdb",
            description = "Where pipelines keep their Flink state: hashmap (on the heap, default) or rocksdb (on local disk, "
                    + "incremental checkpoints; for state larger than memory).")
    String stateBackend;

    @Option(names = "--allow-state-reset",
            description = "Start a pipeline over when its state no longer fits the pipeline file (a view changed): its state is "
                    + "set aside and its tables are rebuilt from the events the source topics still hold. Without it, such a "
                    + "start is refused with what changed.")
    boolean allowStateReset;

    @Option(names = "--disk-warn-free", paramLabel = "SPACE",
            description = "Warn when the data directory's disk has less free space than this: a share such as 10% or a size "
                    + "such as 2GB (default: the smaller of 10% and 2GB).")
    String diskWarnFree;

    @Option(names = "--disk-stop-free", paramLabel = "SPACE",
            description = "Refuse new input (queries still answer) when the data directory's disk has less free space than "
                    + "this; 0 turns it off (default: the smaller of 5% and 1GB).")
    String diskStopFree;

    @Option(names = "--duration", paramLabel = "DURATION", converter = DurationConverter.class,
            description = "Stop by itself after this long (e.g. 60s); runs until Ctrl-C when absent.")
    Duration duration;

    @Option(names = "--summary-interval", defaultValue = "5s", paramLabel = "DURATION", converter = DurationConverter.class,
            description = "How often to print the live summary (default: ${DEFAULT-VALUE}).")
    Duration summaryInterval;

    @Option(names = "--ingest-max-body-size", paramLabel = "SIZE", converter = SizeConverter.class,
            description = "ingest.max-body-size: largest HTTP ingest body as sent, e.g. 10MB (default: 10MB); larger ones get 413.")
    Long ingestMaxBodySize;

    @Option(names = "--ingest-max-decompressed-size", paramLabel = "SIZE", converter = SizeConverter.class,
            description = "ingest.max-decompressed-size: largest size a gzip ingest body may inflate to (default: 100MB); beyond, 413.")
    Long ingestMaxDecompressedSize;

    @Option(names = "--ingest-timeout", paramLabel = "DURATION", converter = DurationConverter.class,
            description = "ingest.timeout: how long an ingest request waits for the broker's acknowledgement before 503 (default: 5s).")
    Duration ingestTimeout;

    @Option(names = "--ingest-rate-limit", paramLabel = "RECORDS_PER_SECOND",
            description = "ingest.rate-limit: records per second each API key may ingest, 0 for no limit (default: 0); a key's "
                    + "own rate=N wins. Beyond it, 429 with Retry-After.")
    Double ingestRateLimit;

    @Option(names = "--ingest-idempotency-retention", paramLabel = "DURATION", converter = DurationConverter.class,
            description = "ingest.idempotency-retention: how long an Idempotency-Key is remembered (default: 24h).")
    Duration ingestIdempotencyRetention;

    ServerSettings settings() {
        return settings(1);
    }

    private IngestSettings ingest() {
        IngestSettings ingest = IngestSettings.defaults();
        if (ingestMaxBodySize != null) {
            ingest = ingest.withMaxBodySize(ingestMaxBodySize);
        }
        if (ingestMaxDecompressedSize != null) {
            ingest = ingest.withMaxDecompressedSize(ingestMaxDecompressedSize);
        }
        if (ingestTimeout != null) {
            ingest = ingest.withTimeout(ingestTimeout);
        }
        if (ingestRateLimit != null) {
            ingest = ingest.withRateLimit(ingestRateLimit);
        }
        if (ingestIdempotencyRetention != null) {
            ingest = ingest.withIdempotencyRetention(ingestIdempotencyRetention);
        }
        return ingest;
    }

    /** The settings for a server that starts with {@code pipelines} pipelines. */
    ServerSettings settings(int pipelines) {
        Properties props = kafka.properties();
        int p = parallelism != null ? parallelism : EngineConfig.defaultParallelism();
        DuckDbSettings defaults = DuckDbSettings.defaults();
        DuckDbSettings storage;
        QueryLimits queries;
        try {
            storage = new DuckDbSettings(storageMemory != null ? storageMemory : defaults.memoryLimitBytes(),
                    storageThreads != null ? storageThreads : defaults.threads());
            queries = QueryLimits.defaults().withTimeout(queryTimeout);
        } catch (IllegalArgumentException e) {
            throw new SluiceException("Invalid storage or query option: " + e.getMessage(), e);
        }
        StoreSettings stores = store.settings(storage, System.getenv());
        ApiKeys keys = apiKeyFile != null ? ApiKeys.load(apiKeyFile) : ApiKeys.none();
        int slots = taskSlots != null ? taskSlots : Math.max(ServerSettings.DEFAULT_TASK_SLOTS, pipelines * p);
        try {
            return new ServerSettings(dataDir, Optional.ofNullable(kafkaBootstrap), kafkaPort, props, bind, port, p, checkpointInterval,
                    stores, queries, keys, slots, diskLevels(), backend(), allowStateReset, ingest(), replication(),
                    flink.embeddedCheckpointDir());
        } catch (IllegalArgumentException e) {
            throw new SluiceException("Invalid --parallelism, --task-slots or --ingest-* option: " + e.getMessage(), e);
        }
    }

    private TopicReplication replication() {
        try {
            return new TopicReplication(Optional.ofNullable(topicReplicationFactor), Optional.ofNullable(topicMinInsyncReplicas));
        } catch (IllegalArgumentException e) {
            throw new SluiceException("Invalid --topic-replication-factor or --topic-min-insync-replicas: " + e.getMessage(), e);
        }
    }

    private StateBackend backend() {
        try {
            return StateBackend.parse(stateBackend);
        } catch (IllegalArgumentException e) {
            throw new SluiceException("Invalid --state-backend: " + e.getMessage(), e);
        }
    }

    private DiskLevels diskLevels() {
        try {
            return new DiskLevels(diskWarnFree == null ? DiskLevels.DEFAULT_WARN : SpaceThreshold.parse(diskWarnFree),
                    diskStopFree == null ? DiskLevels.DEFAULT_STOP : SpaceThreshold.parse(diskStopFree));
        } catch (IllegalArgumentException e) {
            throw new SluiceException("Invalid --disk-warn-free or --disk-stop-free: " + e.getMessage(), e);
        }
    }
}
