package dev.sluice.cli;

import dev.sluice.SluiceException;
import dev.sluice.server.DiskFullException;
import dev.sluice.server.DiskStatus;
import dev.sluice.server.PipelineStatus;
import dev.sluice.server.SluiceServer;
import dev.sluice.storage.ResultLoader;
import java.time.Duration;
import java.time.LocalTime;
import java.time.format.DateTimeFormatter;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/**
 * Runs a started server in the foreground: prints a live summary every few seconds and stops everything on
 * Ctrl-C (or after {@code --duration}), so the next start continues where this one stopped.
 */
final class PipelineSession {
    private static final DateTimeFormatter TIME = DateTimeFormatter.ofPattern("HH:mm:ss");

    private PipelineSession() {}

    /** Blocks until Ctrl-C or the duration ends; closes {@code resources} (last first) and then the server. */
    static void runUntilStopped(SluiceServer server, Duration duration, Duration summaryInterval, AutoCloseable... resources)
            throws InterruptedException {
        CountDownLatch stop = new CountDownLatch(1);
        CountDownLatch stopped = new CountDownLatch(1);
        Thread hook = new Thread(() -> {
            stop.countDown();
            try {
                // Long enough for a savepoint, the loader drain and a cancel fallback (see PipelineRunner).
                stopped.await(8, TimeUnit.MINUTES);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }, "sluice-shutdown");
        Runtime.getRuntime().addShutdownHook(hook);
        server.fatal().thenRun(stop::countDown);
        long end = duration == null ? Long.MAX_VALUE : System.nanoTime() + duration.toNanos();
        Map<String, Long> previousIn = new HashMap<>();
        Map<String, Long> processedAtStart = new HashMap<>();
        long previousAt = System.nanoTime();
        long startedAt = previousAt;
        boolean firstSummary = false;
        try {
            while (!stop.await(Math.min(summaryInterval.toMillis(), Math.max(1, (end - System.nanoTime()) / 1_000_000)),
                    TimeUnit.MILLISECONDS)) {
                long now = System.nanoTime();
                List<PipelineStatus> statuses;
                try {
                    statuses = server.pipelines();
                } catch (RuntimeException e) {
                    // A slow broker or a busy store must not end the session without its savepoint, nor keep it past
                    // its --duration.
                    Console.error(LocalTime.now().format(TIME) + "  status unavailable: " + e.getMessage());
                    if (System.nanoTime() >= end) {
                        break;
                    }
                    continue;
                }
                double seconds = (now - previousAt) / 1e9;
                for (PipelineStatus s : statuses) {
                    Long before = previousIn.get(s.name());
                    String rate = before == null ? "" : String.format(" (%,.0f/s)", (s.eventsIn() - before) / seconds);
                    String prefix = statuses.size() == 1 ? "" : "[" + s.name() + "] ";
                    Console.print(String.format("%s  %sevents in %,d%s | processed %,d | results stored %,d | dead letters %,d | late %,d (dropped %,d) | lag: pipeline %,d, loader %,d | cpu %.2f cores | job %s%s",
                            LocalTime.now().format(TIME), prefix, s.eventsIn(), rate, s.processed(), s.resultsOut(),
                            s.deadLetters(), s.lateEvents(), s.lateRecordsDropped(), s.pipelineLag(), s.loaderLag(),
                            s.resources().cpuCores(), s.jobStatus(),
                            s.state().equals("RUNNING") || s.state().equals("STARTING") ? "" : " | " + s.state() + ": " + s.failure())
                            + diskNote(server));
                    for (PipelineStatus.Source source : s.sources()) {
                        if (source.ingest().requests() > 0) {
                            Console.print(String.format("%s  %shttp ingest into %s: %,d requests | accepted %,d | rejected %,d"
                                    + " | latency p50 %,d ms, p99 %,d ms", LocalTime.now().format(TIME), prefix, source.topic(),
                                    source.ingest().requests(), source.ingest().accepted(), source.ingest().rejected(),
                                    source.ingest().latencyP50Millis(), source.ingest().latencyP99Millis()));
                        }
                    }
                    processedAtStart.putIfAbsent(s.name(), s.processed());
                    previousIn.put(s.name(), s.eventsIn());
                }
                if (!firstSummary && !statuses.isEmpty()) {
                    firstSummary = true;
                    startedAt = now;
                }
                previousAt = now;
                if (System.nanoTime() >= end) {
                    break;
                }
            }
            SluiceException fatal = server.fatal().getNow(null);
            if (fatal != null) {
                Console.print("Stopping because " + (fatal instanceof DiskFullException ? "the disk is full" : "the broker failed")
                        + ": cancelling each Flink job (it resumes from its last checkpoint)...");
                for (int i = resources.length - 1; i >= 0; i--) {
                    closeQuietly(resources[i]);
                }
                server.close();
                throw fatal;
            }
            Console.print("Stopping: taking a savepoint of each Flink job and storing its last results...");
            for (int i = resources.length - 1; i >= 0; i--) {
                try {
                    resources[i].close();
                } catch (Exception e) {
                    Console.error("sluice: stopping " + resources[i] + " failed: " + e.getMessage());
                }
            }
            List<PipelineStatus> last = lastStatuses(server);
            double seconds = (System.nanoTime() - startedAt) / 1e9;
            for (PipelineStatus s : last) {
                Long atStart = processedAtStart.get(s.name());
                String who = last.size() == 1 ? "" : " of pipeline '" + s.name() + "'";
                if (atStart != null && seconds > 0) {
                    Console.print(String.format("Throughput%s: %,.0f events/s processed by the Flink job since the first summary (%,.0f s).",
                            who, (s.processed() - atStart) / seconds, seconds));
                }
                for (PipelineStatus.TableInfo t : s.tables()) {
                    if (t.rowsLoaded() > 0) {
                        Console.print(String.format("Event time to storage, %-18s p50 %,6d ms  p99 %,6d ms  (%,d rows)",
                                (last.size() == 1 ? "" : s.name() + ".") + t.name() + ":", t.delayP50Millis(), t.delayP99Millis(),
                                t.rowsLoaded()));
                    }
                }
            }
            long eventsIn = last.stream().mapToLong(PipelineStatus::eventsIn).sum();
            List<ResultLoader> loaders = server.pipelineNames().stream().map(server::loader).toList();
            server.close();
            long stored = loaders.stream().mapToLong(ResultLoader::rowsLoaded).sum();
            // Without a final status (the broker did not answer) the events in the topics are not known; 0 would be wrong.
            Console.print(String.format("Stopped. %s%,d rows stored this run. Run the same command again to continue where it stopped.",
                    last.isEmpty() && !loaders.isEmpty() ? "" : String.format("%,d events in the source topics, ", eventsIn), stored));
        } catch (RuntimeException e) {
            // Whatever failed, the server still stops with its savepoints before the error is reported.
            server.close();
            throw e;
        } finally {
            stopped.countDown();
            if (duration != null || stop.getCount() > 0) {
                try {
                    Runtime.getRuntime().removeShutdownHook(hook);
                } catch (IllegalStateException e) {
                    // already shutting down
                }
            }
        }
    }

    private static void closeQuietly(AutoCloseable resource) {
        try {
            resource.close();
        } catch (Exception e) {
            Console.error("sluice: stopping " + resource + " failed: " + e.getMessage());
        }
    }

    /** {@code  | disk: 35 MB free, low} when free space is below the warning level; empty otherwise. */
    private static String diskNote(SluiceServer server) {
        return server.disk().filter(d -> d.level() != DiskStatus.Level.OK)
                .map(d -> String.format(" | disk: %,d MB free, %s", d.freeBytes() >> 20,
                        d.level() == DiskStatus.Level.LOW ? "low" : "new input refused"))
                .orElse("");
    }

    private static List<PipelineStatus> lastStatuses(SluiceServer server) {
        try {
            return server.pipelines();
        } catch (RuntimeException e) {
            Console.error("sluice: the final status is unavailable: " + e.getMessage());
            return List.of();
        }
    }
}
