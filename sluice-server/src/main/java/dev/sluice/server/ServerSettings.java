package dev.sluice.server;

import dev.sluice.storage.DuckDbSettings;
import dev.sluice.storage.QueryLimits;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Optional;
import java.util.Properties;

/**
 * Where and how one Sluice process runs a pipeline.
 *
 * @param dataDir            Kafka log (embedded broker), Flink state, DuckDB file and logs live here
 * @param kafkaBootstrap     an existing Kafka cluster to use instead of the embedded broker
 * @param kafkaPort          port of the embedded broker on localhost (0 = any free port)
 * @param kafkaProperties    extra Kafka client settings (security) for every client Sluice creates
 * @param bindAddress        address of the HTTP server; localhost unless told otherwise
 * @param httpPort           port of the HTTP server (0 = any free port)
 * @param parallelism        Flink parallelism of the pipeline job
 * @param checkpointInterval how often Flink checkpoints, which is also how often results become visible
 * @param storage            how much memory and how many threads DuckDB may use
 * @param queryLimits        how long, how large and how many API queries may be
 * @param apiKeys            keys the API asks for; none is only allowed when the API listens on loopback
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
        DuckDbSettings storage,
        QueryLimits queryLimits,
        ApiKeys apiKeys) {

    public ServerSettings {
        Properties copy = new Properties();
        copy.putAll(kafkaProperties);
        kafkaProperties = copy;
    }

    /** With DuckDB's and the queries' default limits and no API keys. */
    public ServerSettings(Path dataDir, Optional<String> kafkaBootstrap, int kafkaPort, Properties kafkaProperties, String bindAddress,
            int httpPort, int parallelism, Duration checkpointInterval) {
        this(dataDir, kafkaBootstrap, kafkaPort, kafkaProperties, bindAddress, httpPort, parallelism, checkpointInterval,
                DuckDbSettings.defaults(), QueryLimits.defaults(), ApiKeys.none());
    }

    public ServerSettings withApiKeys(ApiKeys keys) {
        return new ServerSettings(dataDir, kafkaBootstrap, kafkaPort, kafkaProperties, bindAddress, httpPort, parallelism,
                checkpointInterval, storage, queryLimits, keys);
    }

    public ServerSettings withQueryLimits(QueryLimits limits) {
        return new ServerSettings(dataDir, kafkaBootstrap, kafkaPort, kafkaProperties, bindAddress, httpPort, parallelism,
                checkpointInterval, storage, limits, apiKeys);
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
