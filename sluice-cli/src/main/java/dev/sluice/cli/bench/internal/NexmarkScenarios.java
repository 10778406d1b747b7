package dev.sluice.cli.bench.internal;

import dev.sluice.ingest.Payment;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Nexmark queries q0, q1, q2, q3, q4, q5, q7 and q8 (the public Flink SQL of the Nexmark benchmark, adapted to Sluice's
 * spec: snake_case columns, {@code date_time} as event time, q5 also selects its window start so that its table has a
 * key), each checked against the same SQL run by plain Flink SQL on the same topics ({@link NexmarkReference}).
 */
public final class NexmarkScenarios {
    private static final Map<String, Query> QUERIES = new LinkedHashMap<>();

    static {
        add("q0", "pass-through of every bid", "append", null,
                "SELECT auction, bidder, price, date_time, extra FROM bid");
        add("q1", "currency conversion of every bid", "append", null,
                "SELECT auction, bidder, 0.908 * price AS price, date_time, extra FROM bid");
        add("q2", "selection: bids on every 123rd auction", "append", null,
                "SELECT auction, price FROM bid WHERE MOD(auction, 123) = 0");
        add("q3", "local item suggestion: a join of auctions and persons", "append", null,
                "SELECT P.name, P.city, P.state, A.id FROM auction AS A INNER JOIN person AS P ON A.seller = P.id"
                        + " WHERE A.category = 10 AND (P.state = 'OR' OR P.state = 'ID' OR P.state = 'CA')");
        add("q4", "average closing price per category", "upsert", "[category]",
                "SELECT Q.category, AVG(Q.final) AS avg_price FROM ("
                        + " SELECT MAX(B.price) AS final, A.category FROM auction A, bid B"
                        + " WHERE A.id = B.auction AND B.date_time BETWEEN A.date_time AND A.expires"
                        + " GROUP BY A.id, A.category) Q GROUP BY Q.category");
        add("q5", "hot items: auctions with the most bids per 10 s sliding by 2 s", "upsert", "[auction, starttime]",
                "SELECT AuctionBids.auction, AuctionBids.num, AuctionBids.starttime FROM ("
                        + " SELECT auction, COUNT(*) AS num, window_start AS starttime, window_end AS endtime"
                        + " FROM TABLE(HOP(TABLE bid, DESCRIPTOR(date_time), INTERVAL '2' SECOND, INTERVAL '10' SECOND))"
                        + " GROUP BY auction, window_start, window_end) AS AuctionBids JOIN ("
                        + " SELECT MAX(CountBids.num) AS maxn, CountBids.starttime, CountBids.endtime FROM ("
                        + " SELECT COUNT(*) AS num, window_start AS starttime, window_end AS endtime"
                        + " FROM TABLE(HOP(TABLE bid, DESCRIPTOR(date_time), INTERVAL '2' SECOND, INTERVAL '10' SECOND))"
                        + " GROUP BY auction, window_start, window_end) AS CountBids"
                        + " GROUP BY CountBids.starttime, CountBids.endtime) AS MaxBids"
                        + " ON AuctionBids.starttime = MaxBids.starttime AND AuctionBids.endtime = MaxBids.endtime"
                        + " AND AuctionBids.num >= MaxBids.maxn");
        add("q7", "highest bid per 10 s window", "append", null,
                "SELECT B.auction, B.price, B.bidder, B.date_time, B.extra FROM bid B JOIN ("
                        + " SELECT MAX(price) AS maxprice, window_end AS date_time"
                        + " FROM TABLE(TUMBLE(TABLE bid, DESCRIPTOR(date_time), INTERVAL '10' SECOND))"
                        + " GROUP BY window_start, window_end) B1 ON B.price = B1.maxprice"
                        + " WHERE B.date_time BETWEEN B1.date_time - INTERVAL '10' SECOND AND B1.date_time");
        add("q8", "new users: persons who opened an auction in the 10 s window they registered in (window join)", "append", null,
                "SELECT P.id, P.name, P.starttime FROM ("
                        + " SELECT id, name, window_start AS starttime, window_end AS endtime"
                        + " FROM TABLE(TUMBLE(TABLE person, DESCRIPTOR(date_time), INTERVAL '10' SECOND))"
                        + " GROUP BY id, name, window_start, window_end) P JOIN ("
                        + " SELECT seller, window_start AS starttime, window_end AS endtime"
                        + " FROM TABLE(TUMBLE(TABLE auction, DESCRIPTOR(date_time), INTERVAL '10' SECOND))"
                        + " GROUP BY seller, window_start, window_end) A"
                        + " ON P.id = A.seller AND P.starttime = A.starttime AND P.endtime = A.endtime");
    }

    private NexmarkScenarios() {}

    private record Query(String name, String description, String mode, String key, String sql) {}

    private static void add(String name, String description, String mode, String key, String sql) {
        QUERIES.put("nexmark-" + name, new Query(name, description, mode, key, sql));
    }

    public static List<String> names() {
        return List.copyOf(QUERIES.keySet());
    }

