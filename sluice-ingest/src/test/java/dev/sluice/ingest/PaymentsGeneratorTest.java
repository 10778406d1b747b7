package dev.sluice.ingest;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.math.BigDecimal;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;

class PaymentsGeneratorTest {

    private static final Instant START = Instant.parse("2026-11-24T15:00:00Z");
    private static final ObjectMapper MAPPER = new ObjectMapper()
            .enable(DeserializationFeature.USE_BIG_DECIMAL_FOR_FLOATS);
    /** Written down from the task's currency rules, independently of the generator's tables. */
    private static final Map<String, String> CURRENCY_BY_COUNTRY = Map.ofEntries(
            Map.entry("DE", "EUR"), Map.entry("FR", "EUR"), Map.entry("ES", "EUR"), Map.entry("IT", "EUR"),
            Map.entry("NL", "EUR"), Map.entry("GB", "GBP"), Map.entry("US", "USD"), Map.entry("CH", "CHF"),
            Map.entry("SE", "SEK"), Map.entry("PL", "PLN"), Map.entry("JP", "JPY"));

    private static SteppingClock tenMillisPerEvent() {
        return new SteppingClock(START, Duration.ofMillis(10));
    }

    @Test
    void sameSeedAndClockGiveTheSameEvents() {
        PaymentsGenerator first = new PaymentsGenerator(42, tenMillisPerEvent(), 0.01);
        PaymentsGenerator second = new PaymentsGenerator(42, tenMillisPerEvent(), 0.01);

        for (int i = 0; i < 20_000; i++) {
            assertThat(second.nextEvent()).as("event %d", i).isEqualTo(first.nextEvent());
        }
        assertThat(second.burstsStarted()).isEqualTo(first.burstsStarted());
        assertThat(second.malformedProduced()).isEqualTo(first.malformedProduced());
    }

    @Test
    void paymentIdsContinueAfterThePaymentsBefore() {
        PaymentsGenerator restarted = new PaymentsGenerator(42, tenMillisPerEvent(), 0.0, 1_000);

        assertThat(restarted.next().paymentId()).isEqualTo("p-000000001001");
        assertThat(restarted.next().paymentId()).isEqualTo("p-000000001002");
    }

    @Test
    void differentSeedsGiveDifferentEvents() {
        PaymentsGenerator first = new PaymentsGenerator(1, tenMillisPerEvent());
        PaymentsGenerator second = new PaymentsGenerator(2, tenMillisPerEvent());

        assertThat(second.next()).isNotEqualTo(first.next());
    }

    @Test
    void recordsHaveExactlyTheWireKeysAndAreKeyedByCardId() throws IOException {
        PaymentsGenerator generator = new PaymentsGenerator(3, tenMillisPerEvent());

        for (int i = 0; i < 5_000; i++) {
            EncodedEvent event = generator.nextEvent();
            assertThat(StrictPaymentJson.problem(event.value())).as(event.valueText()).isEmpty();
            JsonNode node = MAPPER.readTree(event.value());
            Set<String> keys = new HashSet<>();
            node.fieldNames().forEachRemaining(keys::add);
            assertThat(keys).containsExactlyInAnyOrderElementsOf(StrictPaymentJson.KEYS);
            assertThat(node.get("amount").isNumber()).isTrue();
            assertThat(event.keyText()).isEqualTo(node.get("card_id").asText());
            assertThat(Instant.parse(node.get("ts").asText())).isBeforeOrEqualTo(START.plusMillis(10L * i));
        }
    }

    @Test
    void jsonReadsBackToTheSamePayment() throws IOException {
        PaymentsGenerator generator = new PaymentsGenerator(4, tenMillisPerEvent());

        for (int i = 0; i < 1_000; i++) {
            Payment payment = generator.next();
            JsonNode node = MAPPER.readTree(payment.toJson());
            Payment read = new Payment(node.get("payment_id").asText(), node.get("card_id").asText(),
                    node.get("merchant_id").asText(), node.get("amount").decimalValue(), node.get("currency").asText(),
                    node.get("country").asText(), Instant.parse(node.get("ts").asText()));
            assertThat(read).isEqualTo(payment);
            assertThat(payment.amount().scale()).isEqualTo(2);
        }
    }

