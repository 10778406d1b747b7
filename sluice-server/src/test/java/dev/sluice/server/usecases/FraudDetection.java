package dev.sluice.server.usecases;

import static dev.sluice.server.usecases.Oracle.MINUTE;
import static dev.sluice.server.usecases.Oracle.SECOND;
import static dev.sluice.server.usecases.Oracle.row;
import static dev.sluice.server.usecases.Oracle.time;

import java.math.BigDecimal;
import java.math.RoundingMode;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.TreeMap;

/**
 * Card payments: normal cards pay in their home country every few minutes at most; planted on top are card testing
 * (small payments, then a large one), velocity bursts and impossible travel. The expectation follows each view of
 * {@code examples/fraud-detection/pipeline.yaml}.
 */
final class FraudDetection implements UseCase {
    /** examples/fraud-detection/currencies.csv */
    static final Map<String, BigDecimal> EUR_RATES = Map.of("EUR", new BigDecimal("1.000000"), "GBP", new BigDecimal("1.170000"),
            "USD", new BigDecimal("0.920000"), "CHF", new BigDecimal("1.050000"), "SEK", new BigDecimal("0.088000"),
            "PLN", new BigDecimal("0.230000"), "JPY", new BigDecimal("0.006100"));
    private static final String[][] COUNTRIES = {{"DE", "EUR"}, {"GB", "GBP"}, {"US", "USD"}, {"CH", "CHF"}, {"SE", "SEK"},
            {"PL", "PLN"}, {"JP", "JPY"}, {"FR", "EUR"}};
    private static final int CARDS = 150;
    private static final long SPAN = 20 * MINUTE;

    @Override
    public String example() {
        return "fraud-detection";
    }

    @Override
    public String pipeline() {
        return "fraud_detection";
    }

    @Override
    public String topic() {
        return "payments";
    }

    @Override
    public List<Event> events(SplittableRandom random, String prefix, long start) {
        List<Event> events = new ArrayList<>();
        int[] n = {0};
        // Normal traffic: each card in its home country, 15..400 EUR, a few payments in 20 minutes.
        for (int c = 1; c <= CARDS; c++) {
            String card = prefix + "card-" + c;
            String[] home = COUNTRIES[c % COUNTRIES.length];
            int payments = 1 + random.nextInt(4);
            for (int i = 0; i < payments; i++) {
                long ts = start + random.nextLong(SPAN);
                events.add(payment(prefix, n, card, home, eur(random, 15, 400, home[1]), ts));
            }
        }
        // Card testing: 3..6 payments under 10 EUR in a row, then one of 600..3000 EUR, within a minute.
        for (int k = 0; k < 4; k++) {
            String card = prefix + "tested-" + k;
            String[] where = COUNTRIES[random.nextInt(COUNTRIES.length)];
            long ts = start + random.nextLong(SPAN - 2 * MINUTE);
            int tests = 3 + random.nextInt(4);
            for (int i = 0; i < tests; i++) {
                ts += 1 + random.nextLong(8 * SECOND);
                events.add(payment(prefix, n, card, where, eur(random, 0.5, 5, where[1]), ts));
            }
            ts += 1 + random.nextLong(8 * SECOND);
            events.add(payment(prefix, n, card, where, eur(random, 600, 3000, where[1]), ts));
        }
        // Only two small payments before the large one: not card testing.
        String card = prefix + "almost-tested";
        long ts = start + MINUTE;
        events.add(payment(prefix, n, card, COUNTRIES[0], new BigDecimal("2.00"), ts));
        events.add(payment(prefix, n, card, COUNTRIES[0], new BigDecimal("3.00"), ts + 2 * SECOND));
        events.add(payment(prefix, n, card, COUNTRIES[0], new BigDecimal("900.00"), ts + 4 * SECOND));
        // Velocity: 4..7 payments in 1..4 minutes.
        for (int k = 0; k < 4; k++) {
            String burst = prefix + "fast-" + k;
            String[] home = COUNTRIES[random.nextInt(COUNTRIES.length)];
            long at = start + random.nextLong(SPAN - 5 * MINUTE);
            int payments = 4 + random.nextInt(4);
            long span = MINUTE + random.nextLong(3 * MINUTE);
            for (int i = 0; i < payments; i++) {
                events.add(payment(prefix, n, burst, home, eur(random, 15, 200, home[1]), at + random.nextLong(span)));
            }
        }
        // Impossible travel: home, then another country 1..4 minutes later (and once 6 minutes later: not impossible).
        for (int k = 0; k < 5; k++) {
            String traveller = prefix + "travel-" + k;
            String[] home = COUNTRIES[k];
            String[] away = COUNTRIES[k + 2];
            long at = start + random.nextLong(SPAN - 8 * MINUTE);
            long gap = k == 4 ? 6 * MINUTE : MINUTE + random.nextLong(3 * MINUTE);
            events.add(payment(prefix, n, traveller, home, eur(random, 15, 200, home[1]), at));
            events.add(payment(prefix, n, traveller, away, eur(random, 15, 200, away[1]), at + gap));
        }
        events.sort(Comparator.comparingLong(Event::ts));
        return events;
    }