    public static java.util.Optional<Scenario> create(String name) {
        Query q = QUERIES.get(name);
        return q == null ? java.util.Optional.empty() : java.util.Optional.of(new NexmarkScenario(name, q));
    }

    /** One Nexmark query as a Sluice pipeline with three sources. */
    static final class NexmarkScenario implements Scenario {
        private final String name;
        private final Query query;
        private Map<List<Object>, Integer> expected;

        NexmarkScenario(String name, Query query) {
            this.name = name;
            this.query = query;
        }

        @Override
        public String name() {
            return name;
        }

        @Override
        public String description() {
            return "Nexmark " + query.name() + ": " + query.description() + " (checked against plain Flink SQL)";
        }

        @Override
        public Workload workload() {
            return Workload.NEXMARK;
        }

        @Override
        public Path pipeline(Path dir, Path examplesDir) throws IOException {
            StringBuilder yaml = new StringBuilder("name: bench\ndescription: sluice bench " + name + "\nsources:\n");
            for (String topic : NexmarkInput.TOPICS) {
                yaml.append("  - name: ").append(topic).append("\n    topic: ").append(topic)
                        .append("\n    partitions: 4\n    format: json\n    schema:\n")
                        .append(NexmarkReference.yamlSchema(topic, "      "))
                        .append("    event-time:\n      column: date_time\n      max-out-of-orderness: 5s\n    on-error: dead-letter\n");
            }
            yaml.append("views:\n  - name: ").append(query.name()).append("\n    sql: |\n      ").append(query.sql()).append('\n');
            yaml.append("sinks:\n  - view: ").append(query.name()).append("\n    ");
            yaml.append(query.mode().equals("append") ? "mode: append\n" : "primary-key: " + query.key() + "\n");
            Files.createDirectories(dir);
            Path file = dir.resolve(name + ".yaml");
            Files.writeString(file, yaml.toString());
            return file;
        }

        @Override
        public void accept(Payment payment) {
            throw new IllegalStateException("Scenario " + name + " reads the Nexmark topics, not payments");
        }

        @Override
        public void prepare(String bootstrapServers, int parallelism) {
            expected = withoutMarkers(NexmarkReference.run(bootstrapServers, query.sql(), parallelism));
        }

        @Override
        public boolean countsEveryRow() {
            return query.mode().equals("append");
        }

        @Override
        public Map<String, Long> expectedRows() {
            long rows = expected.values().stream().mapToLong(Integer::longValue).sum();
            return Map.of(query.name(), rows);
        }

        @Override
        public Map<String, Origin> origins() {
            return Map.of();
        }

        @Override
        public List<String> verify(Connection c, String schema) throws SQLException {
            Map<List<Object>, Integer> stored = new HashMap<>();
            try (Statement s = c.createStatement(); ResultSet rs = s.executeQuery("SELECT * FROM " + schema + "." + query.name())) {
                int columns = rs.getMetaData().getColumnCount();
                while (rs.next()) {
                    List<Object> values = new ArrayList<>(columns);
                    for (int i = 1; i <= columns; i++) {
                        values.add(NexmarkReference.normal(rs.getObject(i)));
                    }
                    stored.merge(values, 1, Integer::sum);
                }
            }
            stored = withoutMarkers(stored);
            List<String> problems = new ArrayList<>();
            int missing = 0;
            int extra = 0;
            for (Map.Entry<List<Object>, Integer> e : expected.entrySet()) {
                int got = stored.getOrDefault(e.getKey(), 0);
                if (got < e.getValue() && missing++ < 5) {
                    problems.add(query.name() + ": missing " + e.getKey() + " (" + (e.getValue() - got) + " times)");
                }
            }
            for (Map.Entry<List<Object>, Integer> e : stored.entrySet()) {
                int want = expected.getOrDefault(e.getKey(), 0);
                if (e.getValue() > want && extra++ < 5) {
                    problems.add(query.name() + ": unexpected " + e.getKey() + " (" + (e.getValue() - want) + " times)");
                }
            }
            if (missing + extra > 0) {
                problems.add(String.format("%s: %,d rows stored, plain Flink SQL computed %,d; %,d missing, %,d unexpected",
                        query.name(), count(stored), count(expected), missing, extra));
            }
            return problems;
        }

        private static long count(Map<List<Object>, Integer> rows) {
            return rows.values().stream().mapToLong(Integer::longValue).sum();
        }

        /** Rows of the end markers (first column -1) are left out on both sides: windows of markers close only in a bounded run. */
        private static Map<List<Object>, Integer> withoutMarkers(Map<List<Object>, Integer> rows) {
            Map<List<Object>, Integer> out = new HashMap<>();
            Object marker = NexmarkReference.normal(NexmarkInput.MARKER_ID);
            rows.forEach((k, v) -> {
                if (!k.isEmpty() && !marker.equals(k.get(0)) && v > 0) {
                    out.put(k, v);
                }
            });
            return out;
        }
    }
}