    @Test
    void idsCurrenciesAndCountriesFollowTheCatalog() throws IOException {
        Map<String, String> countryByMerchant = exampleCatalogCountries();
        PaymentsGenerator generator = new PaymentsGenerator(5, tenMillisPerEvent());
        Set<String> paymentIds = new HashSet<>();
        int unknownMerchants = 0;
        int n = 100_000;

        for (int i = 0; i < n; i++) {
            Payment payment = generator.next();
            assertThat(paymentIds.add(payment.paymentId())).as("unique %s", payment.paymentId()).isTrue();
            assertThat(payment.paymentId()).matches("p-\\d{12}");
            assertThat(payment.cardId()).matches("c-\\d{6}");
            assertThat(Integer.parseInt(payment.cardId().substring(2))).isBetween(1, PaymentsGenerator.CARD_COUNT);
            assertThat(payment.currency()).isEqualTo(CURRENCY_BY_COUNTRY.get(payment.country()));
            String home = countryByMerchant.get(payment.merchantId());
            if (home == null) {
                assertThat(payment.merchantId()).matches("m-9\\d{3}");
                unknownMerchants++;
            } else {
                assertThat(payment.country()).isEqualTo(home);
            }
        }
        assertThat(unknownMerchants / (double) n).isBetween(0.003, 0.007);
    }

    @Test
    void popularMerchantsTakeMostOfTheTraffic() {
        PaymentsGenerator generator = new PaymentsGenerator(6, tenMillisPerEvent());
        Map<String, Integer> counts = new HashMap<>();
        int n = 100_000;

        for (int i = 0; i < n; i++) {
            counts.merge(generator.next().merchantId(), 1, Integer::sum);
        }

        // Zipf with exponent 0.9 over 200 ranks: rank 1 has 13.2% of catalog traffic, rank 200 has 0.11%.
        assertThat(counts.get("m-0001") / (double) n).isBetween(0.11, 0.15);
        assertThat(counts.get("m-0001")).isGreaterThan(counts.getOrDefault("m-0200", 0) * 50);
    }

    @Test
    void amountsAreLogNormalAroundTheCategoryMedianInLocalCurrency() {
        PaymentsGenerator generator = new PaymentsGenerator(8, tenMillisPerEvent());
        List<BigDecimal> groceryEur = new ArrayList<>();
        List<BigDecimal> japan = new ArrayList<>();

        for (int i = 0; i < 100_000; i++) {
            Payment payment = generator.next();
            if (payment.merchantId().equals("m-0002")) { // Frischmarkt Becker, grocery, DE
                groceryEur.add(payment.amount());
            }
            if (payment.country().equals("JP")) {
                japan.add(payment.amount());
            }
            assertThat(payment.amount()).isGreaterThanOrEqualTo(new BigDecimal("0.50"));
        }

        // Grocery median is 32 EUR; bursts (0.50..5.00) are too rare to move it.
        assertThat(median(groceryEur)).isBetween(new BigDecimal("28.00"), new BigDecimal("36.00"));
        // Yen amounts are about 160 times euro amounts.
        assertThat(median(japan)).isGreaterThan(new BigDecimal("1000.00"));
    }

    @Test
    void aboutTwoPercentArriveOutOfOrderAndOneInAThousandLate() {
        Instant now = START;
        PaymentsGenerator generator = new PaymentsGenerator(9, Clock.fixed(now, ZoneOffset.UTC));
        int n = 100_000;
        int outOfOrder = 0;
        int late = 0;

        for (int i = 0; i < n; i++) {
            long delay = Duration.between(generator.next().eventTime(), now).toMillis();
            if (delay > 0 && delay <= 3_000) {
                outOfOrder++;
            } else if (delay >= 20_000 && delay <= 60_000) {
                late++;
            } else {
                assertThat(delay).as("delay of an on-time event").isZero();
            }
        }

        assertThat(outOfOrder / (double) n).isBetween(0.015, 0.025);
        assertThat(late / (double) n).isBetween(0.0005, 0.002);
    }

