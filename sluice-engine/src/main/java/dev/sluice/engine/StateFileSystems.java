package dev.sluice.engine;

import dev.sluice.SluiceException;
import java.io.IOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Optional;
import java.util.TreeSet;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.CoreOptions;
import org.apache.flink.core.fs.FileSystem;
import org.apache.flink.core.fs.UnsupportedFileSystemSchemeException;
import org.apache.flink.core.plugin.DefaultPluginManager;
import org.apache.flink.core.plugin.DirectoryBasedPluginFinder;
import org.apache.flink.core.plugin.PluginManager;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The file systems this process reaches Flink state through: Flink's own {@link FileSystem} with the file system plugins
 * of a Flink plugins directory ({@code plugins/s3-fs-hadoop/flink-s3-fs-hadoop-<version>.jar}, as in a Flink
 * distribution) and the options that configure them ({@code s3.endpoint}, {@code s3.access-key}, ...). Both the embedded
 * cluster's jobs and Sluice's own reads of checkpoint metadata go through them, so a checkpoint directory works with any
 * scheme Flink has a file system for: {@code file://} always, {@code s3://}, {@code gs://}, {@code abfs://} or
 * {@code hdfs://} with the matching plugin.
 *
 * <p>Flink keeps its file systems in static state: {@link #configure} applies to the whole JVM; the CLI calls it once
 * before the server starts (without a call, Flink's defaults apply: {@code file://} and what the class path holds).
 * Option values are never logged, only their keys.
 */
public final class StateFileSystems {
    private static final Logger LOG = LoggerFactory.getLogger(StateFileSystems.class);
    /** Flink's variable for its plugins directory, read the same way here. */
    public static final String PLUGINS_DIR_ENV = "FLINK_PLUGINS_DIR";

    private static volatile Optional<Path> pluginsDir = Optional.empty();

    private StateFileSystems() {}

    /**
     * Sets up Flink's file systems for this JVM.
     *
     * @param options    Flink options for the file systems (for example {@code s3.endpoint}, {@code s3.access-key},
     *                   {@code s3.secret-key}, {@code s3.path.style.access}); values may be secrets and are not logged
     * @param pluginsDir a Flink plugins directory (one sub-directory per plugin holding its jars), if any
     * @throws SluiceException when the plugins directory cannot be read
     */
    public static synchronized void configure(Map<String, String> options, Optional<Path> pluginsDir) {
        Configuration conf = new Configuration();
        options.forEach(conf::setString);
        PluginManager plugins = null;
        if (pluginsDir.isPresent()) {
            Path dir = pluginsDir.get();
            if (!Files.isDirectory(dir)) {
                throw new SluiceException("The Flink plugins directory " + dir.toAbsolutePath() + " does not exist; expected a directory "
                        + "with one sub-directory per plugin, e.g. " + dir.resolve("s3-fs-hadoop") + "/flink-s3-fs-hadoop-<version>.jar");
            }
            try {
                plugins = new DefaultPluginManager(new DirectoryBasedPluginFinder(dir).findPlugins(),
                        CoreOptions.getPluginParentFirstLoaderPatterns(conf));
            } catch (IOException e) {
                throw new SluiceException("Cannot read the Flink plugins directory " + dir.toAbsolutePath() + ": " + e.getMessage(), e);
            }
        }
        FileSystem.initialize(conf, plugins);
        StateFileSystems.pluginsDir = pluginsDir.map(Path::toAbsolutePath);
        LOG.info("Flink file systems: plugins from {}, options {}.", pluginsDir.map(Path::toAbsolutePath).map(Path::toString)
                .orElse("nowhere (file:// only, or what the class path holds)"), new TreeSet<>(options.keySet()));
    }

    /**
     * The plugins directory given by {@value #PLUGINS_DIR_ENV}, or {@code plugins/} in the working directory when that
     * exists, as Flink's own processes look for it.
     */
    public static Optional<Path> defaultPluginsDir() {
        String env = System.getenv(PLUGINS_DIR_ENV);
        if (env != null && !env.isBlank()) {
            return Optional.of(Path.of(env.strip()));
        }
        Path local = Path.of("plugins");
        return Files.isDirectory(local) ? Optional.of(local) : Optional.empty();
    }

    /**
     * Flink's file system for a location.
     *
     * @throws SluiceException when Flink has no file system for the location's scheme, saying which plugin to add
     */
    public static FileSystem get(URI location) throws IOException {
        try {
            return FileSystem.get(location);
        } catch (UnsupportedFileSystemSchemeException e) {
            throw new SluiceException("Flink has no file system for '" + location.getScheme() + "://' (in " + location + "): "
                    + "put the jar of Flink's " + plugin(location.getScheme()) + " into its own sub-directory of the Flink plugins "
                    + "directory (" + pluginsDir.map(Path::toString).orElse("none is set: set " + PLUGINS_DIR_ENV
                    + ", or create plugins/ in the working directory") + "), e.g. plugins/" + pluginDir(location.getScheme()) + "/; "
                    + "see docs/scale-out.md", e);
        }
    }

    /** The checkpoint directory is usable: Flink has a file system for it and this process can list and write it. */
    public static void check(URI stateDir) {
        try {
            FileSystem fs = get(stateDir);
            org.apache.flink.core.fs.Path probe = new org.apache.flink.core.fs.Path(StateLocations.child(stateDir, ".sluice-probe"));
            try (var out = fs.create(probe, FileSystem.WriteMode.OVERWRITE)) {
                out.write(1);
            }
            fs.delete(probe, false);
        } catch (IOException e) {
            throw new SluiceException("Cannot write to the checkpoint directory " + stateDir + ": " + e.getMessage()
                    + "; expected a location this process and the Flink cluster can both write (for s3:// check s3.endpoint,"
                    + " s3.access-key and s3.secret-key, and that the bucket exists)", e);
        }
    }

    private static String plugin(String scheme) {
        return switch (scheme) {
            case "s3", "s3a", "s3p" -> "S3 file system (flink-s3-fs-hadoop or flink-s3-fs-presto, from the Flink distribution's opt/)";
            case "gs" -> "Google Cloud Storage file system (flink-gs-fs-hadoop, from the Flink distribution's opt/)";
            case "abfs", "abfss", "wasb", "wasbs" -> "Azure file system (flink-azure-fs-hadoop, from the Flink distribution's opt/)";
            case "oss" -> "Aliyun OSS file system (flink-oss-fs-hadoop, from the Flink distribution's opt/)";
            case "hdfs" -> "HDFS support: Hadoop's client jars on the class path (HADOOP_CLASSPATH), as Flink needs it";
            default -> "file system plugin for '" + scheme + "'";
        };
    }

    private static String pluginDir(String scheme) {
        return switch (scheme) {
            case "s3", "s3a", "s3p" -> "s3-fs-hadoop";
            case "gs" -> "gs-fs-hadoop";
            case "abfs", "abfss", "wasb", "wasbs" -> "azure-fs-hadoop";
            case "oss" -> "oss-fs-hadoop";
            default -> scheme;
        };
    }
}
