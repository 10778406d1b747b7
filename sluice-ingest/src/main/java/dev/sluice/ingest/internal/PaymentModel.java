package dev.sluice.ingest.internal;

import dev.sluice.ingest.EncodedEvent;
import dev.sluice.ingest.FraudPattern;
import dev.sluice.ingest.Imperfections;
import dev.sluice.ingest.Payment;
import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

/**
 * The payment-generation model behind {@link dev.sluice.ingest.PaymentsGenerator}: cards, merchant popularity,
 * amounts, event-time lag, unknown merchants, fraud patterns ({@link CardBurst}), duplicates and malformed records. All randomness comes
 * from one seeded {@link SplittableRandom} and time only from the {@code nowMillis} arguments, so the output is a
 * pure function of the seed and the sequence of times passed in. Not thread-safe.
 */
public final class PaymentModel {

    /**
     * Cards, each with a home country where it pays in normal traffic, in turn ({@link CardPool}): at 1,000 events/s a
     * card pays about every 8 minutes, so normal cards do not look like velocity or impossible travel.
     */
    public static final int CARD_COUNT = 500_000;
    /** Seeds the cards' homes and turns, apart from the main random stream. */
    private static final long CARD_POOL_SEED_MIX = 0x6A09E667F3BCC909L;
    /** Zipf exponent of merchant popularity: the top merchant takes about 10% of catalog traffic. */
    static final double MERCHANT_ZIPF_EXPONENT = 0.9;
    static final double UNKNOWN_MERCHANT_RATIO = 0.005;
    /** The payments generator's event-time imperfections when only a malformed ratio is given. */
    public static final double OUT_OF_ORDER_RATIO = 0.02;
    public static final double LATE_RATIO = 0.001;
    /** On average one card-testing burst starts every this many events. */
    static final int EVENTS_PER_BURST = 2_000;
    /** On average one velocity burst starts every this many events. */
    static final int EVENTS_PER_VELOCITY_BURST = 3_000;
    /** On average one impossible-travel pair starts every this many events. */
    static final int EVENTS_PER_TRAVEL = 4_000;
    /** Categories a stolen card is used in for its large payment, when the catalog has merchants of them. */
    private static final int LARGE_PAYMENT_MERCHANT_TRIES = 50;
    static final int PATTERNS_KEPT = 10_000;

    private final SplittableRandom random;
    private final double malformedRatio;
    private final MerchantCatalog catalog;
    private final ZipfSampler popularity;
    private final PaymentJsonWriter json = new PaymentJsonWriter();
    private final EventTimeLag lag;
    private final DuplicateQueue duplicates;
    private final CardPool cards;
    private final String[] unknownMerchantIds = new String[1000];
    private final List<CardBurst> bursts = new ArrayList<>();
    /** The most recent patterns started, at most {@link #PATTERNS_KEPT}; read from monitoring threads too. */
    private final ArrayDeque<FraudPattern> patterns = new ArrayDeque<>();
    private long index;
    private long paymentNumber;
    // Written only by the generating thread, read by monitoring threads.
    private volatile long burstsStarted;
    private volatile long velocityBurstsStarted;
    private volatile long travelsStarted;
    private volatile long malformed;
    private volatile int burstsInProgress;

    public PaymentModel(long seed, double malformedRatio, MerchantCatalog catalog) {
        this(seed, malformedRatio, catalog, 0);
    }

    /** @param paymentsBefore payment numbers already used; the first payment gets {@code paymentsBefore + 1} */
    public PaymentModel(long seed, double malformedRatio, MerchantCatalog catalog, long paymentsBefore) {
        this(seed, imperfections(malformedRatio), catalog, paymentsBefore);
    }

    /**
     * @param imperfections  event-time lag, duplicates and malformed records, shared with the other generators
     * @param paymentsBefore payment numbers already used; the first payment gets {@code paymentsBefore + 1}
     */
    public PaymentModel(long seed, Imperfections imperfections, MerchantCatalog catalog, long paymentsBefore) {
        if (paymentsBefore < 0) {
            throw new IllegalArgumentException("Payments before must be 0 or more, got " + paymentsBefore);
        }
        this.paymentNumber = paymentsBefore;
        this.random = new SplittableRandom(seed);
        this.malformedRatio = imperfections.malformed();
        this.lag = new EventTimeLag(imperfections);
        this.duplicates = new DuplicateQueue(imperfections);
        this.catalog = catalog;
        this.popularity = new ZipfSampler(catalog.size(), MERCHANT_ZIPF_EXPONENT);
        this.cards = new CardPool(CARD_COUNT, countryShares(catalog, popularity), seed ^ CARD_POOL_SEED_MIX);
        for (int i = 0; i < unknownMerchantIds.length; i++) {
            unknownMerchantIds[i] = padded("m-9", i, 3);
        }
    }

