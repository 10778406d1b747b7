package dev.sluice.server;

import dev.sluice.broker.EmbeddedKafka;
import dev.sluice.spec.PipelineSpec;
import dev.sluice.spec.SpecParser;
import dev.sluice.storage.QueryResult;
import dev.sluice.storage.QueryScope;
import dev.sluice.storage.QueryService;
import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.Properties;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;

/**
 * Throughput of the tumbling-window aggregation with every closed window stored in DuckDB, the measurement of issue 9:
 * a standalone broker holds N JSON payments in a 4-partition topic, then a fresh JVM runs the whole server against it
 * (parallelism 2, exactly-once, loader into DuckDB) and reports the wall time and process CPU time from the start of
 * the server until every one of the N payments is counted in stored windows. Two runs (2M and 6M events) give the
 * marginal rate 4M / (t6M - t2M), which cancels start-up and planning. Each run also reports its own marginal
 * figures, from the moment a third of the payments are accounted for to the last: on a shared machine, one 6M run
 * per build gives the same comparison at half the cost.
 *
 * <p>Not a test (its name matches no test pattern); run with the test classpath of sluice-server:
 * <pre>
 * java -cp CP dev.sluice.server.ThroughputBenchmark broker DIR 2000000 6000000   # prints the bootstrap, keeps running
 * java -cp CP dev.sluice.server.ThroughputBenchmark run BOOTSTRAP 2000000 DIR    # one measurement
 * </pre>
 * Every payment's event time is {@value #EVENTS_PER_MS} per millisecond from a base 2 hours back, so 2M events cover
 * 100 s of event time (10 windows of 500 merchants). A flush record per partition, 10 minutes later, closes the last
 * window; it belongs to merchant {@code flush}, which is not counted.
 */
public final class ThroughputBenchmark {
    static final int PARTITIONS = 4;
    static final int EVENTS_PER_MS = 20;
    static final int MERCHANTS = 500;

    private ThroughputBenchmark() {}

    public static void main(String[] args) throws Exception {
        if (args.length >= 3 && args[0].equals("broker")) {
            broker(Path.of(args[1]), args);
        } else if (args.length == 4 && args[0].equals("run")) {
            run(args[1], Long.parseLong(args[2]), Path.of(args[3]));
        } else {
            System.err.println("usage: broker DIR N...  |  run BOOTSTRAP N DIR");
            System.exit(2);
        }
    }

    static String topic(long events) {
        return "payments-" + events;
    }

    private static void broker(Path dir, String[] args) throws Exception {
        EmbeddedKafka kafka = EmbeddedKafka.start(dir, 0);
        Properties p = new Properties();
        p.setProperty("bootstrap.servers", kafka.bootstrapServers());
        long base = (System.currentTimeMillis() - Duration.ofHours(2).toMillis()) / 10_000 * 10_000;
        try (Admin admin = Admin.create(p)) {
            for (int a = 2; a < args.length; a++) {
                long n = Long.parseLong(args[a]);
                admin.createTopics(List.of(new NewTopic(topic(n), PARTITIONS, (short) 1))).all().get();
            }
        }
        p.setProperty("acks", "all");
        p.setProperty("compression.type", "lz4");
        p.setProperty("linger.ms", "10");
        p.setProperty("batch.size", "262144");
        try (KafkaProducer<byte[], byte[]> producer = new KafkaProducer<>(p, new ByteArraySerializer(), new ByteArraySerializer())) {
            for (int a = 2; a < args.length; a++) {
                long n = Long.parseLong(args[a]);
                long started = System.nanoTime();
                for (long i = 0; i < n; i++) {
                    int partition = (int) (i % PARTITIONS);
                    producer.send(new ProducerRecord<>(topic(n), partition, null, payment(i, base)));
                }
                long flushTs = base + n / EVENTS_PER_MS + Duration.ofMinutes(10).toMillis();
                for (int partition = 0; partition < PARTITIONS; partition++) {
                    String json = "{\"payment_id\":\"flush-" + partition + "\",\"card_id\":\"c-0\",\"merchant_id\":\"flush\","
                            + "\"amount\":1.00,\"currency\":\"EUR\",\"country\":\"DE\",\"ts\":\"" + Instant.ofEpochMilli(flushTs) + "\"}";
                    producer.send(new ProducerRecord<>(topic(n), partition, null, json.getBytes(StandardCharsets.UTF_8)));
                }
                producer.flush();
                System.out.printf("loaded %,d payments into %s in %.1f s%n", n, topic(n), (System.nanoTime() - started) / 1e9);
            }
        }
        System.out.println("bootstrap " + kafka.bootstrapServers());
        System.out.flush();
        Files.writeString(dir.resolve("bootstrap.txt"), kafka.bootstrapServers());
        Thread.sleep(Long.MAX_VALUE);
    }

