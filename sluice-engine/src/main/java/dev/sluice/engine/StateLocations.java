package dev.sluice.engine;

import dev.sluice.SluiceException;
import dev.sluice.storage.Deployment;
import java.io.FileNotFoundException;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.io.OutputStreamWriter;
import java.io.Reader;
import java.io.UncheckedIOException;
import java.io.Writer;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.Properties;
import org.apache.flink.core.fs.FileStatus;
import org.apache.flink.core.fs.FileSystem;
import org.apache.flink.core.fs.Path;

/**
 * Where a pipeline keeps its Flink state: retained checkpoints under {@code checkpoints/<job-id>/chk-N} and
 * savepoints taken on a clean stop under {@code savepoints/}. A restart resumes from the newest complete one of
 * either kind, so stopping with Ctrl-C and crashing both continue where the job left off. Next to them,
 * {@code deployment.properties} holds the {@link Deployment} this state belongs to: it lives and dies with the state.
 *
 * <p>The root is any location Flink has a file system for ({@code file://}, {@code s3://}, {@code hdfs://},
 * {@code gs://}, {@code abfs://}, see {@link StateFileSystems}): everything here reads and writes through Flink's
 * {@link FileSystem}, as the job itself does.
 *
 * @param root the pipeline's state directory, an absolute URI without a trailing slash
 */
public record StateLocations(URI root) {

    public StateLocations {
        root = normalized(root);
    }

    /** A state directory on the local disk. */
    public StateLocations(java.nio.file.Path dir) {
        this(dir.toAbsolutePath().normalize().toUri());
    }

    /** {@code uri} without a trailing slash; a local path without a scheme becomes a {@code file:} URI. */
    public static URI normalized(URI uri) {
        if (uri.getScheme() == null) {
            return normalized(java.nio.file.Path.of(uri.getPath()).toAbsolutePath().normalize().toUri());
        }
        String text = uri.toString();
        while (text.endsWith("/") && !text.endsWith("://") && !text.endsWith(":/")) {
            text = text.substring(0, text.length() - 1);
        }
        return URI.create(text);
    }

    public URI checkpoints() {
        return child(root, "checkpoints");
    }

    public URI savepoints() {
        return child(root, "savepoints");
    }

    public URI deploymentFile() {
        return child(root, "deployment.properties");
    }

    /** {@code parent/name}. */
    public static URI child(URI parent, String name) {
        return new Path(new Path(parent), name).toUri();
    }

    /** The last segment of a location: {@code chk-12} of {@code s3://b/p/checkpoints/<job>/chk-12}. */
    public static String name(URI location) {
        return new Path(location).getName();
    }

    /** The deployment this state belongs to, once one was {@linkplain #keep(Deployment) kept}. */
    public Optional<Deployment> deployment() {
        URI file = deploymentFile();
        Properties p = new Properties();
        try {
            FileSystem fs = fileSystem(file);
            Path path = new Path(file);
            if (!fs.exists(path)) {
                return Optional.empty();
            }
            try (InputStream in = fs.open(path); Reader reader = new InputStreamReader(in, StandardCharsets.UTF_8)) {
                p.load(reader);
            }
        } catch (FileNotFoundException e) {
            return Optional.empty();
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot read the deployment of the pipeline state in " + file, e);
        }
        String id = p.getProperty("id");
        if (id == null || id.isBlank()) {
            throw new SluiceException("The deployment file " + file + " has no 'id'; expected a line id=<deployment id>."
                    + " Restore it from a backup, or start the pipeline over with --allow-state-reset");
        }
        return Optional.of(new Deployment(id.strip(), Boolean.parseBoolean(p.getProperty("accepts-unmarked", "false"))));
    }

