package dev.sluice.ingest;

import static org.assertj.core.api.Assertions.assertThat;

import java.math.BigDecimal;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The fraud patterns of the payments generator, found in its output from the ground truth it reports: 100,000
 * payments at 100 per second, plus enough to let the last patterns finish.
 */
class PaymentsFraudPatternsTest {

    private static final Instant START = Instant.parse("2026-11-24T15:00:00Z");
    /** Euro to local money, written down from the generator's documented rates. */
    private static final Map<String, Double> UNITS_PER_EURO = Map.of("EUR", 1.0, "GBP", 0.85, "USD", 1.08, "CHF", 0.95,
            "SEK", 11.5, "PLN", 4.3, "JPY", 160.0);
    private static final Map<String, List<Payment>> BY_CARD = new HashMap<>();
    private static List<FraudPattern> patterns;

    @BeforeAll
    static void generate() {
        PaymentsGenerator generator = new PaymentsGenerator(77, new SteppingClock(START, Duration.ofMillis(10)));
        for (int i = 0; i < 110_000; i++) {
            Payment payment = generator.next();
            BY_CARD.computeIfAbsent(payment.cardId(), c -> new ArrayList<>()).add(payment);
        }
        // Patterns end within 5 minutes (30,000 events here) or 15 x 80 events, whichever is first.
        patterns = generator.recentPatterns().stream()
                .filter(p -> p.start().isBefore(START.plusSeconds(1_000))).toList();
    }

    private static List<Payment> paymentsOf(FraudPattern pattern, Duration within) {
        return BY_CARD.get(pattern.cardId()).stream()
                .filter(p -> !p.eventTime().isBefore(pattern.start()))
                .filter(p -> !p.eventTime().isAfter(pattern.start().plus(within)))
                .toList();
    }

    @Test
    void allThreeKindsAppearAtTheirRates() {
        Map<String, Long> counts = patterns.stream().collect(Collectors.groupingBy(FraudPattern::kind, Collectors.counting()));
        // 100,000 events: one card test per 2,000, one velocity burst per 3,000, one travel per 4,000 (roughly).
        assertThat(counts.get("card_testing")).isBetween(30L, 75L);
        assertThat(counts.get("velocity")).isBetween(18L, 50L);
        assertThat(counts.get("impossible_travel")).isBetween(12L, 40L);
    }

    @Test
    void cardTestingEndsWithALargePaymentAfterTheSmallOnes() {
        for (FraudPattern pattern : patterns) {
            if (!pattern.kind().equals("card_testing")) {
                continue;
            }
            List<Payment> burst = paymentsOf(pattern, Duration.ofSeconds(41));
            List<Payment> small = burst.stream().filter(p -> p.amount().compareTo(new BigDecimal("5.00")) <= 0).toList();
            List<Payment> large = burst.stream()
                    .filter(p -> p.amount().doubleValue() / UNITS_PER_EURO.get(p.currency()) >= 799.0).toList();
            assertThat(small).as(pattern.toString()).hasSizeBetween(8, 15);
            assertThat(large).as(pattern.toString()).hasSize(1);
            assertThat(large.get(0).eventTime()).isAfterOrEqualTo(small.get(small.size() - 1).eventTime());
        }
    }

    @Test
    void velocityBurstsAreSeveralOrdinaryPaymentsAtDifferentMerchantsWithinMinutes() {
        for (FraudPattern pattern : patterns) {
            if (!pattern.kind().equals("velocity")) {
                continue;
            }
            List<Payment> burst = paymentsOf(pattern, Duration.ofMinutes(5));
            Set<String> merchants = burst.stream().map(Payment::merchantId).collect(Collectors.toSet());
            assertThat(merchants).as(pattern.toString()).hasSizeGreaterThanOrEqualTo(4);
        }
    }

    @Test
    void impossibleTravelPaysInTwoCountriesWithinMinutes() {
        for (FraudPattern pattern : patterns) {
            if (!pattern.kind().equals("impossible_travel")) {
                continue;
            }
            List<Payment> pair = paymentsOf(pattern, Duration.ofMinutes(5));
            Set<String> countries = new HashSet<>();
            pair.forEach(p -> countries.add(p.country()));
            assertThat(countries).as(pattern.toString()).hasSizeGreaterThanOrEqualTo(2);
        }
    }
}
