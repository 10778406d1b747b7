package dev.sluice.server;

import dev.sluice.broker.TopicReplication;
import dev.sluice.engine.StateBackend;
import dev.sluice.storage.StoreSettings;
import dev.sluice.storage.QueryLimits;
import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Optional;
import java.util.Properties;

/**
 * Where and how one Sluice process runs its pipelines.
 *
 * @param dataDir            Kafka log (embedded broker), Flink state, DuckDB file and logs live here
 * @param kafkaBootstrap     an existing Kafka cluster to use instead of the embedded broker
 * @param kafkaPort          port of the embedded broker on localhost (0 = any free port)
 * @param kafkaProperties    extra Kafka client settings (security) for every client Sluice creates
 * @param bindAddress        address of the HTTP server; localhost unless told otherwise
 * @param httpPort           port of the HTTP server (0 = any free port)
 * @param parallelism        Flink parallelism of each pipeline's job, which is also the task slots each pipeline takes
 * @param checkpointInterval how often Flink checkpoints, which is also how often results become visible
 * @param storage            which store holds the tables (DuckDB, the default, or PostgreSQL) and DuckDB's memory and threads
 * @param queryLimits        how long, how large and how many API queries may be
 * @param apiKeys            keys the API asks for; none is only allowed when the API listens on loopback
 * @param taskSlots          task slots of the embedded Flink cluster, shared by all pipelines; a deploy that needs more
 *                           than are free is refused
 * @param disk               free-space levels of the data directory below which Sluice warns and refuses new input
 * @param stateBackend       where the pipelines' Flink state lives: on the heap, or in RocksDB with incremental checkpoints
 * @param allowStateReset    whether a pipeline whose state does not fit its new version starts over (tables emptied and
 *                           rebuilt from the source topics) instead of being refused
 * @param ingest             limits and timeouts of the HTTP ingest API
 * @param topicReplication   replication factor and {@code min.insync.replicas} of the topics Sluice creates
 * @param checkpointDir      where the embedded cluster's pipelines keep checkpoints and savepoints ({@code s3://bucket/path},
 *                           {@code hdfs://...}, {@code file:///...}; each pipeline's under {@code <dir>/<pipeline>}) instead
 *                           of {@link #pipelineStateDir(String)} in the data directory
 */
