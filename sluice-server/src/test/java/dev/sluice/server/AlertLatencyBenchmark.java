package dev.sluice.server;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.HttpServer;
import dev.sluice.alerts.AddressGuard;
import dev.sluice.alerts.Notifiers;
import dev.sluice.alerts.RetryPolicy;
import dev.sluice.alerts.Secrets;
import dev.sluice.spec.PipelineSpec;
import dev.sluice.spec.SpecParser;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Alert latency: from a payment entering Kafka (the producer's record timestamp) to the webhook receiver getting the
 * alert it raised. The alert's condition is met by a single event (a payment flagged by the generator, 10 per second at
 * every rate, so the notifier's load is the same and the rate changes only the load on the job), so no window length or
 * {@code for} duration is part of the figure; each flagged payment is its own key and fires once. Runs the whole server
 * (embedded broker, Flink at parallelism 1, checkpoints every 2 s, notifier, DuckDB) in this JVM at each rate for
 * {@code sluice.bench.seconds} (default 30) seconds, after the job is running.
 *
 * <p>Not part of the build's tests (its name matches no test pattern). Run it with:
 * <pre>
 * mvn -B -o -q -pl sluice-server -am test -Dtest=AlertLatencyBenchmark -Dsurefire.failIfNoSpecifiedTests=false
 * </pre>
 * Results go to the log and to {@code sluice-server/target/alert-latency.txt}.
 */
class AlertLatencyBenchmark {
    private static final Logger LOG = LoggerFactory.getLogger(AlertLatencyBenchmark.class);
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String PIPELINE = """
            name: latency
            sources:
              - name: payments
                partitions: 2
                schema: {payment_id: STRING, card_id: STRING, amount: DOUBLE, alert_marker: BOOLEAN, ts: TIMESTAMP(3)}
                event-time: {column: ts, max-out-of-orderness: 1s}
            views:
              - name: big
                sql: SELECT payment_id, amount FROM payments WHERE amount > 9000
            alerts:
              - name: huge_payment
                sql: SELECT payment_id, card_id, amount, ts FROM payments WHERE alert_marker
                key: [payment_id]
                time: ts
                severity: warning
                message: "payment {payment_id} of {amount} on card {card_id}"
                resolve-after: 1m
                notify: [hook]
            notifiers:
              - name: hook
                type: webhook
                url: ${env:HOOK_URL}
                secret: ${env:HOOK_SECRET}
                allow-private-networks: true
            """;

    @TempDir
    Path dir;

    @Test
    void measuresAlertLatencyAt1000And10000EventsPerSecond() throws Exception {
        int seconds = Integer.getInteger("sluice.bench.seconds", 30);
        List<String> lines = new ArrayList<>();
        lines.add("Alert latency, event entering Kafka -> webhook received; " + seconds + " s per rate");
        for (int rate : new int[] {1_000, 10_000}) {
            lines.add(run(rate, seconds));
            LOG.info(lines.get(lines.size() - 1));
        }
        Files.write(Path.of("target", "alert-latency.txt"), lines);
    }

    private String run(int rate, int seconds) throws Exception {
        Map<String, Long> created = new ConcurrentHashMap<>();
        List<Long> latencies = Collections.synchronizedList(new ArrayList<>());
        List<Long> inJob = Collections.synchronizedList(new ArrayList<>());
        HttpServer receiver = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        java.util.concurrent.ExecutorService executor = Executors.newFixedThreadPool(2);
        receiver.setExecutor(executor);
        receiver.createContext("/hook", exchange -> {
            long now = System.currentTimeMillis();
            JsonNode n = JSON.readTree(exchange.getRequestBody().readAllBytes());
            Long sent = created.get(n.get("key").get("payment_id").asText());
            if (sent != null && "firing".equals(n.get("state").asText())) {
                latencies.add(now - sent);
                inJob.add(n.get("firedAt").asLong() - sent);
            }
            exchange.sendResponseHeaders(204, -1);
            exchange.close();
        });
        receiver.start();
        Path data = dir.resolve("rate-" + rate);
        ServerSettings settings = new ServerSettings(data, Optional.empty(), 0, new Properties(), "localhost", 0, 1,
                Duration.ofSeconds(2));
        Notifiers.Settings notifiers = new Notifiers.Settings(AddressGuard.system(), new Secrets(Map.of(
                "HOOK_URL", "http://127.0.0.1:" + receiver.getAddress().getPort() + "/hook", "HOOK_SECRET", "bench")::get),
                Clock.systemUTC(), Duration.ofSeconds(2), Duration.ofSeconds(5), false);
        PipelineSpec spec = new SpecParser().parse(PIPELINE, dir.resolve("latency.yaml"));
        long matching = 0;
        long sentEvents = 0;
        try (SluiceServer server = SluiceServer.start(List.of(spec), settings, notifiers, RetryPolicy.defaults())) {
            Properties p = new Properties();
            p.setProperty("bootstrap.servers", server.bootstrapServers());
            p.setProperty("acks", "all");
            p.setProperty("linger.ms", "1");
            try (KafkaProducer<String, String> producer = new KafkaProducer<>(p, new StringSerializer(), new StringSerializer())) {
                java.util.Random random = new java.util.Random(rate);
                // Warm-up: the job must run (tasks deployed) and settle before measuring.
                long running = System.currentTimeMillis() + 120_000;
                while (!server.pipelineStatus("latency").map(PipelineStatus::state).orElse("").equals("RUNNING")
                        && System.currentTimeMillis() < running) {
                    Thread.sleep(200);
                }
                Thread.sleep(5_000);
                long start = System.nanoTime();
                long total = (long) rate * seconds;
                for (long i = 0; i < total; i++) {
                    long due = start + i * 1_000_000_000L / rate;
                    long wait = due - System.nanoTime();
                    if (wait > 1_000_000) {
                        Thread.sleep(wait / 1_000_000);
                    }
                    String id = "p-" + i;
                    double amount = random.nextInt(1_000_000) / 100.0;
                    boolean flagged = i % (rate / 10) == 0;
                    long now = System.currentTimeMillis();
                    String json = "{\"payment_id\":\"" + id + "\",\"card_id\":\"c-" + random.nextInt(5_000) + "\",\"amount\":"
                            + amount + ",\"alert_marker\":" + flagged + ",\"ts\":\"" + Instant.ofEpochMilli(now).atOffset(ZoneOffset.UTC).toLocalDateTime() + "\"}";
                    if (flagged) {
                        matching++;
                        producer.send(new ProducerRecord<>("payments", null, now, id, json), (md, e) -> {
                            if (md != null) {
                                created.put(id, md.timestamp());
                            }
                        });
                    } else {
                        producer.send(new ProducerRecord<>("payments", null, now, id, json));
                    }
                    sentEvents++;
                }
                producer.flush();
                double actualRate = sentEvents / ((System.nanoTime() - start) / 1e9);
                long deadline = System.currentTimeMillis() + 30_000;
                while (latencies.size() < matching && System.currentTimeMillis() < deadline) {
                    Thread.sleep(200);
                }
                List<Long> sorted = sorted(latencies);
                List<Long> job = sorted(inJob);
                return String.format("rate %,d events/s (sent %,.0f/s): %,d alerts expected, %,d received; latency p50 %d ms, "
                                + "p99 %d ms, max %d ms (of which event -> job emitted: p50 %d ms, p99 %d ms)", rate, actualRate,
                        matching, sorted.size(), percentile(sorted, 50), percentile(sorted, 99),
                        sorted.isEmpty() ? -1 : sorted.get(sorted.size() - 1), percentile(job, 50), percentile(job, 99));
            }
        } finally {
            receiver.stop(0);
            executor.shutdownNow();
        }
    }

    private static List<Long> sorted(List<Long> values) {
        List<Long> copy;
        synchronized (values) {
            copy = new ArrayList<>(values);
        }
        Collections.sort(copy);
        return copy;
    }

    private static long percentile(List<Long> sorted, int p) {
        if (sorted.isEmpty()) {
            return -1;
        }
        int index = (int) Math.ceil(p / 100.0 * sorted.size()) - 1;
        return sorted.get(Math.max(0, index));
    }
}
