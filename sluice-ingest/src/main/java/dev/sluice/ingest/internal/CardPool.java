package dev.sluice.ingest.internal;

import java.util.SplittableRandom;

/**
 * The cards of the payments model, each with a home country, used in turn within their country. Normal traffic in a
 * country takes the next card of that country's pool (a seeded shuffle, round robin), so a card pays only in its home
 * country and only once every {@code cards / rate} seconds on average, whatever the country: at 1,000 events/s and
 * 500,000 cards, once in about 8 minutes. Velocity and impossible-travel rules then find the planted patterns, not
 * normal cards. Pools are sized by each country's share of the traffic, so every card of every country is used at
 * the same pace. Not thread-safe.
 */
public final class CardPool {
    private final int size;
    private final Country[] home;
    private final int[][] pools;
    private final int[] next;

    /**
     * @param size   cards, numbered {@code 0..size-1}
     * @param shares each country's share of normal traffic, by {@link Country#ordinal()}; they need not sum to 1
     * @param seed   seeds the shuffle, so the same seed gives every card the same home and turn
     */
    public CardPool(int size, double[] shares, long seed) {
        if (shares.length != Country.count()) {
            throw new IllegalArgumentException("Card pool needs one traffic share per country (" + Country.count() + "), got "
                    + shares.length);
        }
        double total = 0;
        for (double s : shares) {
            if (!(s >= 0)) {
                throw new IllegalArgumentException("Traffic shares must be 0 or more, got " + s);
            }
            total += s;
        }
        if (size < shares.length || total <= 0) {
            throw new IllegalArgumentException("Card pool needs at least one card per country and a positive traffic share, got "
                    + size + " cards and a total share of " + total);
        }
        this.size = size;
        int[] shuffled = new int[size];
        for (int i = 0; i < size; i++) {
            shuffled[i] = i;
        }
        SplittableRandom random = new SplittableRandom(seed);
        for (int i = size - 1; i > 0; i--) {
            int j = random.nextInt(i + 1);
            int t = shuffled[i];
            shuffled[i] = shuffled[j];
            shuffled[j] = t;
        }
        this.home = new Country[size];
        this.pools = new int[shares.length][];
        this.next = new int[shares.length];
        int from = 0;
        for (int c = 0; c < shares.length; c++) {
            int left = shares.length - c - 1;
            int count = c == shares.length - 1 ? size - from
                    : Math.max(1, Math.min(size - from - left, (int) Math.round(size * shares[c] / total)));
            pools[c] = new int[count];
            for (int k = 0; k < count; k++) {
                int card = shuffled[from + k];
                pools[c][k] = card;
                home[card] = Country.at(c);
            }
            from += count;
        }
    }

    /** The next card whose turn it is in {@code country}. */
    public int nextIn(Country country) {
        int c = country.ordinal();
        int[] pool = pools[c];
        int card = pool[next[c]];
        next[c] = next[c] + 1 == pool.length ? 0 : next[c] + 1;
        return card;
    }

    /** Any card, for a fraud pattern. */
    public int any(SplittableRandom random) {
        return random.nextInt(size);
    }

    public Country home(int card) {
        return home[card];
    }

    public int size() {
        return size;
    }

    /** Cards whose home is {@code country}. */
    public int cardsIn(Country country) {
        return pools[country.ordinal()].length;
    }
}