    private static BigDecimal eur(SplittableRandom random, double min, double max, String currency) {
        double eur = min + random.nextDouble() * (max - min);
        return BigDecimal.valueOf(eur).divide(EUR_RATES.get(currency), 2, RoundingMode.HALF_UP);
    }

    private static Event payment(String prefix, int[] n, String card, String[] country, BigDecimal amount, long ts) {
        String id = prefix + "p-" + (++n[0]);
        return Event.of("payments", card, ts, Event.fields("payment_id", id, "card_id", card, "merchant_id", "m-" + (n[0] % 37),
                "amount", amount, "currency", country[1], "country", country[0]));
    }

    @Override
    public Event heartbeat(int p, long ts) {
        return Event.of("payments", "heartbeat", ts, Event.fields("payment_id", "heartbeat-" + p + "-" + ts, "card_id",
                "heartbeat-" + p, "merchant_id", "m-0", "amount", new BigDecimal("20.00"), "currency", "EUR", "country", "DE"))
                .onPartition(p);
    }

    @Override
    public Map<String, String> queries() {
        Map<String, String> q = new LinkedHashMap<>();
        q.put("card_velocity", "SELECT window_start, window_end, card_id, payments, merchants, total_eur FROM card_velocity");
        q.put("impossible_travel", "SELECT card_id, first_payment, second_payment, first_country, second_country, first_ts,"
                + " second_ts, seconds_apart FROM impossible_travel");
        q.put("card_testing", "SELECT card_id, first_test_ts, tests, test_total_eur, large_payment, large_amount_eur, large_ts"
                + " FROM card_testing");
        q.put("risk_scores", "SELECT payment_id, card_id, amount_eur, country, ts, payments_10m, countries_10m, risk_score"
                + " FROM risk_scores");
        return q;
    }

    /** A payment of view {@code payments_eur}. */
    private record Paid(String id, String card, String merchant, String country, BigDecimal eur, long ts) {}

    @Override
    public Map<String, List<List<String>>> expected(List<Event> events, long wm) {
        Map<String, List<Paid>> byCard = new HashMap<>();
        for (Event e : events) {
            BigDecimal amount = (BigDecimal) e.get("amount");
            BigDecimal rate = EUR_RATES.get(e.str("currency").toUpperCase(Locale.ROOT));
            if (rate == null || amount.signum() <= 0) {
                continue;
            }
            byCard.computeIfAbsent(e.str("card_id"), c -> new ArrayList<>()).add(new Paid(e.str("payment_id"), e.str("card_id"),
                    e.str("merchant_id"), e.str("country"), amount.multiply(rate).setScale(2, RoundingMode.HALF_UP), e.ts()));
        }
        Oracle.Tables t = new Oracle.Tables();
        queries().keySet().forEach(t::declare);
        for (List<Paid> paid : byCard.values()) {
            paid.sort(Comparator.comparingLong(Paid::ts));
            velocity(paid, wm, t);
            travel(paid, t);
            cardTesting(paid, wm, t);
            riskScores(paid, wm, t);
        }
        return t.sortedTables();
    }