    @Test
    void cardTestingBurstsShowUpAsCardsWithEightOrMorePaymentsWithinSixtySeconds() {
        PaymentsGenerator generator = new PaymentsGenerator(10, tenMillisPerEvent());
        List<Payment> payments = new ArrayList<>();
        for (int i = 0; i < 20_000; i++) {
            payments.add(generator.next());
        }
        while (generator.burstsInProgress() > 0) { // let bursts begun in the sample finish
            payments.add(generator.next());
        }

        Map<String, List<Payment>> bursts = densestWindows(payments, 8, Duration.ofSeconds(60));

        assertThat(generator.burstsStarted()).isBetween(4L, 20L); // about one in 2,000 events
        assertThat(bursts).hasSize((int) generator.burstsStarted());
        for (List<Payment> window : bursts.values()) {
            // Normal traffic of the same card may fall into the window too, so look at the small payments.
            List<Payment> small = window.stream()
                    .filter(p -> p.amount().compareTo(new BigDecimal("0.50")) >= 0)
                    .filter(p -> p.amount().compareTo(new BigDecimal("5.00")) <= 0)
                    .toList();
            assertThat(small).hasSizeGreaterThanOrEqualTo(8);
            assertThat(small.stream().map(Payment::merchantId).distinct().count()).isGreaterThanOrEqualTo(8);
        }
    }

    @Test
    void burstsStayWithinAboutFortySecondsEvenAtOneEventPerSecond() {
        PaymentsGenerator generator = new PaymentsGenerator(11, new SteppingClock(START, Duration.ofSeconds(1)));
        List<Payment> payments = new ArrayList<>();
        for (int i = 0; i < 20_000; i++) {
            payments.add(generator.next());
        }
        while (generator.burstsInProgress() > 0) {
            payments.add(generator.next());
        }

        Map<String, List<Payment>> withinSixty = densestWindows(payments, 8, Duration.ofSeconds(60));
        Map<String, List<Payment>> withinFortyOne = densestWindows(payments, 8, Duration.ofSeconds(41));

        assertThat(generator.burstsStarted()).isPositive();
        assertThat(withinSixty).hasSize((int) generator.burstsStarted());
        // At one event per second a burst is paced by event time; widening the window finds nothing more.
        for (Map.Entry<String, List<Payment>> entry : withinSixty.entrySet()) {
            assertThat(withinFortyOne.get(entry.getKey())).as(entry.getKey()).hasSameSizeAs(entry.getValue());
        }
    }


    @Test
    void normalCardsPayOnlyAtHomeAndOnlyAfterTheOtherCardsOfTheirCountryHadTheirTurn() {
        // 10,000 events/s for 70 s: with 500,000 cards each pays about every 50 s.
        PaymentsGenerator generator = new PaymentsGenerator(15, new SteppingClock(START, Duration.ofNanos(100_000)),
                Imperfections.none(), 0);
        Map<String, Long> lastPaid = new HashMap<>();
        Map<String, String> countryOf = new HashMap<>();
        List<Payment> payments = new ArrayList<>();
        long shortestGap = Long.MAX_VALUE;
        long secondPayments = 0;
        for (int i = 0; i < 700_000; i++) {
            payments.add(generator.next());
        }
        Set<String> planted = new HashSet<>();
        generator.recentPatterns().forEach(p -> planted.add(p.cardId()));
        assertThat(planted).hasSizeGreaterThan(300); // card testing, velocity and travel every 2,000..4,000 events
        for (Payment p : payments) {
            if (planted.contains(p.cardId())) {
                continue;
            }
            assertThat(countryOf.computeIfAbsent(p.cardId(), c -> p.country())).as(p.cardId()).isEqualTo(p.country());
            Long last = lastPaid.put(p.cardId(), p.eventTime().toEpochMilli());
            if (last != null) {
                shortestGap = Math.min(shortestGap, p.eventTime().toEpochMilli() - last);
                secondPayments++;
            }
        }
        assertThat(secondPayments).isGreaterThan(150_000);
        // A card's turn comes again after all the other cards of its country: 50 s on average, never much sooner.
        assertThat(shortestGap).isBetween(40_000L, 52_000L);
        // Planted velocity bursts are still 4 or more payments of one card within 5 minutes.
        Map<String, List<Payment>> byCard = new HashMap<>();
        payments.forEach(p -> byCard.computeIfAbsent(p.cardId(), c -> new ArrayList<>()).add(p));
        for (var pattern : generator.recentPatterns()) {
            if (pattern.kind().equals("velocity") && !pattern.start().isAfter(START.plusSeconds(100))) {
                assertThat(byCard.get(pattern.cardId()).size()).as(pattern.toString()).isGreaterThanOrEqualTo(4);
            }
        }
    }

