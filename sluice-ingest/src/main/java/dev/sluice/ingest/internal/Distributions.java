package dev.sluice.ingest.internal;

import java.util.SplittableRandom;

/**
 * Random variates the generators need, spelled out rather than taken from the JDK so that a seed produces the same
 * events on every Java version.
 */
final class Distributions {

    private Distributions() {}

    /** Standard normal by Box-Muller. */
    static double normal(SplittableRandom random) {
        double u1 = 1.0 - random.nextDouble(); // (0, 1], keeps log() finite
        double u2 = random.nextDouble();
        return Math.sqrt(-2.0 * Math.log(u1)) * Math.cos(2.0 * Math.PI * u2);
    }

    /** Exponential with the given mean. */
    static double exponential(SplittableRandom random, double mean) {
        return -Math.log(1.0 - random.nextDouble()) * mean;
    }

    /** Geometric on 1, 2, 3, ... with the given mean (at least 1). */
    static int geometric(SplittableRandom random, double mean) {
        double p = 1.0 / mean;
        return 1 + (int) Math.floor(Math.log(1.0 - random.nextDouble()) / Math.log(1.0 - p));
    }
}