public record ServerSettings(
        Path dataDir,
        Optional<String> kafkaBootstrap,
        int kafkaPort,
        Properties kafkaProperties,
        String bindAddress,
        int httpPort,
        int parallelism,
        Duration checkpointInterval,
        StoreSettings storage,
        QueryLimits queryLimits,
        ApiKeys apiKeys,
        int taskSlots,
        DiskLevels disk,
        StateBackend stateBackend,
        boolean allowStateReset,
        IngestSettings ingest,
        TopicReplication topicReplication,
        Optional<URI> checkpointDir) {

    /** Enough for four pipelines at parallelism 2; more slots than cores only share the cores. */
    public static final int DEFAULT_TASK_SLOTS = 8;

    public ServerSettings {
        if (parallelism < 1) {
            throw new IllegalArgumentException("parallelism must be at least 1, got " + parallelism);
        }
        if (taskSlots < parallelism) {
            throw new IllegalArgumentException("the Flink cluster needs at least as many task slots as one pipeline's parallelism ("
                    + parallelism + "), got " + taskSlots);
        }
        Properties copy = new Properties();
        copy.putAll(kafkaProperties);
        kafkaProperties = copy;
    }

    /** With DuckDB's and the queries' default limits and no API keys. */
    public ServerSettings(Path dataDir, Optional<String> kafkaBootstrap, int kafkaPort, Properties kafkaProperties, String bindAddress,
            int httpPort, int parallelism, Duration checkpointInterval) {
        this(dataDir, kafkaBootstrap, kafkaPort, kafkaProperties, bindAddress, httpPort, parallelism, checkpointInterval,
                StoreSettings.defaults(), QueryLimits.defaults(), ApiKeys.none(), Math.max(DEFAULT_TASK_SLOTS, parallelism),
                DiskLevels.defaults(), StateBackend.HASHMAP, false, IngestSettings.defaults(), TopicReplication.automatic(),
                Optional.empty());
    }

    public ServerSettings withIngest(IngestSettings value) {
        return new ServerSettings(dataDir, kafkaBootstrap, kafkaPort, kafkaProperties, bindAddress, httpPort, parallelism,
                checkpointInterval, storage, queryLimits, apiKeys, taskSlots, disk, stateBackend, allowStateReset, value, topicReplication,
                checkpointDir);
    }

    public ServerSettings withStorage(StoreSettings value) {
        return new ServerSettings(dataDir, kafkaBootstrap, kafkaPort, kafkaProperties, bindAddress, httpPort, parallelism,
                checkpointInterval, value, queryLimits, apiKeys, taskSlots, disk, stateBackend, allowStateReset, ingest, topicReplication,
                checkpointDir);
    }

    public ServerSettings withApiKeys(ApiKeys keys) {
        return new ServerSettings(dataDir, kafkaBootstrap, kafkaPort, kafkaProperties, bindAddress, httpPort, parallelism,
                checkpointInterval, storage, queryLimits, keys, taskSlots, disk, stateBackend, allowStateReset, ingest, topicReplication,
                checkpointDir);
    }

    public ServerSettings withQueryLimits(QueryLimits limits) {
        return new ServerSettings(dataDir, kafkaBootstrap, kafkaPort, kafkaProperties, bindAddress, httpPort, parallelism,
                checkpointInterval, storage, limits, apiKeys, taskSlots, disk, stateBackend, allowStateReset, ingest, topicReplication,
                checkpointDir);
    }

    public ServerSettings withTaskSlots(int slots) {
        return new ServerSettings(dataDir, kafkaBootstrap, kafkaPort, kafkaProperties, bindAddress, httpPort, parallelism,
                checkpointInterval, storage, queryLimits, apiKeys, slots, disk, stateBackend, allowStateReset, ingest, topicReplication,
                checkpointDir);
    }

    public ServerSettings withDiskLevels(DiskLevels levels) {
        return new ServerSettings(dataDir, kafkaBootstrap, kafkaPort, kafkaProperties, bindAddress, httpPort, parallelism,
                checkpointInterval, storage, queryLimits, apiKeys, taskSlots, levels, stateBackend, allowStateReset, ingest, topicReplication,
                checkpointDir);
    }

    public ServerSettings withStateBackend(StateBackend backend) {
        return new ServerSettings(dataDir, kafkaBootstrap, kafkaPort, kafkaProperties, bindAddress, httpPort, parallelism,
                checkpointInterval, storage, queryLimits, apiKeys, taskSlots, disk, backend, allowStateReset, ingest, topicReplication,
                checkpointDir);
    }

    public ServerSettings withAllowStateReset(boolean allow) {
        return new ServerSettings(dataDir, kafkaBootstrap, kafkaPort, kafkaProperties, bindAddress, httpPort, parallelism,
                checkpointInterval, storage, queryLimits, apiKeys, taskSlots, disk, stateBackend, allow, ingest, topicReplication,
                checkpointDir);
    }

    public ServerSettings withTopicReplication(TopicReplication value) {
        return new ServerSettings(dataDir, kafkaBootstrap, kafkaPort, kafkaProperties, bindAddress, httpPort, parallelism,
                checkpointInterval, storage, queryLimits, apiKeys, taskSlots, disk, stateBackend, allowStateReset, ingest, value,
                checkpointDir);
    }

    public ServerSettings withCheckpointDir(Optional<URI> value) {
        return new ServerSettings(dataDir, kafkaBootstrap, kafkaPort, kafkaProperties, bindAddress, httpPort, parallelism,
                checkpointInterval, storage, queryLimits, apiKeys, taskSlots, disk, stateBackend, allowStateReset, ingest, topicReplication,
                value);
    }

    public Path kafkaDir() {
        return dataDir.resolve("kafka");
    }

    public Path databaseFile() {
        return dataDir.resolve("sluice.duckdb");
    }

    public Path pipelineStateDir(String pipeline) {
        return dataDir.resolve("pipelines").resolve(pipeline);
    }
}
