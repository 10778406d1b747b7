package dev.sluice.ingest.internal;

import java.util.SplittableRandom;

/**
 * One injected "card testing" attack in progress: a fraudster checks a stolen card with a series of small
 * payments at different merchants before using it for real. The burst's payments are spread out between normal
 * traffic: each falls due after a random number of further events, or at the latest when its slot in a 40 s
 * window has come, so that the whole burst lies within about 40 s of event time at any generation rate.
 */
public final class CardTestingBurst {

    /** Event-time window the burst's payments fall into. */
    static final long SPAN_MILLIS = 40_000;
    static final int MIN_PAYMENTS = 8;
    static final int MAX_PAYMENTS = 15;
    static final long MIN_CENTS = 50;
    static final long MAX_CENTS = 500;
    /** Normal events between two burst payments are drawn from {@code 0..MAX_GAP_EVENTS-1}. */
    private static final int MAX_GAP_EVENTS = 80;

    private final String cardId;
    private final int size;
    private final long startMillis;
    private final int[] merchantsUsed;
    private int emitted;
    private long nextDueIndex;

    CardTestingBurst(String cardId, SplittableRandom random, long startMillis, long startIndex) {
        this.cardId = cardId;
        this.size = MIN_PAYMENTS + random.nextInt(MAX_PAYMENTS - MIN_PAYMENTS + 1);
        this.startMillis = startMillis;
        this.merchantsUsed = new int[size];
        this.nextDueIndex = startIndex;
    }

    String cardId() {
        return cardId;
    }

    int size() {
        return size;
    }

    boolean finished() {
        return emitted == size;
    }

    /** Whether the next payment of this burst should be emitted as event number {@code index}. */
    boolean isDue(long index, long nowMillis) {
        return index >= nextDueIndex || nowMillis >= startMillis + emitted * SPAN_MILLIS / size;
    }

    /**
     * Picks the merchant for the next payment, different from all earlier ones of this burst, and advances the
     * burst. Returns the catalog index.
     */
    int advance(SplittableRandom random, int catalogSize, long index) {
        int merchant;
        do {
            merchant = random.nextInt(catalogSize);
        } while (usedAlready(merchant));
        merchantsUsed[emitted++] = merchant;
        nextDueIndex = index + 1 + random.nextInt(MAX_GAP_EVENTS);
        return merchant;
    }

    static long sampleCents(SplittableRandom random) {
        return MIN_CENTS + random.nextInt((int) (MAX_CENTS - MIN_CENTS + 1));
    }

    private boolean usedAlready(int merchant) {
        for (int i = 0; i < emitted; i++) {
            if (merchantsUsed[i] == merchant) {
                return true;
            }
        }
        return false;
    }
}
