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
        try {
            while (!stop.await(Math.min(summaryInterval.toMillis(), Math.max(1, (end - System.nanoTime()) / 1_000_000)),
                    TimeUnit.MILLISECONDS)) {
                long now = System.nanoTime();
                PipelineStatus s = server.status();
                double seconds = (now - previousAt) / 1e9;
                String rate = previousIn < 0 ? "" : String.format(" (%,.0f/s)", (s.eventsIn() - previousIn) / seconds);
                Console.print(String.format("%s  events in %,d%s | results stored %,d | rows stored %,d | dead letters %,d | late %,d | lag: pipeline %,d, loader %,d | job %s",
                        LocalTime.now().format(TIME), s.eventsIn(), rate, s.resultsOut(), s.rowsLoadedTotal(),
                        s.deadLetters(), s.lateEvents(), s.pipelineLag(), s.loaderLag(), s.jobStatus()));
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
            long eventsIn = server.status().eventsIn();
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
