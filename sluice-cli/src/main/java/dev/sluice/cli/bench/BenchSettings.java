package dev.sluice.cli.bench;

import java.nio.file.Path;
import java.time.Duration;

/**
 * One benchmark run of {@link Bench}.
 *
 * @param scenario           the scenario's name, one of {@link Bench#scenarios()}
 * @param events             how many events go through the pipeline
 * @param eventsPerSecond    0: load all events into the source topic first, then start the pipeline and measure how
 *                           fast it goes; otherwise: start the pipeline, then drive the generator at this fixed rate
 *                           (delays are measured only then)
 * @param parallelism        Flink parallelism of the pipeline's job
 * @param checkpointInterval Flink checkpoint interval, which is also how often exactly-once results become visible
 * @param dataDir            a fresh directory for the broker log, Flink state and the DuckDB file
 * @param examplesDir        the {@code examples} directory of the installation (for the demo scenario)
 * @param seed               seeds the generator, so that a run can be repeated with the same input
 * @param timeout            how long the run may wait without any progress before it gives up
 */
public record BenchSettings(String scenario, long events, double eventsPerSecond, int parallelism, Duration checkpointInterval,
        Path dataDir, Path examplesDir, long seed, Duration timeout) {

    public BenchSettings {
        if (events < 1) {
            throw new IllegalArgumentException("events must be at least 1, got " + events);
        }
        if (eventsPerSecond < 0 || Double.isNaN(eventsPerSecond)) {
            throw new IllegalArgumentException("events per second must be 0 (load first, then as fast as possible) or positive, got "
                    + eventsPerSecond);
        }
        if (parallelism < 1) {
            throw new IllegalArgumentException("parallelism must be at least 1, got " + parallelism);
        }
        if (checkpointInterval.isNegative() || checkpointInterval.isZero()) {
            throw new IllegalArgumentException("checkpoint interval must be positive, got " + checkpointInterval);
        }
    }

    /** True when the input is loaded before the pipeline starts (maximum rate). */
    public boolean preloaded() {
        return eventsPerSecond == 0;
    }
}
