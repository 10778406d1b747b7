package dev.sluice.server;

import java.lang.management.ManagementFactory;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * Collects the phases of a server's start (see {@link StartupReport}) as they end, on whichever thread they end, and
 * completes the report when the first row is stored. A phase keeps the moment it ended last (with several pipelines,
 * the last one planned); once the report is complete, later marks are ignored.
 */
public final class StartupTimeline {
    /** When the command's {@code main} began, in epoch ms; -1 when no command marked it (e.g. a server in a test). */
    private static volatile long mainStartedAtMillis = -1;

    private final long jvmStartMillis = ManagementFactory.getRuntimeMXBean().getStartTime();
    private final Map<String, Long> ends = new ConcurrentHashMap<>();
    private final CompletableFuture<StartupReport> report = new CompletableFuture<>();
    private final AtomicBoolean firstRowSeen = new AtomicBoolean();

    StartupTimeline() {
        if (mainStartedAtMillis > 0) {
            ends.put(StartupReport.MAIN, mainStartedAtMillis);
        }
        mark(StartupReport.SERVER);
    }

    /** Marks, once per JVM, that the command's {@code main} began: the first phase of the start-up report. */
    public static void mainStarted() {
        if (mainStartedAtMillis < 0) {
            mainStartedAtMillis = System.currentTimeMillis();
        }
    }

    /** Marks that a phase ended now. */
    void mark(String phase) {
        mark(phase, System.currentTimeMillis());
    }

    /** Marks that a phase ended at the given epoch ms; ignored when negative (not happened) or after the report. */
    void mark(String phase, long atEpochMillis) {
        if (atEpochMillis > 0 && !report.isDone()) {
            ends.put(phase, atEpochMillis);
        }
    }

    /** True for the first stored row only: the caller then completes the report with {@link #firstRow}. */
    boolean claimFirstRow() {
        return !firstRowSeen.get() && firstRowSeen.compareAndSet(false, true);
    }

    /**
     * Completes the report with the first row, stored at the given epoch ms into the table by the pipeline whose job's
     * tasks all ran and whose first checkpoint completed at the given epoch ms (-1: unknown); returns the report, or empty
     * when an earlier row completed it.
     */
    synchronized Optional<StartupReport> firstRow(String table, long atEpochMillis, long cpuMillis, long tasksRunningAtMillis,
            long firstCheckpointAtMillis) {
        if (report.isDone()) {
            return Optional.empty();
        }
        mark(StartupReport.RUNNING, tasksRunningAtMillis);
        mark(StartupReport.CHECKPOINT, firstCheckpointAtMillis);
        ends.put(StartupReport.FIRST_ROW, atEpochMillis);
        List<StartupReport.Phase> phases = new ArrayList<>();
        ends.forEach((name, at) -> phases.add(new StartupReport.Phase(name, Math.max(0, at - jvmStartMillis))));
        StartupReport built = new StartupReport(phases, table, cpuMillis);
        report.complete(built);
        return Optional.of(built);
    }

    /** Completes with the report once the first row is stored. */
    CompletableFuture<StartupReport> report() {
        return report;
    }
}
