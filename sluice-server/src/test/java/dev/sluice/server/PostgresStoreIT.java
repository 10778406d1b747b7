package dev.sluice.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.sluice.spec.PipelineSpec;
import dev.sluice.spec.SpecParser;
import dev.sluice.storage.LocalPostgres;
import dev.sluice.storage.PostgresSettings;
import dev.sluice.storage.PostgresStore;
import dev.sluice.storage.QueryScope;
import dev.sluice.storage.QueryService;
import dev.sluice.storage.StoreSettings;
import java.math.BigDecimal;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import java.util.TreeMap;
import java.util.TreeSet;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A pipeline end to end with its tables in a real PostgreSQL ({@link LocalPostgres}) instead of DuckDB: upserted
 * totals, appended rows, dead letters and alert events land there exactly as computed independently here, also across
 * a restart of the whole server, and the API's queries read them through the read-only role.
 */
class PostgresStoreIT {
    private static final String PIPELINE = """
            name: pgshop
            sources:
              - name: events
                topic: events
                partitions: 2
                schema: {id: STRING, k: STRING, v: BIGINT, amount: "DECIMAL(10, 2)", ts: TIMESTAMP(3)}
                event-time: {column: ts}
            views:
              - name: totals
                sql: SELECT k, COUNT(*) AS n, SUM(amount) AS total FROM events GROUP BY k
              - name: big
                sql: SELECT id, k, v, ts FROM events WHERE v > 500
            sinks:
              - view: totals
                primary-key: [k]
              - view: big
                mode: append
            alerts:
              - name: huge
                sql: SELECT id, v, ts FROM events WHERE v > 590
                key: [id]
                time: ts
                message: "event {id} has v {v}"
            """;

    @TempDir
    Path dir;

    @Test
    void aPipelineLoadsExactlyIntoPostgresAcrossARestart() throws Exception {
        PostgresSettings postgres = LocalPostgres.shared().newDatabase();
        ServerSettings settings = new ServerSettings(dir.resolve("data"), Optional.empty(), 0, new Properties(), "localhost", 0, 1,
                Duration.ofMillis(500)).withStorage(StoreSettings.defaults().withPostgres(postgres));
        Expected expected = new Expected();
        try (SluiceServer server = SluiceServer.start(spec(), settings)) {
            assertThat(server.store()).isInstanceOf(PostgresStore.class);
            send(server, 0, 120, expected);
            await().atMost(Duration.ofSeconds(90)).untilAsserted(() -> expected.assertStored(server));
        }
        try (SluiceServer server = SluiceServer.start(spec(), settings)) {
            send(server, 120, 80, expected);
            await().atMost(Duration.ofSeconds(90)).untilAsserted(() -> expected.assertStored(server));
        }
        assertThat(settings.databaseFile()).doesNotExist();
        // The rows are in PostgreSQL itself, in the pipeline's schema, as the writer role created them.
        String database = postgres.url().substring(postgres.url().lastIndexOf('/') + 1);
        try (Connection c = LocalPostgres.shared().superuser(database); Statement s = c.createStatement()) {
            try (ResultSet rs = s.executeQuery("SELECT count(*), sum(n) FROM pgshop.totals")) {
                rs.next();
                assertThat(rs.getLong(1)).isEqualTo(expected.totals.size());
                assertThat(rs.getLong(2)).isEqualTo(200);
            }
            try (ResultSet rs = s.executeQuery("SELECT tableowner FROM pg_tables WHERE schemaname = 'pgshop' AND tablename = 'big'")) {
                rs.next();
                assertThat(rs.getString(1)).isEqualTo(postgres.user());
            }
        }
    }

    /** What the pipeline must store, computed here from the events sent. */
    private static final class Expected {
        final Map<String, List<Object>> totals = new TreeMap<>();
        final TreeSet<String> big = new TreeSet<>();
        final TreeSet<String> huge = new TreeSet<>();
        int malformed;

        void add(int i, String k, long v, BigDecimal amount) {
            totals.merge(k, List.of(1L, amount), (a, b) -> List.of((Long) a.get(0) + 1, ((BigDecimal) a.get(1)).add(amount)));
            if (v > 500) {
                big.add("e" + i + "/" + k + "/" + v);
            }
            if (v > 590) {
                huge.add("event e" + i + " has v " + v);
            }
        }

        void assertStored(SluiceServer server) {
            QueryService queries = new QueryService(server.store());
            QueryScope scope = QueryScope.pipeline("pgshop");
            Map<String, List<Object>> storedTotals = new TreeMap<>();
            for (List<Object> row : queries.query("SELECT k, n, total FROM totals", 1000, scope).rows()) {
                storedTotals.put((String) row.get(0), List.of(row.get(1), row.get(2)));
            }
            assertThat(storedTotals).isEqualTo(totals);
            List<String> storedBig = new ArrayList<>();
            for (List<Object> row : queries.query("SELECT id, k, v FROM big ORDER BY id", 1000, scope).rows()) {
                storedBig.add(row.get(0) + "/" + row.get(1) + "/" + row.get(2));
            }
            assertThat(storedBig).containsExactlyInAnyOrderElementsOf(big);
            assertThat(queries.query("SELECT count(*) FROM dead_letters", 10, scope).rows()).containsExactly(List.of((long) malformed));
            List<String> alerts = new ArrayList<>();
            for (List<Object> row : queries.query("SELECT message FROM alert_events WHERE alert = 'huge' AND state = 'firing'", 1000,
                    scope).rows()) {
                alerts.add((String) row.get(0));
            }
            assertThat(alerts).containsExactlyInAnyOrderElementsOf(huge);
            // The alerts page's overview reads the same rows through the alert store's own SQL (history with deliveries).
            List<String> history = new ArrayList<>();
            @SuppressWarnings("unchecked")
            List<Map<String, Object>> rows = (List<Map<String, Object>>) server.alerts("pgshop").orElseThrow().overview(1000).get("history");
            for (Map<String, Object> row : rows) {
                if ("firing".equals(row.get("state"))) {
                    history.add((String) row.get("message"));
                    assertThat(row.get("deliveries")).isEqualTo(List.of());
                }
            }
            assertThat(history).containsExactlyInAnyOrderElementsOf(huge);
        }
    }

    private PipelineSpec spec() throws Exception {
        return new SpecParser().parse(Files.writeString(dir.resolve("pgshop.yaml"), PIPELINE));
    }

    private static void send(SluiceServer server, int first, int n, Expected expected) throws Exception {
        Properties p = new Properties();
        p.setProperty(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, server.bootstrapServers());
        p.setProperty(ProducerConfig.ACKS_CONFIG, "all");
        try (KafkaProducer<String, String> producer = new KafkaProducer<>(p, new StringSerializer(), new StringSerializer())) {
            for (int i = first; i < first + n; i++) {
                String k = "k" + (i % 5);
                long v = (i * 37L) % 600;
                BigDecimal amount = new BigDecimal(i).movePointLeft(2).add(BigDecimal.ONE);
                producer.send(new ProducerRecord<>("events", k, "{\"id\":\"e" + i + "\",\"k\":\"" + k + "\",\"v\":" + v + ",\"amount\":"
                        + amount.toPlainString() + ",\"ts\":\"" + Instant.parse("2026-01-01T00:00:00Z").plusMillis(i * 10L) + "\"}")).get();
                expected.add(i, k, v, amount);
            }
            producer.send(new ProducerRecord<>("events", "bad", "{not json " + first)).get();
            expected.malformed++;
        }
    }
}
