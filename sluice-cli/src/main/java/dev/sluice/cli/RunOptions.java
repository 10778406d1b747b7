package dev.sluice.cli;

import dev.sluice.engine.EngineConfig;
import dev.sluice.server.ServerSettings;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import picocli.CommandLine.Option;

/** Options shared by {@code demo} and {@code run}. */
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

    @Option(names = "--kafka-property", paramLabel = "KEY=VALUE",
            description = "A Kafka client setting for every client (repeatable), e.g. security.protocol=SASL_SSL.")
    Map<String, String> kafkaProperties = new LinkedHashMap<>();

    @Option(names = "--parallelism", paramLabel = "N", description = "Flink parallelism (default: 2 on 2+ cores).")
    Integer parallelism;

    @Option(names = "--checkpoint-interval", defaultValue = "2s", paramLabel = "DURATION",
            converter = DurationConverter.class,
            description = "Flink checkpoint interval; results become visible at each checkpoint (default: ${DEFAULT-VALUE}).")
    Duration checkpointInterval;

    @Option(names = "--duration", paramLabel = "DURATION", converter = DurationConverter.class,
            description = "Stop by itself after this long (e.g. 60s); runs until Ctrl-C when absent.")
    Duration duration;

    @Option(names = "--summary-interval", defaultValue = "5s", paramLabel = "DURATION", converter = DurationConverter.class,
            description = "How often to print the live summary (default: ${DEFAULT-VALUE}).")
    Duration summaryInterval;

    ServerSettings settings() {
        Properties props = new Properties();
        props.putAll(kafkaProperties);
        int p = parallelism != null ? parallelism : EngineConfig.defaultParallelism();
        return new ServerSettings(dataDir, Optional.ofNullable(kafkaBootstrap), kafkaPort, props, bind, port, p, checkpointInterval);
    }
}
