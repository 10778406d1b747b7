package dev.sluice.server;

import dev.sluice.SluiceException;
import java.io.IOException;
import java.nio.file.FileStore;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Watches free space on the filesystem of the data directory (Kafka log, Flink checkpoints, DuckDB file and logs share
 * it) and reports each change of {@link DiskStatus.Level} to a listener, which closes or opens the input gate. Sampling
 * every half second is enough because the stop level leaves room for what the pipelines write while input is closed;
 * a disk filled faster than that by another process is what {@link DiskFullException} is for.
 *
 * <pre>{@code
 * try (DiskGuard guard = DiskGuard.start(dataDir, DiskLevels.defaults(), status -> log(status.detail()))) {
 *     guard.status().level(); // OK, LOW or INPUT_STOPPED
 * }
 * }</pre>
 */
public final class DiskGuard implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(DiskGuard.class);
    static final Duration INTERVAL = Duration.ofMillis(500);

    /** Free and total bytes of a filesystem; a seam for tests. */
    public interface SpaceProbe {
        long freeBytes() throws IOException;

        long totalBytes() throws IOException;
    }

    private final Path dir;
    private final DiskLevels levels;
    private final SpaceProbe probe;
    private final Consumer<DiskStatus> onChange;
    private final ScheduledExecutorService executor;
    private volatile DiskStatus status;

    DiskGuard(Path dir, DiskLevels levels, SpaceProbe probe, Consumer<DiskStatus> onChange, ScheduledExecutorService executor) {
        this.dir = dir;
        this.levels = levels;
        this.probe = probe;
        this.onChange = onChange;
        this.executor = executor;
        this.status = measure(DiskStatus.Level.OK);
    }

    /**
     * Takes a first sample now (reporting it when it is not {@code OK}) and then one every half second.
     *
     * @throws SluiceException when the directory's filesystem cannot be read
     */
    public static DiskGuard start(Path dir, DiskLevels levels, Consumer<DiskStatus> onChange) {
        FileStore store;
        try {
            Files.createDirectories(dir);
            store = Files.getFileStore(dir);
        } catch (IOException e) {
            throw new SluiceException("Cannot watch free space of the data directory " + dir + ": " + e.getMessage(), e);
        }
        SpaceProbe probe = new SpaceProbe() {
            @Override
            public long freeBytes() throws IOException {
                return store.getUsableSpace();
            }

            @Override
            public long totalBytes() throws IOException {
                return store.getTotalSpace();
            }
        };
        ScheduledExecutorService executor = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "sluice-disk-guard");
            t.setDaemon(true);
            return t;
        });
        DiskGuard guard = new DiskGuard(dir, levels, probe, onChange, executor);
        if (guard.status.level() != DiskStatus.Level.OK) {
            guard.report(guard.status);
        }
        executor.scheduleWithFixedDelay(guard::check, INTERVAL.toMillis(), INTERVAL.toMillis(), TimeUnit.MILLISECONDS);
        return guard;
    }

    public DiskStatus status() {
        return status;
    }

    public DiskLevels levels() {
        return levels;
    }

    /** Whether new input is accepted now. */
    public boolean admitsInput() {
        return status.level() != DiskStatus.Level.INPUT_STOPPED;
    }

    /** Samples free space once and reports a change of level. */
    void check() {
        try {
            DiskStatus previous = status;
            DiskStatus now = measure(previous.level());
            status = now;
            if (now.level() != previous.level()) {
                report(now);
            }
        } catch (RuntimeException e) {
            LOG.warn("Cannot check free space of {}: {}", dir, e.toString());
        }
    }

    private void report(DiskStatus now) {
        switch (now.level()) {
            case OK -> LOG.info("{}", now.detail());
            default -> LOG.warn("{}", now.detail());
        }
        try {
            onChange.accept(now);
        } catch (RuntimeException e) {
            LOG.error("Acting on the disk level {} failed.", now.level(), e);
        }
    }

    private DiskStatus measure(DiskStatus.Level previous) {
        long free;
        long total;
        try {
            free = probe.freeBytes();
            total = probe.totalBytes();
        } catch (IOException e) {
            throw new SluiceException("Cannot read free space of " + dir + ": " + e.getMessage(), e);
        }
        long warn = levels.warnBelow().bytesOf(total);
        long stop = levels.stopBelow().bytesOf(total);
        // Input that stopped resumes only above the midpoint of the two levels (hysteresis).
        long resume = stop + Math.max(0, warn - stop) / 2;
        DiskStatus.Level level;
        if (free < stop || (previous == DiskStatus.Level.INPUT_STOPPED && free < resume)) {
            level = DiskStatus.Level.INPUT_STOPPED;
        } else if (free < warn) {
            level = DiskStatus.Level.LOW;
        } else {
            level = DiskStatus.Level.OK;
        }
        String where = "The disk of the data directory " + dir.toAbsolutePath() + " has " + DiskStatus.size(free) + " free of "
                + DiskStatus.size(total);
        String detail = switch (level) {
            case OK -> where + "; new input is accepted (warning below " + DiskStatus.size(warn) + ", input stops below "
                    + DiskStatus.size(stop) + ").";
            case LOW -> where + ", below the warning level of " + DiskStatus.size(warn) + "; new input stops below "
                    + DiskStatus.size(stop) + ". Free space or move the data directory to a larger disk.";
            case INPUT_STOPPED -> where + ", below the stop level of " + DiskStatus.size(stop) + ": new input is refused until "
                    + DiskStatus.size(resume) + " are free again; accepted events are still processed and queries answer.";
        };
        return new DiskStatus(level, free, total, warn, stop, detail);
    }

    @Override
    public void close() {
        executor.shutdownNow();
    }
}
