package dev.sluice.cli.bench.internal;

import dev.sluice.ingest.Payment;
import java.io.IOException;
import java.io.InputStream;
import java.math.BigDecimal;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Supplier;

/** The scenarios on the payments stream, each with its own expectation computed in plain Java. */
public final class PaymentScenarios {
    private static final long TUMBLE_MILLIS = 10_000;
    private static final long HOP_SLIDE_MILLIS = 10_000;
    private static final long HOP_SIZE_MILLIS = 60_000;
    private static final long SESSION_GAP_MILLIS = 30_000;

    static final String SOURCE = """
            sources:
              - name: payments
                topic: payments
                partitions: 4
                format: json
                schema:
                  payment_id: STRING
                  card_id: STRING
                  merchant_id: STRING
                  amount: DECIMAL(12, 2)
                  currency: STRING
                  country: STRING
                  ts: TIMESTAMP(3)
                event-time:
                  column: ts
                  max-out-of-orderness: 5s
                on-error: dead-letter
            """;

    private static final Map<String, Supplier<Scenario>> ALL = new LinkedHashMap<>();

    static {
        ALL.put("passthrough", PassThrough::new);
        ALL.put("tumbling", Tumbling::new);
        ALL.put("hopping", Hopping::new);
        ALL.put("enrichment", Enrichment::new);
        ALL.put("session", Session::new);
        ALL.put("demo", Demo::new);
    }

    private PaymentScenarios() {}

    /** The scenario names, in the order {@code sluice bench --help} lists them. */
    public static List<String> names() {
        return List.copyOf(ALL.keySet());
    }

    /** A fresh scenario (with an empty expectation). */
    public static java.util.Optional<Scenario> create(String name) {
        Supplier<Scenario> s = ALL.get(name);
        return s == null ? java.util.Optional.empty() : java.util.Optional.of(s.get());
    }

    private static Path write(Path dir, String name, String yaml) throws IOException {
        Files.createDirectories(dir);
        Path file = dir.resolve(name + ".yaml");
        Files.writeString(file, yaml);
        return file;
    }

    private static Scenario.Origin eventTime() {
        return new Scenario.Origin("ts", Duration.ZERO, "the event's ts (stamped when generated, just before it is sent)");
    }

    private static Scenario.Origin windowClose(String column) {
        return new Scenario.Origin(column, Scenario.OUT_OF_ORDERNESS, column + " + 5 s (the out-of-orderness bound): when the"
                + " first event that closes the window is generated");
    }

    private static long floor(long millis, long size) {
        return Math.floorDiv(millis, size) * size;
    }

    /** Count and sum per key, as the expected rows of a window aggregation. */
    private static final class CountSum {
        long count;
        BigDecimal sum = BigDecimal.ZERO;
        Set<String> distinct;

        void add(BigDecimal amount) {
            count++;
            sum = sum.add(amount);
        }
    }

    /** Filter and transform, one row per payment of 1.00 or more: the per-event path without state. */
    static final class PassThrough implements Scenario {
        private long rows;
        private long cents;

        @Override
        public String name() {
            return "passthrough";
        }

        @Override
        public String description() {
            return "filter (amount >= 1.00) and transform (currency in lower case, amount in cents) into an append table";
        }

        @Override
        public Path pipeline(Path dir, Path examplesDir) throws IOException {
            return write(dir, name(), """
                    name: bench
                    description: sluice bench passthrough
                    """ + SOURCE + """
                    views:
                      - name: valid_payments
                        sql: |
                          SELECT payment_id, card_id, merchant_id, amount, LOWER(currency) AS currency,
                                 CAST(amount * 100 AS BIGINT) AS cents, country, ts
                          FROM payments
                          WHERE amount >= 1.00
                    sinks:
                      - view: valid_payments
                        mode: append
                    """);
        }

        @Override
        public void accept(Payment p) {
            if (p.amount().compareTo(BigDecimal.ONE) >= 0) {
                rows++;
                cents += p.amount().movePointRight(2).longValueExact();
            }
        }

        @Override
        public Map<String, Long> expectedRows() {
            return Map.of("valid_payments", rows);
        }

        @Override
        public Map<String, Origin> origins() {
            return Map.of("valid_payments", eventTime());
        }

        @Override
        public List<String> verify(Connection c, String schema) throws SQLException {
            Map<List<Object>, List<Object>> expected = Map.of(List.of("all"), List.of(rows, rows, cents, rows));
            return Expected.compare(c, "valid_payments", "SELECT 'all', count(*), count(DISTINCT payment_id), sum(cents),"
                    + " count(*) FILTER (WHERE currency = lower(currency)) FROM " + schema + ".valid_payments", 1, expected);
        }
    }

