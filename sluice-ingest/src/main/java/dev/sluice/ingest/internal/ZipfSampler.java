package dev.sluice.ingest.internal;

import java.util.Arrays;
import java.util.SplittableRandom;

/**
 * Draws ranks {@code 0..n-1} with Zipf-like probabilities (rank {@code k} has weight {@code 1/(k+1)^s}), the
 * usual shape of popularity: a few merchants take much of the traffic, most get a little.
 */
public final class ZipfSampler {

    private final double[] cumulative;

    public ZipfSampler(int n, double exponent) {
        if (n < 1) {
            throw new IllegalArgumentException("Zipf sampler needs at least one rank, got n=" + n);
        }
        if (!(exponent >= 0.0) || Double.isInfinite(exponent)) {
            throw new IllegalArgumentException("Zipf exponent must be finite and >= 0, got " + exponent);
        }
        cumulative = new double[n];
        double sum = 0.0;
        for (int k = 0; k < n; k++) {
            sum += 1.0 / Math.pow(k + 1, exponent);
            cumulative[k] = sum;
        }
        for (int k = 0; k < n; k++) {
            cumulative[k] /= sum;
        }
        cumulative[n - 1] = 1.0;
    }

    /** Probability of rank {@code k}. */
    public double probability(int k) {
        return k == 0 ? cumulative[0] : cumulative[k] - cumulative[k - 1];
    }

    public int sample(SplittableRandom random) {
        double u = random.nextDouble();
        int found = Arrays.binarySearch(cumulative, u);
        // An exact hit on a boundary belongs to the next rank, as [c(k-1), c(k)) is rank k.
        int rank = found >= 0 ? found + 1 : -found - 1;
        return Math.min(rank, cumulative.length - 1);
    }
}
