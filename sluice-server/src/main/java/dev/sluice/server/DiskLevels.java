package dev.sluice.server;

/**
 * When Sluice warns about and stops for low disk space on its data directory. Below {@code warnBelow} free, the
 * status, the API and the console say so. Below {@code stopBelow}, Sluice refuses new input (the embedded broker's
 * {@link dev.sluice.broker.InputGate} closes, generators pause) while the pipelines keep processing and storing what was
 * accepted and queries keep answering; input resumes by itself once free space is back above the midpoint of the two
 * levels, so that a disk hovering at the stop level does not open and close the gate every second.
 */
public record DiskLevels(SpaceThreshold warnBelow, SpaceThreshold stopBelow) {
    /** Warn below the smaller of 10% and 2 GB free. */
    public static final SpaceThreshold DEFAULT_WARN = SpaceThreshold.smallerOf(10, 2L << 30);
    /** Stop input below the smaller of 5% and 1 GB free. */
    public static final SpaceThreshold DEFAULT_STOP = SpaceThreshold.smallerOf(5, 1L << 30);

    public static DiskLevels defaults() {
        return new DiskLevels(DEFAULT_WARN, DEFAULT_STOP);
    }
}
