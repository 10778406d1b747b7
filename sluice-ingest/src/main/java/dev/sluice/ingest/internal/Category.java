package dev.sluice.ingest.internal;

import java.util.SplittableRandom;

/**
 * Merchant categories of the payments demo, each with a log-normal amount model (median and spread in euros).
 * Log-normal because real basket sizes are: many small payments, a long tail of large ones, never negative.
 */
public enum Category {
    GROCERY("grocery", 32.0, 0.7),
    RESTAURANTS("restaurants", 38.0, 0.6),
    FUEL("fuel", 58.0, 0.35),
    PHARMACY("pharmacy", 21.0, 0.65),
    FASHION("fashion", 75.0, 0.75),
    ELECTRONICS("electronics", 160.0, 1.0),
    TRAVEL("travel", 290.0, 0.85),
    DIGITAL_GOODS("digital_goods", 11.0, 0.9),
    ENTERTAINMENT("entertainment", 28.0, 0.6),
    HOME_GARDEN("home_garden", 65.0, 0.9);

    /** Smallest amount a card payment is made for, in minor units of any currency. */
    static final long MIN_CENTS = 50;
    /** Largest amount modelled, in euros, so the tail of the distribution stays believable. */
    private static final double MAX_EUROS = 25_000.0;

    private static final Category[] VALUES = values();

    private final String label;
    private final double mu;
    private final double sigma;

    Category(String label, double medianEuros, double sigma) {
        this.label = label;
        this.mu = Math.log(medianEuros);
        this.sigma = sigma;
    }

    /** The lowercase name used in merchants.csv. */
    public String label() {
        return label;
    }

    /**
     * Draws an amount in minor units (cents) of a currency worth {@code unitsPerEuro} per euro.
     */
    long sampleCents(SplittableRandom random, double unitsPerEuro) {
        double euros = Math.min(Math.exp(mu + sigma * standardNormal(random)), MAX_EUROS);
        return Math.max(MIN_CENTS, Math.round(euros * unitsPerEuro * 100.0));
    }

    static Category at(int index) {
        return VALUES[index];
    }

    static int count() {
        return VALUES.length;
    }

    /** The category with this label, or {@code null} if there is none. */
    static Category byLabel(String label) {
        for (Category category : VALUES) {
            if (category.label.equals(label)) {
                return category;
            }
        }
        return null;
    }

    /**
     * A standard normal variate by Box-Muller, spelled out rather than taken from the JDK so that a seed
     * produces the same amounts on every Java version.
     */
    private static double standardNormal(SplittableRandom random) {
        double u1 = 1.0 - random.nextDouble(); // (0, 1], keeps log() finite
        double u2 = random.nextDouble();
        return Math.sqrt(-2.0 * Math.log(u1)) * Math.cos(2.0 * Math.PI * u2);
    }
}
