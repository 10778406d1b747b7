package dev.sluice.ingest.internal;

import java.util.SplittableRandom;

/**
 * One injected fraud pattern in progress on one card, its payments spread out between normal traffic: each falls
 * due after a random number of further events, or at the latest when its slot in the pattern's event-time span has
 * come, so that the whole pattern lies within its span at any generation rate.
 *
 * <ul>
 *   <li>{@link Kind#CARD_TESTING}: a fraudster checks a stolen card with 8..15 payments of 0.50..5.00 at different
 *       merchants within about 40 s, then uses it for one large payment (800..3,000 EUR).</li>
 *   <li>{@link Kind#VELOCITY}: 4..7 ordinary payments at different merchants within about 2 to 5 minutes.</li>
 *   <li>{@link Kind#IMPOSSIBLE_TRAVEL}: two payments in two different countries within minutes.</li>
 * </ul>
 */
public final class CardBurst {

    /** The patterns; the spans are the event-time windows their payments fall into. */
    public enum Kind {
        CARD_TESTING(8, 15, 40_000, 40_000),
        VELOCITY(4, 7, 120_000, 300_000),
        IMPOSSIBLE_TRAVEL(2, 2, 60_000, 300_000);

        final int minPayments;
        final int maxPayments;
        final long minSpanMillis;
        final long maxSpanMillis;

        Kind(int minPayments, int maxPayments, long minSpanMillis, long maxSpanMillis) {
            this.minPayments = minPayments;
            this.maxPayments = maxPayments;
            this.minSpanMillis = minSpanMillis;
            this.maxSpanMillis = maxSpanMillis;
        }
    }

    static final long MIN_CENTS = 50;
    static final long MAX_CENTS = 500;
    /** The large payment after card testing, in euros. */
    static final double MIN_LARGE_EUROS = 800.0;
    static final double MAX_LARGE_EUROS = 3_000.0;
    /** Normal events between two burst payments are drawn from {@code 0..MAX_GAP_EVENTS-1}. */
    private static final int MAX_GAP_EVENTS = 80;

    private final Kind kind;
    private final String cardId;
    private final int size;
    private final long startMillis;
    private final long spanMillis;
    private final int[] merchantsUsed;
    private int emitted;
    private long nextDueIndex;

    CardBurst(Kind kind, String cardId, SplittableRandom random, long startMillis, long startIndex) {
        this.kind = kind;
        this.cardId = cardId;
        int payments = kind.minPayments + random.nextInt(kind.maxPayments - kind.minPayments + 1);
        // Card testing ends with the large payment the testing was for.
        this.size = kind == Kind.CARD_TESTING ? payments + 1 : payments;
        this.startMillis = startMillis;
        this.spanMillis = kind.minSpanMillis + random.nextLong(kind.maxSpanMillis - kind.minSpanMillis + 1);
        this.merchantsUsed = new int[size];
        this.nextDueIndex = startIndex;
    }

    Kind kind() {
        return kind;
    }

    String cardId() {
        return cardId;
    }

    int size() {
        return size;
    }

    /** How many of the burst's payments have been emitted. */
    int emitted() {
        return emitted;
    }

    boolean finished() {
        return emitted == size;
    }

    /** Whether the next payment is card testing's final large payment. */
    boolean nextIsLarge() {
        return kind == Kind.CARD_TESTING && emitted == size - 1;
    }

    /** The merchant of the first payment, once there was one. */
    int firstMerchant() {
        return merchantsUsed[0];
    }

    /** Whether the next payment of this burst should be emitted as event number {@code index}. */
    boolean isDue(long index, long nowMillis) {
        return index >= nextDueIndex || nowMillis >= startMillis + emitted * spanMillis / size;
    }

    boolean usedAlready(int merchant) {
        for (int i = 0; i < emitted; i++) {
            if (merchantsUsed[i] == merchant) {
                return true;
            }
        }
        return false;
    }

    /** Records the merchant (catalog index) of the payment just emitted and advances the burst. */
    void advance(int merchant, SplittableRandom random, long index) {
        merchantsUsed[emitted++] = merchant;
        nextDueIndex = index + 1 + random.nextInt(MAX_GAP_EVENTS);
    }

    static long sampleTestingCents(SplittableRandom random) {
        return MIN_CENTS + random.nextInt((int) (MAX_CENTS - MIN_CENTS + 1));
    }

    static long sampleLargeCents(SplittableRandom random, double unitsPerEuro) {
        double euros = MIN_LARGE_EUROS + (MAX_LARGE_EUROS - MIN_LARGE_EUROS) * random.nextDouble();
        return Math.round(euros * unitsPerEuro * 100.0);
    }
}
