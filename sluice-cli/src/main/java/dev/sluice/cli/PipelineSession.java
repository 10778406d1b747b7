package dev.sluice.cli;

import dev.sluice.server.PipelineStatus;
import dev.sluice.server.SluiceServer;
import java.time.Duration;
import java.time.LocalTime;
import java.time.format.DateTimeFormatter;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/**
 * Runs a started server in the foreground: prints a live summary every few seconds and stops everything on
 * Ctrl-C (or after {@code --duration}), so the next start continues where this one stopped.
 */
final class PipelineSession {
    private static final DateTimeFormatter TIME = DateTimeFormatter.ofPattern("HH:mm:ss");

    private PipelineSession() {}

    private static PipelineStatus lastStatus(SluiceServer server) {
        try {
            return server.status();
        } catch (RuntimeException e) {
            Console.error("sluice: the final status is unavailable: " + e.getMessage());
            return null;
        }
    }

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
        long end = duration == null ? Long.MAX_VALUE : System.nanoTime() + duration.toNanos();
        long previousIn = -1;
        long previousAt = System.nanoTime();
        long startedAt = previousAt;
        long processedAtStart = -1;
        try {
            while (!stop.await(Math.min(summaryInterval.toMillis(), Math.max(1, (end - System.nanoTime()) / 1_000_000)),
                    TimeUnit.MILLISECONDS)) {
                long now = System.nanoTime();
                PipelineStatus s;
                try {
                    s = server.status();
                } catch (RuntimeException e) {
                    // A slow broker or a busy store must not end the session without its savepoint.
                    Console.error(LocalTime.now().format(TIME) + "  status unavailable: " + e.getMessage());
                    continue;
                }
                double seconds = (now - previousAt) / 1e9;
                String rate = previousIn < 0 ? "" : String.format(" (%,.0f/s)", (s.eventsIn() - previousIn) / seconds);
                Console.print(String.format("%s  events in %,d%s | processed %,d | results stored %,d | dead letters %,d | late %,d (dropped %,d) | lag: pipeline %,d, loader %,d | job %s",
                        LocalTime.now().format(TIME), s.eventsIn(), rate, s.processed(), s.resultsOut(),
                        s.deadLetters(), s.lateEvents(), s.lateRecordsDropped(), s.pipelineLag(), s.loaderLag(), s.jobStatus()));
                if (processedAtStart < 0) {
                    processedAtStart = s.processed();
                    startedAt = now;
                }
                previousIn = s.eventsIn();
                previousAt = now;
                if (System.nanoTime() >= end) {
                    break;
                }
            }
            Console.print("Stopping: taking a savepoint of the Flink job and storing its last results...");
            for (int i = resources.length - 1; i >= 0; i--) {
                try {
                    resources[i].close();
                } catch (Exception e) {
                    Console.error("sluice: stopping " + resources[i] + " failed: " + e.getMessage());
                }
            }
            PipelineStatus last = lastStatus(server);
            double seconds = (System.nanoTime() - startedAt) / 1e9;
            if (last != null && processedAtStart >= 0 && seconds > 0) {
                Console.print(String.format("Throughput: %,.0f events/s processed by the Flink job since the first summary (%,.0f s).",
                        (last.processed() - processedAtStart) / seconds, seconds));
            }
            for (PipelineStatus.TableInfo t : last == null ? java.util.List.<PipelineStatus.TableInfo>of() : last.tables()) {
                if (t.rowsLoaded() > 0) {
                    Console.print(String.format("Event time to storage, %-18s p50 %,6d ms  p99 %,6d ms  (%,d rows)",
                            t.name() + ":", t.delayP50Millis(), t.delayP99Millis(), t.rowsLoaded()));
                }
            }
            long eventsIn = last == null ? -1 : last.eventsIn();
            server.close();
            Console.print(String.format("Stopped. %,d events in the source topics, %,d rows stored this run. "
                    + "Run the same command again to continue where it stopped.", Math.max(0, eventsIn), server.loader().rowsLoaded()));
        } catch (RuntimeException e) {
            // Whatever failed, the server still stops with its savepoint before the error is reported.
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
}
