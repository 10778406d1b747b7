package dev.sluice.engine;

import dev.sluice.SluiceException;
import dev.sluice.engine.internal.JobJar;
import java.net.URI;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

/**
 * An existing Flink session cluster that runs the pipelines' jobs instead of the embedded one: where its REST API
 * answers, the directory its job managers and task managers and this process all reach for checkpoints and
 * savepoints, and the jars that carry the job's code to it.
 *
 * <p>The state directory is a location that every Flink process and the Sluice host reach under the same URI: an object
 * store ({@code s3://bucket/sluice}, with Flink's S3 file system plugin on the cluster and in Sluice's plugins directory,
 * see {@link StateFileSystems}), HDFS, or a {@code file://} path mounted at the same place everywhere (an NFS share).
 * Sluice finds the newest checkpoint or savepoint there to resume from, and reads its metadata to check that a new
 * pipeline version can take the state over.
 *
 * <pre>{@code
 * RemoteFlink flink = RemoteFlink.of("http://flink-jm:8081", "file:///mnt/flink/sluice", List.of(), Map.of(), dataDir);
 * try (FlinkCluster cluster = FlinkCluster.connect(flink)) { ... }
 * }</pre>
 *
 * @param restUrl       the cluster's REST endpoint, {@code http://host:port} or {@code https://host:port}
 * @param stateDir      the shared directory for checkpoints and savepoints, a pipeline's under {@code <dir>/<pipeline>}
 * @param jobJars       jars shipped to the cluster with every job: Sluice's engine, the Kafka connector and Kafka's client
 *                      (by default one job jar cut from the Sluice distribution, see {@link JobJar})
 * @param clientOptions extra Flink client configuration (for example {@code security.ssl.rest.*}), applied last
 */
public record RemoteFlink(URI restUrl, URI stateDir, List<Path> jobJars, Map<String, String> clientOptions) {

    public RemoteFlink {
        jobJars = List.copyOf(jobJars);
        clientOptions = Map.copyOf(clientOptions);
        String scheme = restUrl.getScheme();
        if (!"http".equals(scheme) && !"https".equals(scheme) || restUrl.getHost() == null) {
            throw new SluiceException("--flink " + restUrl + " is not a Flink REST address; expected http://HOST:PORT or https://HOST:PORT");
        }
        stateDir = checkpointDir(stateDir);
        if (jobJars.isEmpty()) {
            throw new SluiceException("No job jar to ship to the Flink cluster at " + restUrl + ": Sluice runs from class directories,"
                    + " not from its distribution jar; give the jar with --flink-job-jar");
        }
        for (Path jar : jobJars) {
            if (!Files.isRegularFile(jar)) {
                throw new SluiceException("The job jar " + jar + " does not exist; expected the Sluice distribution jar (sluice-cli/target/sluice.jar)");
            }
        }
    }

    /**
     * A checkpoint directory given by a user: an absolute {@code file:///PATH} or a location on another file system
     * ({@code s3://bucket/path}, {@code hdfs://namenode:8020/path}), without a trailing slash.
     *
     * @throws SluiceException when it is neither
     */
    public static URI checkpointDir(URI stateDir) {
        String scheme = stateDir.getScheme();
        boolean absolute = stateDir.getPath() != null && stateDir.getPath().startsWith("/");
        if (scheme == null || stateDir.isOpaque() || "file".equals(scheme) && !absolute
                || !"file".equals(scheme) && (stateDir.getAuthority() == null || stateDir.getAuthority().isEmpty())) {
            throw new SluiceException("--checkpoint-dir " + stateDir + " is not supported; expected an absolute file:///PATH (a shared "
                    + "mount at the same path everywhere) or a location such as s3://BUCKET/PATH or hdfs://NAMENODE:PORT/PATH that the "
                    + "Flink cluster and this process both reach");
        }
        return StateLocations.normalized(stateDir);
    }

    /**
     * From the command line's text.
     *
     * @param jobJars the jars to ship; empty for the job jar cut from the distribution this process runs from
     *                ({@link JobJar}), written once into {@code workDir/flink-job}
     */
    public static RemoteFlink of(String restUrl, String stateDir, List<Path> jobJars, Map<String, String> clientOptions,
            Path workDir) {
        URI rest = uri(restUrl, "--flink");
        URI state = uri(stateDir, "--checkpoint-dir");
        List<Path> jars = jobJars.isEmpty()
                ? runningJar().stream().map(d -> JobJar.derive(d, workDir.resolve("flink-job"))).toList()
                : jobJars;
        return new RemoteFlink(rest, state, jars, clientOptions);
    }

    private static URI uri(String text, String option) {
        try {
            return new URI(text.strip());
        } catch (URISyntaxException e) {
            throw new SluiceException(option + " " + text + " is not a URI: " + e.getMessage(), e);
        }
    }

    /**
     * The jar Sluice's engine was loaded from when it is the distribution (it holds the Kafka connector and Kafka's
     * client too); else none, as when Sluice runs from its modules' class directories or jars.
     */
    static List<Path> runningJar() {
        java.security.CodeSource source = RemoteFlink.class.getProtectionDomain().getCodeSource();
        if (source == null) {
            return List.of();
        }
        try {
            Path location = Path.of(source.getLocation().toURI());
            if (!Files.isRegularFile(location)) {
                return List.of();
            }
            try (java.util.jar.JarFile jar = new java.util.jar.JarFile(location.toFile())) {
                boolean distribution = jar.getEntry("org/apache/flink/connector/kafka/source/KafkaSource.class") != null
                        && jar.getEntry("org/apache/kafka/clients/consumer/KafkaConsumer.class") != null;
                return distribution ? List.of(location) : List.of();
            }
        } catch (URISyntaxException | java.io.IOException e) {
            return List.of();
        }
    }

    /** Without the client options' values, which may be secrets (key store passwords, S3 keys). */
    @Override
    public String toString() {
        return "RemoteFlink[restUrl=" + restUrl + ", stateDir=" + stateDir + ", jobJars=" + jobJars + ", clientOptions="
                + new java.util.TreeSet<>(clientOptions.keySet()) + "]";
    }

    /** Where one pipeline's checkpoints and savepoints live. */
    public URI pipelineStateDir(String pipeline) {
        return StateLocations.child(stateDir, pipeline);
    }
}
