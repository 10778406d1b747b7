package dev.sluice.engine;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.stream.Stream;

/**
 * Where a pipeline keeps its Flink state: retained checkpoints under {@code checkpoints/<job-id>/chk-N} and
 * savepoints taken on a clean stop under {@code savepoints/}. A restart resumes from the newest complete one of
 * either kind, so stopping with Ctrl-C and crashing both continue where the job left off.
 */
public record StateLocations(Path root) {

    public Path checkpoints() {
        return root.resolve("checkpoints");
    }

    public Path savepoints() {
        return root.resolve("savepoints");
    }

    /**
     * Moves the checkpoints and savepoints into {@code reset-<time>/}, kept but no longer restored from: the pipeline's
     * next start has no earlier state.
     *
     * @return the directory they were moved to
     */
    public Path setAside(java.time.Instant now) {
        Path aside = root.resolve("reset-" + now.toString().replace(":", "").replace(".", ""));
        try {
            Files.createDirectories(aside);
            for (Path dir : List.of(checkpoints(), savepoints())) {
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