    private static Imperfections imperfections(double malformedRatio) {
        if (!(malformedRatio >= 0.0 && malformedRatio <= 1.0)) {
            throw new IllegalArgumentException("Malformed ratio must be between 0 and 1, got " + malformedRatio);
        }
        return new Imperfections(OUT_OF_ORDER_RATIO, LATE_RATIO, 0.0, malformedRatio);
    }

    /** The next valid payment at wall-clock time {@code nowMillis}; never malformed. */
    public Payment nextPayment(long nowMillis) {
        long eventIndex = index++;
        CardBurst.Kind started = random.nextInt(EVENTS_PER_BURST) == 0 ? CardBurst.Kind.CARD_TESTING
                : random.nextInt(EVENTS_PER_VELOCITY_BURST) == 0 ? CardBurst.Kind.VELOCITY
                : random.nextInt(EVENTS_PER_TRAVEL) == 0 ? CardBurst.Kind.IMPOSSIBLE_TRAVEL
                : null;
        if (started != null) {
            CardBurst burst = new CardBurst(started, cardId(cards.any(random)), random, nowMillis, eventIndex);
            bursts.add(burst);
            synchronized (patterns) {
                if (patterns.size() == PATTERNS_KEPT) {
                    patterns.removeFirst();
                }
                patterns.addLast(new FraudPattern(started.name().toLowerCase(java.util.Locale.ROOT), burst.cardId(),
                        Instant.ofEpochMilli(nowMillis)));
            }
            switch (started) {
                case CARD_TESTING -> burstsStarted = burstsStarted + 1;
                case VELOCITY -> velocityBurstsStarted = velocityBurstsStarted + 1;
                case IMPOSSIBLE_TRAVEL -> travelsStarted = travelsStarted + 1;
            }
            updateInProgress();
            return burstPayment(burst, nowMillis, eventIndex);
        }
        for (int i = 0; i < bursts.size(); i++) {
            CardBurst burst = bursts.get(i);
            if (burst.isDue(eventIndex, nowMillis)) {
                return burstPayment(burst, nowMillis, eventIndex);
            }
        }
        return normalPayment(nowMillis);
    }

    /**
     * The next record at {@code nowMillis}, keyed by card id: a duplicate of an earlier one, a malformed one, or a
     * new payment, with the configured shares.
     */
    public EncodedEvent nextRecord(long nowMillis) {
        EncodedEvent duplicate = duplicates.due();
        if (duplicate != null) {
            return duplicate;
        }
        if (malformedRatio > 0.0 && random.nextDouble() < malformedRatio) {
            index++;
            malformed = malformed + 1;
            Payment payment = normalPayment(nowMillis);
            byte[] value = MalformedPayloads.corrupt(json.toJson(payment), random);
            return new EncodedEvent(ascii(payment.cardId()), value);
        }
        Payment payment = nextPayment(nowMillis);
        EncodedEvent event = new EncodedEvent(ascii(payment.cardId()), json.toBytes(payment));
        duplicates.offer(event, random);
        return event;
    }

    /** The fraud patterns started most recently, oldest first, at most {@link #PATTERNS_KEPT}. */
    public List<FraudPattern> recentPatterns() {
        synchronized (patterns) {
            return List.copyOf(patterns);
        }
    }

    /** Card-testing bursts started so far. */
    public long burstsStarted() {
        return burstsStarted;
    }

    public long velocityBurstsStarted() {
        return velocityBurstsStarted;
    }

    public long travelsStarted() {
        return travelsStarted;
    }

    /** Card-testing bursts started whose payments have not all been emitted yet. */
    public int burstsInProgress() {
        return burstsInProgress;
    }

    public long malformed() {
        return malformed;
    }

    public long duplicates() {
        return duplicates.duplicates();
    }

