package dev.sluice.cli.bench;

import dev.sluice.server.StartupReport;
import java.util.List;
import java.util.Map;

/**
 * What one {@link Bench} run measured. Times in milliseconds, memory in bytes; a figure that was not measured in this
 * kind of run is {@code -1} (e.g. delays of a pre-loaded run, where every event waited in the topic).
 *
 * @param scenario            the scenario
 * @param events              events in the source topic (the generated ones, without the end markers)
 * @param mode                {@code "preloaded"} (loaded first, then as fast as possible) or {@code "rate"}
 * @param targetRate          the generator's events/s in rate mode, 0 when pre-loaded
 * @param parallelism         Flink parallelism
 * @param checkpointMillis    checkpoint interval
 * @param loadEventsPerSecond how fast the input was loaded into the topic (pre-loaded runs)
 * @param eventsPerSecond     sustained rate: events the job read between 20% and 95% of the input, per second of that span
 * @param overallEventsPerSecond all events over the time from the job's submission to the last result row stored
 * @param cpuSecondsPerMillion process CPU time over the same span as {@code eventsPerSecond}, per million events read
 * @param runSeconds          job submission to last result row stored
 * @param stackStartMillis    process start to broker, Flink cluster, store and HTTP server up
 * @param jobStartMillis      job submission to the first result row visible in storage
 * @param checkpoints         checkpoints completed during the run, with their durations
 * @param delays              per table, the delay from the event to the row visible in storage (rate mode only)
 * @param memory              peaks over the whole process
 * @param correct             whether every checked table held exactly the expected rows
 * @param problems            what differed, when not correct
 * @param rowsStored          rows stored per table
 * @param startup             the server's start-up phases, each the moment it ended in ms since the JVM started (see
 *                            {@link StartupReport}); the first row comes after the input was loaded in a pre-loaded run.
 *                            Empty when the report was not complete
 */
public record BenchReport(String scenario, long events, String mode, double targetRate, int parallelism, long checkpointMillis,
        double loadEventsPerSecond, double eventsPerSecond, double overallEventsPerSecond, double cpuSecondsPerMillion,
        double runSeconds, long stackStartMillis, long jobStartMillis, CheckpointStats checkpoints, Map<String, Delays> delays,
        Memory memory, boolean correct, List<String> problems, Map<String, Long> rowsStored, List<StartupReport.Phase> startup) {

    public BenchReport {
        delays = Map.copyOf(delays);
        problems = List.copyOf(problems);
        rowsStored = Map.copyOf(rowsStored);
        startup = List.copyOf(startup);
    }

    /**
     * Exact delay percentiles of one table, in ms.
     *
     * @param origin what the delay is measured from (see docs/benchmarks.md)
     */
    public record Delays(String origin, long rows, long p50, long p95, long p99, long max) {}

    /** Completed checkpoints seen while the job ran, with the median and longest end-to-end duration in ms. */
    public record CheckpointStats(long completed, long medianMillis, long maxMillis) {}

    /**
     * @param heapPeak   the sum of the heap pools' peak usage
     * @param directPeak the largest direct buffer memory seen (sampled)
     * @param rssPeak    the process's peak resident set size ({@code VmHWM} of {@code /proc/self/status}), -1 where unknown
     */
    public record Memory(long heapPeak, long directPeak, long rssPeak) {}
}
