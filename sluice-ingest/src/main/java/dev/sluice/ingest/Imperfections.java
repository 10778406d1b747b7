package dev.sluice.ingest;

/**
 * How imperfect a generator's stream is, as shares of all records: out of order (event time 1 ms..3 s in the
 * past), late (20..60 s in the past, beyond a typical watermark), duplicated (the same bytes sent again a few
 * records later, as a producer retry would) and malformed (cut-off JSON, a number written as text with a decimal
 * comma, a timestamp in a local format, or not JSON at all). Real streams have all four; pipelines must cope.
 * Immutable; start from {@link #typical()} or {@link #none()} and refine with the {@code with...} copies.
 *
 * <pre>{@code
 * Imperfections imperfections = Imperfections.typical().withMalformed(0.01);
 * }</pre>
 *
 * <p>Duplicates are a share of all records; the other shares are of the new (not repeated) events.
 *
 * @param outOfOrder share of records whose event time lies {@value #MAX_OUT_OF_ORDER_MILLIS} ms or less in the past
 * @param late       share of records whose event time lies {@value #MIN_LATE_MILLIS}..{@value #MAX_LATE_MILLIS} ms
 *                   in the past
 * @param duplicate  share of records sent a second time, 1..{@value #MAX_DUPLICATE_DELAY} records later
 * @param malformed  share of records replaced by a broken version of themselves
 */
public record Imperfections(double outOfOrder, double late, double duplicate, double malformed) {

    public static final long MAX_OUT_OF_ORDER_MILLIS = 3_000;
    public static final long MIN_LATE_MILLIS = 20_000;
    public static final long MAX_LATE_MILLIS = 60_000;
    public static final int MAX_DUPLICATE_DELAY = 20;

    public Imperfections {
        check("out-of-order", outOfOrder);
        check("late", late);
        check("duplicate", duplicate);
        check("malformed", malformed);
        if (duplicate > 0.5) {
            throw new IllegalArgumentException("The duplicate share of a generator's records must be at most 0.5"
                    + " (every new event sent twice), got " + duplicate);
        }
        if (outOfOrder + late > 1.0) {
            throw new IllegalArgumentException("Out-of-order and late shares together must be at most 1, got "
                    + outOfOrder + " + " + late);
        }
    }

    /** A perfect stream: in order, on time, no duplicates, nothing malformed. */
    public static Imperfections none() {
        return new Imperfections(0.0, 0.0, 0.0, 0.0);
    }

    /** What the demo streams use: 2% out of order, 0.1% late, 0.1% duplicated, 0.05% malformed. */
    public static Imperfections typical() {
        return new Imperfections(0.02, 0.001, 0.001, 0.0005);
    }

    public Imperfections withOutOfOrder(double share) {
        return new Imperfections(share, late, duplicate, malformed);
    }

    public Imperfections withLate(double share) {
        return new Imperfections(outOfOrder, share, duplicate, malformed);
    }

    public Imperfections withDuplicate(double share) {
        return new Imperfections(outOfOrder, late, share, malformed);
    }

    public Imperfections withMalformed(double share) {
        return new Imperfections(outOfOrder, late, duplicate, share);
    }

    private static void check(String what, double share) {
        if (!(share >= 0.0 && share <= 1.0)) {
            throw new IllegalArgumentException("The " + what + " share of a generator's records must be between 0"
                    + " and 1, got " + share);
        }
    }
}
