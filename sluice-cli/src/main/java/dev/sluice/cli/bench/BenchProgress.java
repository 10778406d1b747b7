package dev.sluice.cli.bench;

/**
 * Where a {@link Bench} run is, for a progress line.
 *
 * @param phase       {@code loading}, {@code starting}, {@code running} or {@code checking}
 * @param done        events loaded (loading) or read by the job (running)
 * @param total       events in the run
 * @param perSecond   the rate over the last interval
 * @param rowsStored  result rows stored so far
 */
public record BenchProgress(String phase, long done, long total, double perSecond, long rowsStored) {}
