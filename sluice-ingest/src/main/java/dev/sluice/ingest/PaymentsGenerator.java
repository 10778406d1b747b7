package dev.sluice.ingest;

import dev.sluice.ingest.internal.MerchantCatalog;
import dev.sluice.ingest.internal.PaymentModel;
import java.time.Clock;
import java.util.List;

/**
 * Realistic card payments for the demo pipeline, with the awkward parts real streams have and a fraud pattern
 * for the pipeline to find.
 *
 * <ul>
 *   <li>500,000 cards and the 200 merchants of {@code examples/payments/merchants.csv}, chosen with Zipf-like
 *       popularity (m-0001 most popular). A payment's country is its merchant's and its currency that country's
 *       (EUR in DE/FR/ES/IT/NL, GBP, USD, CHF, SEK, PLN, JPY); amounts are log-normal per merchant category.
 *       Every card has a home country and, in normal traffic, pays only there and in turn with the other cards of
 *       that country, so it pays again only after about {@code 500,000 / rate} seconds (8 minutes at 1,000
 *       events/s): normal cards do not trip velocity or impossible-travel rules, the planted patterns do.</li>
 *   <li>Event time is the clock's time, except ~2% of payments that are 1 ms..3 s older (out of order) and
 *       ~0.1% that are 20..60 s older (late, beyond a typical watermark).</li>
 *   <li>~0.5% of payments name a merchant outside the catalog ({@code m-9xxx}) so enrichment joins must cope.</li>
 *   <li>Card testing: about once every 2,000 events a burst starts for a random card, 8..15 payments of
 *       0.50..5.00 at different merchants, interleaved with normal traffic and within ~40 s of event time, followed
 *       by one large payment (800..3,000 EUR in local money, at an electronics or travel merchant where the
 *       catalog has one) within the same 40 s. {@link #burstsStarted()} counts them so a test or demo can check
 *       that alerts caught them all.</li>
 *   <li>Velocity: about once every 3,000 events a card makes 4..7 ordinary payments at different merchants within
 *       2..5 minutes ({@link #velocityBurstsStarted()}).</li>
 *   <li>Impossible travel: about once every 4,000 events a card pays in one country and, within 1..5 minutes, in
 *       another ({@link #travelsStarted()}).</li>
 *   <li>Optionally, a fraction of records from {@link #nextEvent()} is broken (cut-off JSON, wrong types, not JSON
 *       at all) to exercise the dead-letter path ({@link #DEMO_MALFORMED_RATIO} is the demo's choice), and, with
 *       {@link Imperfections}, a fraction is sent twice and the event-time shares are chosen.</li>
 * </ul>
 *
 * <p>The output is deterministic: the same seed and the same sequence of clock readings give the same events.
 * Each call to {@link #next()} or {@link #nextEvent()} reads {@link Clock#instant()} exactly once. Not
 * thread-safe; the counters may be read from any thread.
 *
 * <pre>{@code
 * PaymentsGenerator generator = new PaymentsGenerator(42, Clock.systemUTC(), PaymentsGenerator.DEMO_MALFORMED_RATIO);
 * Payment payment = generator.next();            // a valid payment
 * EncodedEvent record = generator.nextEvent();   // key = card id, value = JSON (or, rarely, garbage)
 * }</pre>
 */
public final class PaymentsGenerator implements EventGenerator {

    /** Share of malformed records the demo produces: one in 2,000. */
    public static final double DEMO_MALFORMED_RATIO = 0.0005;
    /** Number of distinct cards, {@code c-000001} .. {@code c-500000}. */
    public static final int CARD_COUNT = PaymentModel.CARD_COUNT;

    private final Clock clock;
    private final PaymentModel model;

    /** A generator that never produces malformed records. */
    public PaymentsGenerator(long seed, Clock clock) {
        this(seed, clock, 0.0);
    }

    /**
     * @param seed           seeds all randomness
     * @param clock          source of event times
     * @param malformedRatio share of {@link #nextEvent()} records that are deliberately broken, 0..1
     */
    public PaymentsGenerator(long seed, Clock clock, double malformedRatio) {
        this(seed, clock, malformedRatio, 0);
    }

    /**
     * A generator whose payment ids continue after {@code paymentsBefore}, so that a restarted demo does not
     * reuse the ids of payments already in the topic.
     */
    public PaymentsGenerator(long seed, Clock clock, double malformedRatio, long paymentsBefore) {
        this(clock, new PaymentModel(seed, malformedRatio, MerchantCatalog.load(), paymentsBefore));
    }

    /**
     * A generator with the shared {@link Imperfections} (out-of-order and late event times, duplicates, malformed
     * records) whose payment ids continue after {@code paymentsBefore}.
     */
    public PaymentsGenerator(long seed, Clock clock, Imperfections imperfections, long paymentsBefore) {
        this(clock, new PaymentModel(seed, imperfections, MerchantCatalog.load(), paymentsBefore));
    }

    private PaymentsGenerator(Clock clock, PaymentModel model) {
        if (clock == null) {
            throw new IllegalArgumentException("Payments generator needs a clock, got null");
        }
        this.clock = clock;
        this.model = model;
    }

    /** Stream name {@code payments}. */
    @Override
    public String name() {
        return "payments";
    }

    /** The next payment; always valid, whatever the malformed ratio. */
    public Payment next() {
        return model.nextPayment(clock.instant().toEpochMilli());
    }

    /** The next Kafka record: key = card id, value = the payment's JSON, a malformed value, or a duplicate. */
    @Override
    public EncodedEvent nextEvent() {
        return model.nextRecord(clock.instant().toEpochMilli());
    }

    /** Card-testing bursts started so far. */
    public long burstsStarted() {
        return model.burstsStarted();
    }

    /**
     * Bursts started whose payments have not all been emitted yet; {@code burstsStarted() - burstsInProgress()}
     * bursts are complete.
     */
    public int burstsInProgress() {
        return model.burstsInProgress();
    }

    /**
     * The fraud patterns injected most recently (card testing, velocity, impossible travel), oldest first, at most
     * 10,000: the ground truth for checking that a pipeline's alerts caught them.
     */
    public List<FraudPattern> recentPatterns() {
        return model.recentPatterns();
    }

    /** Velocity bursts started so far. */
    public long velocityBurstsStarted() {
        return model.velocityBurstsStarted();
    }

    /** Impossible-travel pairs started so far. */
    public long travelsStarted() {
        return model.travelsStarted();
    }

    /** Records sent a second time so far. */
    public long duplicatesProduced() {
        return model.duplicates();
    }

    /** Malformed records produced so far. */
    public long malformedProduced() {
        return model.malformed();
    }
}