    /** 10 s tumbling windows per merchant with count and sum: the comparison, also the peers' expectation. */
    public static final class Tumbling implements Scenario {
        private final Map<List<Object>, CountSum> windows = new HashMap<>();

        /** Per (merchant id, window start in epoch millis), the payments' count and sum of amounts. */
        public Map<List<Object>, List<Object>> expected() {
            Map<List<Object>, List<Object>> expected = new HashMap<>();
            windows.forEach((k, v) -> expected.put(k, List.of(v.count, v.sum)));
            return expected;
        }

        @Override
        public String name() {
            return "tumbling";
        }

        @Override
        public String description() {
            return "10 s tumbling window per merchant: count and sum (the peers' comparison)";
        }

        @Override
        public Path pipeline(Path dir, Path examplesDir) throws IOException {
            return write(dir, name(), """
                    name: bench
                    description: sluice bench tumbling
                    """ + SOURCE + """
                    views:
                      - name: merchant_revenue
                        sql: |
                          SELECT window_start, window_end, merchant_id, COUNT(*) AS payments, SUM(amount) AS revenue
                          FROM TABLE(TUMBLE(TABLE payments, DESCRIPTOR(ts), INTERVAL '10' SECOND))
                          GROUP BY window_start, window_end, merchant_id
                    sinks:
                      - view: merchant_revenue
                        primary-key: [merchant_id, window_start]
                    """);
        }

        @Override
        public void accept(Payment p) {
            long start = floor(p.eventTime().toEpochMilli(), TUMBLE_MILLIS);
            windows.computeIfAbsent(List.of(p.merchantId(), start), k -> new CountSum()).add(p.amount());
        }

        @Override
        public Map<String, Long> expectedRows() {
            return Map.of("merchant_revenue", (long) windows.size());
        }

        @Override
        public Map<String, Origin> origins() {
            return Map.of("merchant_revenue", windowClose("window_end"));
        }

        @Override
        public List<String> verify(Connection c, String schema) throws SQLException {
            return Expected.compare(c, "merchant_revenue", "SELECT merchant_id, epoch_ms(window_start), payments, revenue FROM "
                    + schema + ".merchant_revenue", 2, expected());
        }
    }

    /** The demo's fraud rule: more than 7 payments under 10.00 per card in a 1-minute window sliding every 10 s. */
    static final class Hopping implements Scenario {
        private final Map<List<Object>, CountSum> windows = new HashMap<>();

        @Override
        public String name() {
            return "hopping";
        }

        @Override
        public String description() {
            return "hopping-window fraud rule: > 7 payments under 10.00 per card in 1 min sliding by 10 s";
        }

        @Override
        public Path pipeline(Path dir, Path examplesDir) throws IOException {
            return write(dir, name(), """
                    name: bench
                    description: sluice bench hopping
                    """ + SOURCE + """
                    views:
                      - name: suspicious_cards
                        sql: |
                          SELECT window_start, window_end, card_id, COUNT(*) AS payments,
                                 COUNT(DISTINCT merchant_id) AS merchants, SUM(amount) AS total
                          FROM TABLE(HOP(TABLE payments, DESCRIPTOR(ts), INTERVAL '10' SECOND, INTERVAL '1' MINUTE))
                          WHERE amount < 10
                          GROUP BY window_start, window_end, card_id
                          HAVING COUNT(*) > 7
                    sinks:
                      - view: suspicious_cards
                        primary-key: [card_id, window_start]
                    """);
        }

        @Override
        public void accept(Payment p) {
            if (p.amount().compareTo(BigDecimal.TEN) >= 0) {
                return;
            }
            long last = floor(p.eventTime().toEpochMilli(), HOP_SLIDE_MILLIS);
            for (long start = last; start > p.eventTime().toEpochMilli() - HOP_SIZE_MILLIS; start -= HOP_SLIDE_MILLIS) {
                CountSum w = windows.computeIfAbsent(List.of(p.cardId(), start), k -> new CountSum());
                w.add(p.amount());
                if (w.distinct == null) {
                    w.distinct = new HashSet<>();
                }
                w.distinct.add(p.merchantId());
            }
        }

        private Map<List<Object>, List<Object>> flagged() {
            Map<List<Object>, List<Object>> expected = new HashMap<>();
            windows.forEach((k, v) -> {
                if (v.count > 7) {
                    expected.put(k, List.of(v.count, (long) v.distinct.size(), v.sum));
                }
            });
            return expected;
        }

        @Override
        public Map<String, Long> expectedRows() {
            return Map.of("suspicious_cards", (long) flagged().size());
        }

        @Override
        public Map<String, Origin> origins() {
            return Map.of("suspicious_cards", windowClose("window_end"));
        }