    /**
     * Stores the deployment with the state unless it is already there; written to a temporary file and renamed into
     * place (on an object store the object appears whole when its upload completes), so a crash leaves either no file
     * or a complete one.
     *
     * @return true when the deployment was new here
     */
    public boolean keep(Deployment deployment) {
        Optional<Deployment> existing = deployment();
        if (existing.isPresent()) {
            if (!existing.get().equals(deployment)) {
                throw new SluiceException("The pipeline state in " + root + " belongs to deployment " + existing.get().id()
                        + ", not to " + deployment.id() + "; compile the pipeline again to run on this state");
            }
            return false;
        }
        Properties p = new Properties();
        p.setProperty("id", deployment.id());
        p.setProperty("accepts-unmarked", Boolean.toString(deployment.acceptsUnmarked()));
        try {
            FileSystem fs = fileSystem(root);
            fs.mkdirs(new Path(root));
            Path tmp = new Path(child(root, "deployment.properties.tmp"));
            try (OutputStream out = fs.create(tmp, FileSystem.WriteMode.OVERWRITE);
                    Writer writer = new OutputStreamWriter(out, StandardCharsets.UTF_8)) {
                p.store(writer, "The deployment this pipeline state belongs to; its results carry the id in a Kafka header");
            }
            if (!fs.rename(tmp, new Path(deploymentFile()))) {
                throw new IOException("the file system did not rename " + tmp + " to " + deploymentFile());
            }
            return true;
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot write the deployment of the pipeline state to " + deploymentFile(), e);
        }
    }

    /**
     * Moves the checkpoints, savepoints and deployment into {@code reset-<time>/}, kept but no longer restored from:
     * the pipeline's next start has no earlier state, and is a new deployment.
     *
     * @return the directory they were moved to
     */
    public URI setAside(java.time.Instant now) {
        URI aside = child(root, "reset-" + now.toString().replace(":", "").replace(".", ""));
        try {
            FileSystem fs = fileSystem(root);
            fs.mkdirs(new Path(aside));
            for (URI location : List.of(checkpoints(), savepoints(), deploymentFile())) {
                Path from = new Path(location);
                if (fs.exists(from) && !fs.rename(from, new Path(child(aside, from.getName())))) {
                    throw new IOException("the file system did not move " + from + " into " + aside);
                }
            }
            return aside;
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot move the Flink state of " + root + " aside", e);
        }
    }

    /** The newest complete checkpoint or savepoint directory (one holding {@code _metadata}), if any. */
    public Optional<URI> latestRestorePoint() {
        try {
            FileSystem fs = fileSystem(root);
            List<FileStatus> metadata = new ArrayList<>();
            // checkpoints/<job-id>/chk-N/_metadata and savepoints/savepoint-<id>/_metadata
            for (FileStatus job : directories(fs, new Path(checkpoints()))) {
                for (FileStatus checkpoint : directories(fs, job.getPath())) {
                    metadata(fs, checkpoint.getPath()).ifPresent(metadata::add);
                }
            }
            for (FileStatus savepoint : directories(fs, new Path(savepoints()))) {
                metadata(fs, savepoint.getPath()).ifPresent(metadata::add);
            }
            return metadata.stream().max(Comparator.comparingLong(FileStatus::getModificationTime))
                    .map(s -> s.getPath().getParent().toUri());
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot list Flink state in " + root, e);
        }
    }

    private static List<FileStatus> directories(FileSystem fs, Path dir) throws IOException {
        FileStatus[] entries;
        try {
            entries = fs.exists(dir) ? fs.listStatus(dir) : null;
        } catch (FileNotFoundException e) {
            // Retained checkpoints rotate while a job runs: a directory listed a moment ago may be gone.
            return List.of();
        }
        if (entries == null) {
            return List.of();
        }
        List<FileStatus> dirs = new ArrayList<>();
        for (FileStatus entry : entries) {
            if (entry.isDir()) {
                dirs.add(entry);
            }
        }
        return dirs;
    }

    private static Optional<FileStatus> metadata(FileSystem fs, Path dir) throws IOException {
        try {
            FileStatus status = fs.getFileStatus(new Path(dir, "_metadata"));
            return status.isDir() ? Optional.empty() : Optional.of(status);
        } catch (FileNotFoundException e) {
            return Optional.empty();
        }
    }

    /** Flink's file system for a location, with an error that says what to do when Flink has none for its scheme. */
    static FileSystem fileSystem(URI location) throws IOException {
        return StateFileSystems.get(location);
    }
}
