package dev.sluice.ingest.internal;

import dev.sluice.ingest.EncodedEvent;
import dev.sluice.ingest.Payment;
import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

/**
 * The payment-generation model behind {@link dev.sluice.ingest.PaymentsGenerator}: cards, merchant popularity,
 * amounts, event-time jitter, unknown merchants, card-testing bursts and malformed records. All randomness comes
 * from one seeded {@link SplittableRandom} and time only from the {@code nowMillis} arguments, so the output is a
 * pure function of the seed and the sequence of times passed in. Not thread-safe.
 */
public final class PaymentModel {

    public static final int CARD_COUNT = 50_000;
    /** Zipf exponent of merchant popularity: the top merchant takes about 10% of catalog traffic. */
    static final double MERCHANT_ZIPF_EXPONENT = 0.9;
    static final double UNKNOWN_MERCHANT_RATIO = 0.005;
    static final double OUT_OF_ORDER_RATIO = 0.02;
    static final double LATE_RATIO = 0.001;
    static final long MAX_OUT_OF_ORDER_MILLIS = 3_000;
    static final long MIN_LATE_MILLIS = 20_000;
    static final long MAX_LATE_MILLIS = 60_000;
    /** On average one card-testing burst starts every this many events. */
    static final int EVENTS_PER_BURST = 2_000;

    private final SplittableRandom random;
    private final double malformedRatio;
    private final MerchantCatalog catalog;
    private final ZipfSampler popularity;
    private final PaymentJsonWriter json = new PaymentJsonWriter();
    private final String[] cardIds = new String[CARD_COUNT];
    private final String[] unknownMerchantIds = new String[1000];
    private final List<CardTestingBurst> bursts = new ArrayList<>();
    private long index;
    private long paymentNumber;
    // Written only by the generating thread, read by monitoring threads.
    private volatile long burstsStarted;
    private volatile long malformed;
    private volatile int burstsInProgress;

    public PaymentModel(long seed, double malformedRatio, MerchantCatalog catalog) {
        this(seed, malformedRatio, catalog, 0);
    }

    /** @param paymentsBefore payment numbers already used; the first payment gets {@code paymentsBefore + 1} */
    public PaymentModel(long seed, double malformedRatio, MerchantCatalog catalog, long paymentsBefore) {
        if (paymentsBefore < 0) {
            throw new IllegalArgumentException("Payments before must be 0 or more, got " + paymentsBefore);
        }
        this.paymentNumber = paymentsBefore;
        if (!(malformedRatio >= 0.0 && malformedRatio <= 1.0)) {
            throw new IllegalArgumentException("Malformed ratio must be between 0 and 1, got " + malformedRatio);
        }
        this.random = new SplittableRandom(seed);
        this.malformedRatio = malformedRatio;
        this.catalog = catalog;
        this.popularity = new ZipfSampler(catalog.size(), MERCHANT_ZIPF_EXPONENT);
        for (int i = 0; i < CARD_COUNT; i++) {
            cardIds[i] = padded("c-", i + 1, 6);
        }
        for (int i = 0; i < unknownMerchantIds.length; i++) {
            unknownMerchantIds[i] = padded("m-9", i, 3);
        }
    }

    /** The next valid payment at wall-clock time {@code nowMillis}; never malformed. */
    public Payment nextPayment(long nowMillis) {
        long eventIndex = index++;
        if (random.nextInt(EVENTS_PER_BURST) == 0) {
            CardTestingBurst burst = new CardTestingBurst(
                    cardIds[random.nextInt(CARD_COUNT)], random, nowMillis, eventIndex);
            bursts.add(burst);
            burstsInProgress = bursts.size();
            burstsStarted = burstsStarted + 1;
            return burstPayment(burst, nowMillis, eventIndex);
        }
        for (int i = 0; i < bursts.size(); i++) {
            CardTestingBurst burst = bursts.get(i);
            if (burst.isDue(eventIndex, nowMillis)) {
                return burstPayment(burst, nowMillis, eventIndex);
            }
        }
        return normalPayment(nowMillis);
    }

    /** The next record at {@code nowMillis}, keyed by card id; malformed with the configured ratio. */
    public EncodedEvent nextRecord(long nowMillis) {
        if (malformedRatio > 0.0 && random.nextDouble() < malformedRatio) {
            index++;
            malformed = malformed + 1;
            Payment payment = normalPayment(nowMillis);
            byte[] value = MalformedPayloads.corrupt(json.toJson(payment), random);
            return new EncodedEvent(ascii(payment.cardId()), value);
        }
        Payment payment = nextPayment(nowMillis);
        return new EncodedEvent(ascii(payment.cardId()), json.toBytes(payment));
    }

    public long burstsStarted() {
        return burstsStarted;
    }

    /** Bursts started whose payments have not all been emitted yet. */
    public int burstsInProgress() {
        return burstsInProgress;
    }

    public long malformed() {
        return malformed;
    }

    private Payment burstPayment(CardTestingBurst burst, long nowMillis, long eventIndex) {
        Merchant merchant = catalog.get(burst.advance(random, catalog.size(), eventIndex));
        if (burst.finished()) {
            bursts.remove(burst);
            burstsInProgress = bursts.size();
        }
        long cents = CardTestingBurst.sampleCents(random);
        return payment(burst.cardId(), merchant.id(), cents, merchant.country(), nowMillis);
    }

    private Payment normalPayment(long nowMillis) {
        String cardId = cardIds[random.nextInt(CARD_COUNT)];
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
        long cents = category.sampleCents(random, country.unitsPerEuro());
        return payment(cardId, merchantId, cents, country, nowMillis - jitterMillis());
    }

    /** How far in the past the event time lies: mostly 0, sometimes a little (out of order), rarely a lot (late). */
    private long jitterMillis() {
        double u = random.nextDouble();
        if (u < LATE_RATIO) {
            return MIN_LATE_MILLIS + random.nextInt((int) (MAX_LATE_MILLIS - MIN_LATE_MILLIS + 1));
        }
        if (u < LATE_RATIO + OUT_OF_ORDER_RATIO) {
            return 1 + random.nextInt((int) MAX_OUT_OF_ORDER_MILLIS);
        }
        return 0;
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