        @Override
        public List<String> verify(Connection c, String schema) throws SQLException {
            return Expected.compare(c, "suspicious_cards", "SELECT card_id, epoch_ms(window_start), payments, merchants, total FROM "
                    + schema + ".suspicious_cards", 2, flagged());
        }
    }

    /** Enrichment with the merchant catalog (a lookup join on a reference file), one row per payment. */
    static final class Enrichment implements Scenario {
        private final Map<String, String> categories = new HashMap<>();
        private final Map<List<Object>, CountSum> byCategory = new HashMap<>();
        private long rows;

        Enrichment() {
            for (String line : catalog().split("\n")) {
                String[] f = line.split(",");
                if (f.length >= 3 && !f[0].equals("merchant_id")) {
                    categories.put(f[0], f[2]);
                }
            }
        }

        @Override
        public String name() {
            return "enrichment";
        }

        @Override
        public String description() {
            return "enrichment join: every payment with its merchant's name and category from a reference file";
        }

        @Override
        public Path pipeline(Path dir, Path examplesDir) throws IOException {
            Files.createDirectories(dir);
            Files.writeString(dir.resolve("merchants.csv"), catalog());
            return write(dir, name(), """
                    name: bench
                    description: sluice bench enrichment
                    """ + SOURCE + """
                    references:
                      - name: merchants
                        file: merchants.csv
                        schema:
                          merchant_id: STRING
                          merchant_name: STRING
                          category: STRING
                          country: STRING
                        primary-key: [merchant_id]
                    views:
                      - name: enriched_payments
                        sql: |
                          SELECT p.payment_id, p.card_id, p.merchant_id,
                                 COALESCE(m.merchant_name, 'unknown') AS merchant_name,
                                 COALESCE(m.category, 'unknown') AS category, p.amount, p.ts
                          FROM payments AS p
                          LEFT JOIN merchants FOR SYSTEM_TIME AS OF p.proc_time AS m ON p.merchant_id = m.merchant_id
                          WHERE p.amount > 0
                    sinks:
                      - view: enriched_payments
                        mode: append
                    """);
        }

        private static String catalog() {
            try (InputStream in = PaymentScenarios.class.getResourceAsStream(dev.sluice.ingest.internal.MerchantCatalog.RESOURCE)) {
                if (in == null) {
                    throw new IllegalStateException("The merchant catalog " + dev.sluice.ingest.internal.MerchantCatalog.RESOURCE
                            + " is missing from the class path");
                }
                return new String(in.readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
            } catch (IOException e) {
                throw new java.io.UncheckedIOException("Cannot read the merchant catalog", e);
            }
        }

        @Override
        public void accept(Payment p) {
            if (p.amount().signum() > 0) {
                rows++;
                byCategory.computeIfAbsent(List.of(categories.getOrDefault(p.merchantId(), "unknown")), k -> new CountSum())
                        .add(p.amount());
            }
        }

        @Override
        public Map<String, Long> expectedRows() {
            return Map.of("enriched_payments", rows);
        }

        @Override
        public Map<String, Origin> origins() {
            return Map.of("enriched_payments", eventTime());
        }

        @Override
        public List<String> verify(Connection c, String schema) throws SQLException {
            Map<List<Object>, List<Object>> expected = new HashMap<>();
            byCategory.forEach((k, v) -> expected.put(k, List.of(v.count, v.count, v.sum)));
            return Expected.compare(c, "enriched_payments", "SELECT category, count(*), count(DISTINCT payment_id), sum(amount) FROM "
                    + schema + ".enriched_payments GROUP BY category", 1, expected);
        }
    }

    /** Session windows per card, closed after 30 s without a payment: count and sum per session. */
    static final class Session implements Scenario {
        /** Per card: the open session's start, last event time, count and sum. */
        private final Map<String, long[]> open = new HashMap<>();
        private final Map<String, BigDecimal> openSums = new HashMap<>();
        private final Map<List<Object>, List<Object>> closed = new HashMap<>();

        @Override
        public String name() {
            return "session";
        }

        @Override
        public String description() {
            return "session windows per card (30 s gap): payments and sum per session";
        }

        @Override
        public Path pipeline(Path dir, Path examplesDir) throws IOException {
            return write(dir, name(), """
                    name: bench
                    description: sluice bench session
                    """ + SOURCE + """
                    views:
                      - name: card_sessions
                        sql: |
                          SELECT window_start, window_end, card_id, COUNT(*) AS payments, SUM(amount) AS total
                          FROM TABLE(SESSION(TABLE payments PARTITION BY card_id, DESCRIPTOR(ts), INTERVAL '30' SECOND))
                          GROUP BY window_start, window_end, card_id
                    sinks:
                      - view: card_sessions
                        primary-key: [card_id, window_start]
                    """);
        }

