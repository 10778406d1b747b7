package dev.sluice.engine;

import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.Properties;

/**
 * How a pipeline runs: the Kafka cluster it reads and writes, where its checkpoints and savepoints live, its
 * parallelism and checkpoint interval. The checkpoint interval is also the latency floor of exactly-once
 * results, because result topics are written in Kafka transactions that commit on checkpoints.
 *
 * @param kafkaProperties client settings added to every Kafka client of the job (security, for instance)
 * @param stateDir        directory for this pipeline's checkpoints and savepoints: {@code file:///...}, or any location
 *                        Flink has a file system for ({@code s3://bucket/path}, see {@link StateFileSystems})
 * @param flinkOptions    extra Flink configuration, applied last
 * @param timeouts        how long result transactions and checkpoints may take (see {@link TransactionTimeouts})
 */
public record EngineConfig(
        String bootstrapServers,
        Properties kafkaProperties,
        URI stateDir,
        int parallelism,
        Duration checkpointInterval,
        Map<String, String> flinkOptions,
        TransactionTimeouts timeouts) {

    public static final Duration DEFAULT_CHECKPOINT_INTERVAL = Duration.ofSeconds(2);

    public EngineConfig {
        Properties copy = new Properties();
        copy.putAll(kafkaProperties);
        kafkaProperties = copy;
        flinkOptions = Map.copyOf(flinkOptions);
        stateDir = StateLocations.normalized(stateDir);
        if (parallelism < 1) {
            throw new IllegalArgumentException("parallelism must be at least 1, got " + parallelism);
        }
        if (checkpointInterval.toMillis() < 100) {
            throw new IllegalArgumentException("checkpoint interval must be at least 100ms, got " + checkpointInterval);
        }
    }

    /** With the state in a local directory. */
    public EngineConfig(String bootstrapServers, Properties kafkaProperties, Path stateDir, int parallelism,
            Duration checkpointInterval, Map<String, String> flinkOptions, TransactionTimeouts timeouts) {
        this(bootstrapServers, kafkaProperties, stateDir.toAbsolutePath().normalize().toUri(), parallelism, checkpointInterval,
                flinkOptions, timeouts);
    }

    /** With the timeouts Sluice prefers, for a cluster that allows Kafka's default maximum transaction time. */
    public EngineConfig(String bootstrapServers, Properties kafkaProperties, Path stateDir, int parallelism,
            Duration checkpointInterval, Map<String, String> flinkOptions) {
        this(bootstrapServers, kafkaProperties, stateDir, parallelism, checkpointInterval, flinkOptions,
                TransactionTimeouts.choose(checkpointInterval, java.util.Optional.empty()));
    }

    public static EngineConfig local(String bootstrapServers, Path stateDir) {
        return new EngineConfig(bootstrapServers, new Properties(), stateDir, defaultParallelism(),
                DEFAULT_CHECKPOINT_INTERVAL, Map.of());
    }

    /** Two, or one on a single-core machine: more slots than cores only adds contention on one machine. */
    public static int defaultParallelism() {
        return Math.max(1, Math.min(2, Runtime.getRuntime().availableProcessors()));
    }

    public EngineConfig withParallelism(int value) {
        return new EngineConfig(bootstrapServers, kafkaProperties, stateDir, value, checkpointInterval, flinkOptions, timeouts);
    }

    public EngineConfig withCheckpointInterval(Duration value) {
        return new EngineConfig(bootstrapServers, kafkaProperties, stateDir, parallelism, value, flinkOptions, timeouts);
    }
}