    @Test
    void malformedRecordsAppearAtTheConfiguredRatio() {
        PaymentsGenerator generator = new PaymentsGenerator(12, tenMillisPerEvent(), 0.01);
        int n = 50_000;
        int malformed = 0;

        for (int i = 0; i < n; i++) {
            EncodedEvent event = generator.nextEvent();
            assertThat(event.keyText()).matches("c-\\d{6}");
            if (StrictPaymentJson.problem(event.value()).isPresent()) {
                malformed++;
            }
        }

        assertThat(malformed).isEqualTo(generator.malformedProduced());
        assertThat(malformed / (double) n).isBetween(0.007, 0.013);
    }

    @Test
    void noMalformedRecordsWhenTheRatioIsZero() {
        PaymentsGenerator generator = new PaymentsGenerator(13, tenMillisPerEvent());

        for (int i = 0; i < 20_000; i++) {
            EncodedEvent event = generator.nextEvent();
            assertThat(StrictPaymentJson.problem(event.value())).as(event.valueText()).isEmpty();
        }
        assertThat(generator.malformedProduced()).isZero();
    }

    @Test
    void rejectsAMalformedRatioOutsideZeroToOne() {
        assertThatThrownBy(() -> new PaymentsGenerator(1, tenMillisPerEvent(), 1.5))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("1.5");
    }

    /**
     * For each card with at least {@code min} payments within {@code window} of event time, the largest such set
     * of its payments.
     */
    private static Map<String, List<Payment>> densestWindows(List<Payment> payments, int min, Duration window) {
        Map<String, List<Payment>> byCard = new HashMap<>();
        for (Payment payment : payments) {
            byCard.computeIfAbsent(payment.cardId(), card -> new ArrayList<>()).add(payment);
        }
        Map<String, List<Payment>> found = new TreeMap<>();
        for (Map.Entry<String, List<Payment>> entry : byCard.entrySet()) {
            List<Payment> own = entry.getValue();
            own.sort((a, b) -> a.eventTime().compareTo(b.eventTime()));
            int bestFrom = 0;
            int bestSize = 0;
            for (int from = 0, to = 0; to < own.size(); to++) {
                while (Duration.between(own.get(from).eventTime(), own.get(to).eventTime()).compareTo(window) > 0) {
                    from++;
                }
                if (to - from + 1 > bestSize) {
                    bestFrom = from;
                    bestSize = to - from + 1;
                }
            }
            if (bestSize >= min) {
                found.put(entry.getKey(), List.copyOf(own.subList(bestFrom, bestFrom + bestSize)));
            }
        }
        return found;
    }

    private static Map<String, String> exampleCatalogCountries() throws IOException {
        Map<String, String> countries = new HashMap<>();
        Iterator<String> lines = Files.readAllLines(Path.of("../examples/payments/merchants.csv")).iterator();
        lines.next();
        while (lines.hasNext()) {
            String[] fields = lines.next().split(",");
            countries.put(fields[0], fields[3]);
        }
        return countries;
    }

    private static BigDecimal median(List<BigDecimal> values) {
        List<BigDecimal> sorted = new ArrayList<>(values);
        sorted.sort(null);
        return sorted.get(sorted.size() / 2);
    }
}
