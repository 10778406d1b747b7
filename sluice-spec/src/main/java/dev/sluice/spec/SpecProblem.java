package dev.sluice.spec;

/**
 * One thing wrong with a pipeline file: where it is, the key it concerns (dotted path such as
 * {@code sources[0].event-time.column}), and a message saying what was wrong and what is allowed.
 */
public record SpecProblem(Location location, String key, String message) {
    @Override
    public String toString() {
        return location + ": " + key + ": " + message;
    }
}
