package dev.sluice.engine;

import dev.sluice.SluiceException;
import dev.sluice.storage.Deployment;
import java.io.IOException;
import java.io.Reader;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.FileTime;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.Properties;
import java.util.stream.Stream;

/**
 * Where a pipeline keeps its Flink state: retained checkpoints under {@code checkpoints/<job-id>/chk-N} and
 * savepoints taken on a clean stop under {@code savepoints/}. A restart resumes from the newest complete one of
 * either kind, so stopping with Ctrl-C and crashing both continue where the job left off. Next to them,
 * {@code deployment.properties} holds the {@link Deployment} this state belongs to: it lives and dies with the state.
 */
public record StateLocations(Path root) {

    public Path checkpoints() {
        return root.resolve("checkpoints");
    }

    public Path savepoints() {
        return root.resolve("savepoints");
    }

    public Path deploymentFile() {
        return root.resolve("deployment.properties");
    }

    /** The deployment this state belongs to, once one was {@linkplain #keep(Deployment) kept}. */
    public Optional<Deployment> deployment() {
        Path file = deploymentFile();
        if (!Files.isRegularFile(file)) {
            return Optional.empty();
        }
        Properties p = new Properties();
        try (Reader in = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
            p.load(in);
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
     * Stores the deployment with the state unless it is already there; written to a temporary file and moved into
     * place, so a crash leaves either no file or a complete one.
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
            Files.createDirectories(root);
            Path tmp = root.resolve("deployment.properties.tmp");
            try (Writer out = Files.newBufferedWriter(tmp, StandardCharsets.UTF_8)) {
                p.store(out, "The deployment this pipeline state belongs to; its results carry the id in a Kafka header");
            }
            Files.move(tmp, deploymentFile(), StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
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
    public Path setAside(java.time.Instant now) {
        Path aside = root.resolve("reset-" + now.toString().replace(":", "").replace(".", ""));
        try {
            Files.createDirectories(aside);
            for (Path dir : List.of(checkpoints(), savepoints(), deploymentFile())) {
                if (Files.exists(dir)) {
                    Files.move(dir, aside.resolve(dir.getFileName()));
                }
            }
            return aside;
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot move the Flink state of " + root + " aside", e);
        }
    }

    /** The newest complete checkpoint or savepoint directory (one holding {@code _metadata}), if any. */
    public Optional<Path> latestRestorePoint() {
        return Stream.concat(completed(checkpoints(), 2), completed(savepoints(), 1))
                .max(Comparator.comparing(StateLocations::modified))
                .map(Path::getParent);
    }

    private static Stream<Path> completed(Path dir, int depth) {
        if (!Files.isDirectory(dir)) {
            return Stream.empty();
        }
        try (Stream<Path> files = Files.find(dir, depth + 1,
                (p, attrs) -> attrs.isRegularFile() && p.getFileName().toString().equals("_metadata"))) {
            return files.toList().stream();
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot list Flink state in " + dir, e);
        }
    }

    private static FileTime modified(Path p) {
        try {
            return Files.getLastModifiedTime(p);
        } catch (IOException e) {
            return FileTime.fromMillis(0);
        }
    }
}
