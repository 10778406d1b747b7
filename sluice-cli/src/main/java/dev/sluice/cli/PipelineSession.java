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

    /** Blocks until Ctrl-C or the duration ends; closes {@code resources} (last first) and then the server. */
    static void runUntilStopped(SluiceServer server, Duration duration, Duration summaryInterval, AutoCloseable... resources)
            throws InterruptedException {
        CountDownLatch stop = new CountDownLatch(1);
        CountDownLatch stopped = new CountDownLatch(1);
        Thread hook = new Thread(() -> {
            stop.countDown();
            try {
                stopped.await(3, TimeUnit.MINUTES);
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
                PipelineStatus s = server.status();
                double seconds = (now - previousAt) / 1e9;
                String rate = previousIn < 0 ? "" : String.format(" (%,.0f/s)", (s.eventsIn() - previousIn) / seconds);
                Console.print(String.format("%s  events in %,d%s | processed %,d | results stored %,d | dead letters %,d | late %,d | lag: pipeline %,d, loader %,d | job %s",
                        LocalTime.now().format(TIME), s.eventsIn(), rate, s.processed(), s.resultsOut(),
                        s.deadLetters(), s.lateEvents(), s.pipelineLag(), s.loaderLag(), s.jobStatus()));
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
            PipelineStatus last = server.status();
            double seconds = (System.nanoTime() - startedAt) / 1e9;
            if (processedAtStart >= 0 && seconds > 0) {
                Console.print(String.format("Throughput: %,.0f events/s processed by the Flink job since the first summary (%,.0f s).",
                        (last.processed() - processedAtStart) / seconds, seconds));
            }
            for (PipelineStatus.TableInfo t : last.tables()) {
                if (t.rowsLoaded() > 0) {
                    Console.print(String.format("Event time to storage, %-18s p50 %,6d ms  p99 %,6d ms  (%,d rows)",
                            t.name() + ":", t.delayP50Millis(), t.delayP99Millis(), t.rowsLoaded()));
                }
            }
            long eventsIn = last.eventsIn();
            server.close();
            Console.print(String.format("Stopped. %,d events in the source topics, %,d rows stored this run. "
                    + "Run the same command again to continue where it stopped.", eventsIn, server.loader().rowsLoaded()));
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