        @Override
        public void accept(Payment p) {
            long ts = p.eventTime().toEpochMilli();
            long[] s = open.get(p.cardId());
            if (s != null && ts >= s[1] + SESSION_GAP_MILLIS) {
                close(p.cardId(), s);
                s = null;
            }
            if (s == null) {
                s = new long[] {ts, ts, 0};
                open.put(p.cardId(), s);
                openSums.put(p.cardId(), BigDecimal.ZERO);
            }
            // Event times per card only grow here (the bench generates no out-of-order events).
            s[1] = Math.max(s[1], ts);
            s[2]++;
            openSums.merge(p.cardId(), p.amount(), BigDecimal::add);
        }

        private void close(String card, long[] s) {
            closed.put(List.of(card, s[0]), List.of(s[1] + SESSION_GAP_MILLIS, s[2], openSums.get(card)));
        }

        /** Every session, the open ones closed too: the end markers close them all. */
        private Map<List<Object>, List<Object>> sessions() {
            Map<List<Object>, List<Object>> all = new HashMap<>(closed);
            open.forEach((card, s) -> all.put(List.of(card, s[0]), List.of(s[1] + SESSION_GAP_MILLIS, s[2], openSums.get(card))));
            return all;
        }

        @Override
        public Map<String, Long> expectedRows() {
            return Map.of("card_sessions", (long) closed.size() + open.size());
        }

        @Override
        public Map<String, Origin> origins() {
            return Map.of("card_sessions", windowClose("window_end"));
        }

        @Override
        public List<String> verify(Connection c, String schema) throws SQLException {
            return Expected.compare(c, "card_sessions", "SELECT card_id, epoch_ms(window_start), epoch_ms(window_end), payments, total"
                    + " FROM " + schema + ".card_sessions", 2, sessions());
        }
    }

    /** The demo pipeline as shipped (examples/payments): six views, two lookup joins, the fraud rule, an alert. */
    static final class Demo implements Scenario {
        private final Tumbling revenue = new Tumbling();

        @Override
        public String name() {
            return "demo";
        }

        @Override
        public String description() {
            return "the demo pipeline examples/payments/pipeline.yaml (6 views, 2 lookup joins, HOP fraud rule, alert)";
        }

        @Override
        public Path pipeline(Path dir, Path examplesDir) throws IOException {
            Path source = examplesDir.resolve("payments");
            if (!Files.isRegularFile(source.resolve("pipeline.yaml"))) {
                throw new java.io.FileNotFoundException("The demo pipeline is not at " + source.resolve("pipeline.yaml").toAbsolutePath()
                        + "; run sluice from its installation directory or set -Dsluice.home");
            }
            Files.createDirectories(dir);
            try (var files = Files.list(source)) {
                for (Path f : (Iterable<Path>) files::iterator) {
                    if (Files.isRegularFile(f)) {
                        Files.copy(f, dir.resolve(f.getFileName().toString()), StandardCopyOption.REPLACE_EXISTING);
                    }
                }
            }
            // The pipeline as shipped, under the bench's name so that its tables land in the schema the bench reads.
            Path file = dir.resolve("pipeline.yaml");
            String yaml = Files.readString(file).replaceFirst("(?m)^name: payments$", "name: bench");
            Files.writeString(file, yaml);
            return file;
        }

        @Override
        public void accept(Payment p) {
            revenue.accept(p);
        }

        @Override
        public Map<String, Long> expectedRows() {
            return revenue.expectedRows();
        }

        @Override
        public Map<String, Origin> origins() {
            Map<String, Origin> origins = new HashMap<>(revenue.origins());
            origins.put("large_payments", eventTime());
            origins.put("category_revenue", windowClose("window_end"));
            origins.put("suspicious_cards", windowClose("window_end"));
            return origins;
        }

        @Override
        public List<String> verify(Connection c, String schema) throws SQLException {
            List<String> problems = new ArrayList<>(revenue.verify(c, schema));
            // Every payment falls in exactly one category window: the two window tables must count the same payments.
            try (Statement s = c.createStatement(); ResultSet rs = s.executeQuery("SELECT (SELECT sum(payments) FROM " + schema
                    + ".merchant_revenue), (SELECT sum(payments) FROM " + schema + ".category_revenue)")) {
                rs.next();
                if (rs.getLong(1) != rs.getLong(2)) {
                    problems.add("category_revenue counts " + rs.getLong(2) + " payments, merchant_revenue " + rs.getLong(1));
                }
            }
            return problems;
        }
    }
}