    private static void velocity(List<Paid> paid, long wm, Oracle.Tables t) {
        Map<Long, List<Paid>> windows = new TreeMap<>();
        for (Paid p : paid) {
            for (long s : Oracle.hops(p.ts(), MINUTE, 5 * MINUTE)) {
                windows.computeIfAbsent(s, x -> new ArrayList<>()).add(p);
            }
        }
        windows.forEach((s, in) -> {
            if (in.size() >= 4 && Oracle.fired(s + 5 * MINUTE, wm)) {
                Set<String> merchants = new HashSet<>();
                BigDecimal total = BigDecimal.ZERO;
                for (Paid p : in) {
                    merchants.add(p.merchant());
                    total = total.add(p.eur());
                }
                t.add("card_velocity", row(time(s), time(s + 5 * MINUTE), in.get(0).card(), (long) in.size(),
                        (long) merchants.size(), total));
            }
        });
    }

    private static void travel(List<Paid> paid, Oracle.Tables t) {
        for (Paid a : paid) {
            for (Paid b : paid) {
                if (!a.country().equals(b.country()) && b.ts() > a.ts() && b.ts() <= a.ts() + 5 * MINUTE) {
                    t.add("impossible_travel", row(a.card(), a.id(), b.id(), a.country(), b.country(), time(a.ts()), time(b.ts()),
                            (b.ts() - a.ts()) / SECOND));
                }
            }
        }
    }

    /** PATTERN (S{3,} L): a run of payments under 10 EUR in a row, then one of 500 EUR or more, within 5 minutes. */
    private static void cardTesting(List<Paid> paid, long wm, Oracle.Tables t) {
        List<Paid> run = new ArrayList<>();
        for (Paid p : paid) {
            if (p.ts() > wm) {
                break;
            }
            if (p.eur().compareTo(BigDecimal.TEN) < 0) {
                run.add(p);
                continue;
            }
            if (p.eur().compareTo(new BigDecimal("500")) >= 0 && run.size() >= 3) {
                if (p.ts() - run.get(0).ts() > 5 * MINUTE) {
                    throw new IllegalStateException("Test data has a card-testing run longer than the pattern's 5 minutes: " + run);
                }
                BigDecimal total = BigDecimal.ZERO;
                for (Paid s : run) {
                    total = total.add(s.eur());
                }
                t.add("card_testing", row(p.card(), time(run.get(0).ts()), (long) run.size(), total, p.id(), p.eur(), time(p.ts())));
            }
            run.clear();
        }
    }

    private static void riskScores(List<Paid> paid, long wm, Oracle.Tables t) {
        for (Paid p : paid) {
            if (p.ts() > wm) {
                continue;
            }
            long count = 0;
            Set<String> countries = new HashSet<>();
            for (Paid q : paid) {
                if (q.ts() >= p.ts() - 10 * MINUTE && q.ts() <= p.ts()) {
                    count++;
                    countries.add(q.country());
                }
            }
            long amountPoints = p.eur().compareTo(new BigDecimal("500")) >= 0 ? 30 : p.eur().compareTo(BigDecimal.TEN) < 0 ? 10 : 0;
            long score = Math.min(100, amountPoints + 10 * (count - 1) + 40 * (countries.size() - 1));
            t.add("risk_scores", row(p.id(), p.card(), p.eur(), p.country(), time(p.ts()), count, (long) countries.size(), score));
        }
    }
}