    /** The i-th payment: ~120 bytes of JSON, merchants and cards spread evenly, amounts 1.00 to 100.99. */
    static byte[] payment(long i, long base) {
        long ts = base + i / EVENTS_PER_MS;
        long merchant = (i * 7919) % MERCHANTS;
        long card = (i * 104_729) % 100_000;
        long cents = 100 + i % 10_000;
        String json = "{\"payment_id\":\"p-" + i + "\",\"card_id\":\"c-" + card + "\",\"merchant_id\":\"m-" + merchant
                + "\",\"amount\":" + cents / 100 + "." + (cents % 100 < 10 ? "0" : "") + cents % 100
                + ",\"currency\":\"EUR\",\"country\":\"DE\",\"ts\":\"" + Instant.ofEpochMilli(ts) + "\"}";
        return json.getBytes(StandardCharsets.UTF_8);
    }

    /** The pipeline of one run; its name is new each run, so no earlier run's consumer offsets or result rows count. */
    static String pipeline(String name, long events) {
        return """
                name: %s
                sources:
                  - name: payments
                    topic: %s
                    partitions: 4
                    schema: {payment_id: STRING, card_id: STRING, merchant_id: STRING, amount: "DECIMAL(12, 2)", currency: STRING, country: STRING, ts: TIMESTAMP(3)}
                    event-time: {column: ts, max-out-of-orderness: 5s}
                views:
                  - name: merchant_revenue
                    sql: |
                      SELECT window_start, window_end, merchant_id, COUNT(*) AS payments, SUM(amount) AS revenue
                      FROM TABLE(TUMBLE(TABLE payments, DESCRIPTOR(ts), INTERVAL '10' SECOND))
                      GROUP BY window_start, window_end, merchant_id
                sinks:
                  - view: merchant_revenue
                    primary-key: [merchant_id, window_start]
                """.formatted(name, topic(events));
    }

    private static void run(String bootstrap, long events, Path dir) throws Exception {
        com.sun.management.OperatingSystemMXBean os =
                (com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean();
        long cpu0 = os.getProcessCpuTime();
        long t0 = System.nanoTime();
        String name = "bench_" + Long.toString(System.currentTimeMillis(), 36);
        PipelineSpec spec = new SpecParser().parse(pipeline(name, events), dir.resolve("bench.yaml"));
        ServerSettings settings = new ServerSettings(dir.resolve("data"), Optional.of(bootstrap), 0, new Properties(), "localhost", 0, 2,
                Duration.ofSeconds(2));
        long counted = 0;
        try (SluiceServer server = SluiceServer.start(List.of(spec), settings)) {
            QueryService queries = new QueryService(server.store());
            long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(20);
            long third = events / 3;
            long tThird = 0;
            long cpuThird = 0;
            while (System.nanoTime() < deadline) {
                counted = count(queries, name);
                if (tThird == 0 && counted >= third) {
                    tThird = System.nanoTime();
                    cpuThird = os.getProcessCpuTime();
                }
                if (counted >= events) {
                    break;
                }
                Thread.sleep(200);
            }
            long t1 = System.nanoTime();
            long cpu1 = os.getProcessCpuTime();
            String sums = queries.query("SELECT count(*), sum(revenue), (SELECT count(*) FROM " + name + ".late_events) FROM "
                    + name + ".merchant_revenue WHERE merchant_id <> 'flush'", 10, QueryScope.all(name)).rows().toString();
            double marginalSeconds = (t1 - tThird) / 1e9;
            System.out.printf("RESULT events=%d counted=%d wall_s=%.2f cpu_s=%.2f marginal_events_per_s=%.0f "
                            + "marginal_cpu_s_per_million=%.2f rows,revenue,late=%s%n", events, counted, (t1 - t0) / 1e9,
                    (cpu1 - cpu0) / 1e9, (events - third) / marginalSeconds, (cpu1 - cpuThird) / 1e9 / ((events - third) / 1e6), sums);
        }
        System.exit(counted == events ? 0 : 1);
    }

    /** Payments accounted for: counted in stored windows, or stored as late events. */
    private static long count(QueryService queries, String name) {
        QueryResult r = queries.query("SELECT (SELECT coalesce(sum(payments), 0) FROM " + name + ".merchant_revenue WHERE merchant_id <> 'flush')"
                + " + (SELECT count(*) FROM " + name + ".late_events)", 10, QueryScope.all(name));
        return ((Number) r.rows().get(0).get(0)).longValue();
    }
}