    private void updateInProgress() {
        int testing = 0;
        for (int i = 0; i < bursts.size(); i++) {
            if (bursts.get(i).kind() == CardBurst.Kind.CARD_TESTING) {
                testing++;
            }
        }
        burstsInProgress = testing;
    }

    private Payment burstPayment(CardBurst burst, long nowMillis, long eventIndex) {
        int merchantIndex = burstMerchant(burst);
        Merchant merchant = catalog.get(merchantIndex);
        long cents;
        if (burst.kind() == CardBurst.Kind.CARD_TESTING) {
            cents = burst.nextIsLarge() ? CardBurst.sampleLargeCents(random, merchant.country().unitsPerEuro())
                    : CardBurst.sampleTestingCents(random);
        } else {
            cents = merchant.category().sampleCents(random, merchant.country().unitsPerEuro());
        }
        burst.advance(merchantIndex, random, eventIndex);
        if (burst.finished()) {
            bursts.remove(burst);
            updateInProgress();
        }
        return payment(burst.cardId(), merchant.id(), cents, merchant.country(), nowMillis);
    }

    /**
     * A merchant the burst has not used yet; for the second payment of impossible travel one in another country,
     * for card testing's large payment preferably one selling electronics or travel.
     */
    private int burstMerchant(CardBurst burst) {
        int merchant;
        boolean otherCountryNeeded = burst.kind() == CardBurst.Kind.IMPOSSIBLE_TRAVEL && burst.emitted() > 0;
        int tries = 0;
        do {
            merchant = random.nextInt(catalog.size());
            tries++;
        } while (burst.usedAlready(merchant)
                || (otherCountryNeeded && catalog.get(merchant).country() == catalog.get(burst.firstMerchant()).country())
                || (burst.nextIsLarge() && tries < LARGE_PAYMENT_MERCHANT_TRIES
                        && catalog.get(merchant).category() != Category.ELECTRONICS
                        && catalog.get(merchant).category() != Category.TRAVEL));
        return merchant;
    }

    /** Each country's share of normal traffic: its merchants' popularity, and its part of the unknown merchants. */
    private static double[] countryShares(MerchantCatalog catalog, ZipfSampler popularity) {
        double[] shares = new double[Country.count()];
        for (int k = 0; k < catalog.size(); k++) {
            shares[catalog.get(k).country().ordinal()] += popularity.probability(k) * (1 - UNKNOWN_MERCHANT_RATIO);
        }
        for (int c = 0; c < shares.length; c++) {
            shares[c] += UNKNOWN_MERCHANT_RATIO / shares.length;
        }
        return shares;
    }

    private static String cardId(int card) {
        return padded("c-", card + 1L, 6);
    }

    /** A normal payment: a merchant by popularity, paid by the card whose turn it is in the merchant's country. */
    private Payment normalPayment(long nowMillis) {
        String merchantId;
        Country country;
        Category category;
        if (random.nextDouble() < UNKNOWN_MERCHANT_RATIO) {
            merchantId = unknownMerchantIds[random.nextInt(unknownMerchantIds.length)];
            country = Country.at(random.nextInt(Country.count()));
            category = Category.at(random.nextInt(Category.count()));
        } else {
            Merchant merchant = catalog.get(popularity.sample(random));
            merchantId = merchant.id();
            country = merchant.country();
            category = merchant.category();
        }
        String cardId = cardId(cards.nextIn(country));
        long cents = category.sampleCents(random, country.unitsPerEuro());
        return payment(cardId, merchantId, cents, country, nowMillis - lag.lagMillis(random));
    }

    private Payment payment(String cardId, String merchantId, long cents, Country country, long eventMillis) {
        return new Payment(
                padded("p-", ++paymentNumber, 12),
                cardId,
                merchantId,
                BigDecimal.valueOf(cents, 2),
                country.currency(),
                country.code(),
                Instant.ofEpochMilli(eventMillis));
    }

    /** {@code prefix} and {@code value} zero-padded to {@code width} digits (more digits if it needs them). */
    static String padded(String prefix, long value, int width) {
        String digits = Long.toString(value);
        StringBuilder text = new StringBuilder(prefix.length() + Math.max(width, digits.length())).append(prefix);
        for (int i = digits.length(); i < width; i++) {
            text.append('0');
        }
        return text.append(digits).toString();
    }

    private static byte[] ascii(String text) {
        return text.getBytes(StandardCharsets.US_ASCII);
    }
}
