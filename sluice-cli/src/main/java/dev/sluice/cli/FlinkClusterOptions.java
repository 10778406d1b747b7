package dev.sluice.cli;

import dev.sluice.SluiceException;
import dev.sluice.engine.RemoteFlink;
import dev.sluice.engine.StateFileSystems;
import java.io.IOException;
import java.io.Reader;
import java.net.URI;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import picocli.CommandLine.Option;

/**
 * Options that put the pipelines' jobs on an existing Flink session cluster instead of the embedded one, and their
 * checkpoints and savepoints on any file system Flink has (see docs/scale-out.md, "Flink" and "Checkpoints on S3").
 */
final class FlinkClusterOptions {
    @Option(names = "--flink", paramLabel = "REST_URL",
            description = "Submit the pipelines' jobs to this Flink session cluster's REST API (e.g. http://flink-jm:8081 or "
                    + "https://...) instead of running them in this process; needs --kafka-bootstrap and --checkpoint-dir.")
    String restUrl;

    @Option(names = "--checkpoint-dir", paramLabel = "URI",
            description = "Where checkpoints and savepoints live, each pipeline's under URI/<pipeline>: s3://BUCKET/PATH (Flink's "
                    + "S3 plugin in the plugins directory, $FLINK_PLUGINS_DIR or ./plugins), hdfs://..., or file:///PATH. With --flink "
                    + "a location the cluster and this host both reach (required); without it, instead of the data directory.")
    String checkpointDir;

    @Option(names = "--flink-job-jar", paramLabel = "FILE",
            description = "With --flink: a jar shipped to the cluster with every job (repeatable; default: a job jar cut from the "
                    + "Sluice distribution this command runs from: the engine, the Kafka connector and Kafka's client, without Flink).")
    List<Path> jobJars = new ArrayList<>();

    @Option(names = "--flink-conf", paramLabel = "KEY=VALUE",
            description = "A Flink setting for this process's Flink client and file systems (repeatable), e.g. "
                    + "s3.endpoint=http://minio:9000 or security.ssl.rest.enabled=true. Visible in the process list: put secrets "
                    + "into --flink-conf-file instead.")
    Map<String, String> clientOptions = new LinkedHashMap<>();

    @Option(names = "--flink-conf-file", paramLabel = "FILE",
            description = "A Java properties file of Flink settings with Flink's keys (s3.access-key, s3.secret-key, s3.endpoint, "
                    + "s3.path.style.access, security.ssl.rest.*), for this process's Flink client and file systems; --flink-conf "
                    + "overrides it. Values are never logged.")
    Path clientOptionsFile;

    /** The file's settings, then the command line's on top. */
    Map<String, String> flinkOptions() {
        Map<String, String> options = new LinkedHashMap<>();
        if (clientOptionsFile != null) {
            Properties props = new Properties();
            try (Reader in = Files.newBufferedReader(clientOptionsFile, StandardCharsets.UTF_8)) {
                props.load(in);
            } catch (IOException e) {
                throw new SluiceException("Cannot read the Flink settings from --flink-conf-file " + clientOptionsFile + ": " + e, e);
            }
            props.stringPropertyNames().forEach(k -> options.put(k, props.getProperty(k).strip()));
        }
        options.putAll(clientOptions);
        return options;
    }

    /**
     * Sets up this process's Flink file systems: the plugins of {@code $FLINK_PLUGINS_DIR} (or {@code ./plugins}) with
     * the Flink settings given. Call it once, before the server starts.
     */
    void configureFileSystems() {
        StateFileSystems.configure(flinkOptions(), StateFileSystems.defaultPluginsDir());
    }

    /** Where the embedded cluster keeps the pipelines' state when it is not in the data directory. */
    Optional<URI> embeddedCheckpointDir() {
        if (restUrl != null || checkpointDir == null) {
            return Optional.empty();
        }
        try {
            return Optional.of(RemoteFlink.checkpointDir(new URI(checkpointDir.strip())));
        } catch (URISyntaxException e) {
            throw new SluiceException("--checkpoint-dir " + checkpointDir + " is not a URI: " + e.getMessage(), e);
        }
    }

    /** The remote cluster, or empty for the embedded one; a job jar cut from the distribution goes under {@code dataDir}. */
    Optional<RemoteFlink> remote(Path dataDir) {
        if (restUrl == null) {
            if (!jobJars.isEmpty()) {
                throw new SluiceException("--flink-job-jar applies to a remote Flink cluster only; give its REST address with "
                        + "--flink REST_URL, or leave it out to run the jobs in this process");
            }
            return Optional.empty();
        }
        if (checkpointDir == null) {
            throw new SluiceException("--flink " + restUrl + " needs --checkpoint-dir URI: a location that the Flink cluster and this "
                    + "host both reach (s3://BUCKET/PATH, hdfs://..., or file:///PATH on a shared mount), for the jobs' checkpoints "
                    + "and savepoints");
        }
        return Optional.of(RemoteFlink.of(restUrl, checkpointDir, jobJars, flinkOptions(), dataDir));
    }
}
