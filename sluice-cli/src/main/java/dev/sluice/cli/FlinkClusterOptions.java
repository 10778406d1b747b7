package dev.sluice.cli;

import dev.sluice.SluiceException;
import dev.sluice.engine.RemoteFlink;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import picocli.CommandLine.Option;

/**
 * Options that put the pipelines' jobs on an existing Flink session cluster instead of the embedded one (see
 * docs/scale-out.md, "Flink").
 */
final class FlinkClusterOptions {
    @Option(names = "--flink", paramLabel = "REST_URL",
            description = "Submit the pipelines' jobs to this Flink session cluster's REST API (e.g. http://flink-jm:8081) instead "
                    + "of running them in this process; needs --kafka-bootstrap and --checkpoint-dir.")
    String restUrl;

    @Option(names = "--checkpoint-dir", paramLabel = "file:///PATH",
            description = "With --flink: the directory for checkpoints and savepoints, mounted at the same path on every Flink "
                    + "process and on this host (each pipeline's under PATH/<pipeline>).")
    String checkpointDir;

    @Option(names = "--flink-job-jar", paramLabel = "FILE",
            description = "With --flink: a jar shipped to the cluster with every job (repeatable; default: a job jar cut from the "
                    + "Sluice distribution this command runs from: the engine, the Kafka connector and Kafka's client, without Flink).")
    List<Path> jobJars = new ArrayList<>();

    @Option(names = "--flink-conf", paramLabel = "KEY=VALUE",
            description = "With --flink: a Flink client setting for talking to the cluster (repeatable), e.g. "
                    + "security.ssl.rest.enabled=true with security.ssl.rest.truststore=FILE.")
    Map<String, String> clientOptions = new LinkedHashMap<>();

    /** The remote cluster, or empty for the embedded one; a job jar cut from the distribution goes under {@code dataDir}. */
    Optional<RemoteFlink> remote(Path dataDir) {
        if (restUrl == null) {
            if (checkpointDir != null || !jobJars.isEmpty() || !clientOptions.isEmpty()) {
                throw new SluiceException("--checkpoint-dir, --flink-job-jar and --flink-conf apply to a remote Flink cluster only; "
                        + "give its REST address with --flink REST_URL, or leave them out to run the jobs in this process");
            }
            return Optional.empty();
        }
        if (checkpointDir == null) {
            throw new SluiceException("--flink " + restUrl + " needs --checkpoint-dir file:///PATH: a directory that the Flink cluster "
                    + "and this host both reach at that path, for the jobs' checkpoints and savepoints");
        }
        return Optional.of(RemoteFlink.of(restUrl, checkpointDir, jobJars, clientOptions, dataDir));
    }
}
