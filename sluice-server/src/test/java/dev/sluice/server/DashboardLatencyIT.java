package dev.sluice.server;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.sluice.ingest.GeneratorRunner;
import dev.sluice.ingest.PaymentsGenerator;
import dev.sluice.spec.PipelineSpec;
import dev.sluice.spec.SpecParser;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Properties;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledIfSystemProperty;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Dashboard update latency: from a payment produced to Kafka to the pushed update of the payments demo's
 * large-payments panel that shows it, as an open page (a server-sent-events client) receives it. The payments
 * generator runs meanwhile, so the probes share the pipeline with ordinary traffic. The figures go to the log and to
 * {@code target/dashboard-latency.txt}; docs/benchmarks.md records them with this command.
 *
 * <p>A benchmark, not part of the normal build: it runs with {@code -Dsluice.bench=true}. Settings: {@code sluice.bench.rate} (generator events/s, default 1000), {@code sluice.bench.checkpoint} (ms,
 * default 2000 as {@code sluice demo}), {@code sluice.bench.probes} (default 30).
 */
@EnabledIfSystemProperty(named = "sluice.bench", matches = "true", disabledReason = "a benchmark of about two minutes; run it with -Dsluice.bench=true")
class DashboardLatencyIT {
    private static final Logger LOG = LoggerFactory.getLogger(DashboardLatencyIT.class);

    @TempDir
    Path dir;

    @Test
    void measuresTheTimeFromAnEventToThePushedPanelUpdate() throws Exception {
        double rate = Double.parseDouble(System.getProperty("sluice.bench.rate", "1000"));
        Duration checkpoint = Duration.ofMillis(Long.getLong("sluice.bench.checkpoint", 2000));
        int probes = Integer.getInteger("sluice.bench.probes", 30);
        PipelineSpec spec = new SpecParser().parse(Path.of("..", "examples", "payments", "pipeline.yaml"));
        ServerSettings settings = new ServerSettings(dir.resolve("data"), Optional.empty(), 0, new Properties(), "localhost", 0, 2, checkpoint);
        List<Long> latencies = new ArrayList<>();
        try (SluiceServer server = SluiceServer.start(spec, settings);
             GeneratorRunner generator = GeneratorRunner.start(server.bootstrapServers(), new Properties(), "payments", rate,
                     new PaymentsGenerator(7, Clock.systemUTC(), 0.0));
             KafkaProducer<String, String> producer = producer(server.bootstrapServers())) {
            BlockingQueue<JsonNode> page = DashboardHubIT.subscribe("http://localhost:" + server.httpPort()
                    + "/api/v1/pipelines/payments/dashboards/payments/events");
            Thread.sleep(20_000); // the job runs and the first windows are stored before the first probe
            for (int i = 0; i < probes; i++) {
                String amount = String.format("%d.%02d", 7000 + i, 37);
                page.clear();
                long sent = System.nanoTime();
                producer.send(new ProducerRecord<>("payments", "probe-" + i, "{\"payment_id\":\"probe-" + i + "\",\"card_id\":\"c-probe\","
                        + "\"merchant_id\":\"m-0002\",\"amount\":" + amount + ",\"currency\":\"EUR\",\"country\":\"DE\",\"ts\":\""
                        + Instant.now().truncatedTo(ChronoUnit.MILLIS) + "\"}"));
                long received = awaitPanelRowWith(page, "p5", Double.parseDouble(amount), sent + TimeUnit.SECONDS.toNanos(30));
                latencies.add(TimeUnit.NANOSECONDS.toMillis(received - sent));
                Thread.sleep(500 + (i % 5) * 137); // probes at different phases of the checkpoint interval
            }
        }
        List<Long> sorted = latencies.stream().sorted().toList();
        String report = String.format("dashboard update latency, %d probes, generator %.0f events/s, checkpoint %d ms: "
                        + "p50 %d ms, p90 %d ms, max %d ms, min %d ms", sorted.size(), rate, checkpoint.toMillis(),
                percentile(sorted, 50), percentile(sorted, 90), sorted.get(sorted.size() - 1), sorted.get(0));
        LOG.info("{}", report);
        Files.writeString(Path.of("target", "dashboard-latency.txt"), report + System.lineSeparator()
                + "all (ms, in order): " + latencies + System.lineSeparator());
        // Results become visible at a checkpoint; a push must follow within a few intervals.
        assertThat(percentile(sorted, 50)).isLessThan(checkpoint.toMillis() * 3 + 2_000);
    }

    /** Waits for a panel event of {@code panel} with a row holding {@code amount}; returns when it arrived. */
    private static long awaitPanelRowWith(BlockingQueue<JsonNode> page, String panel, double amount, long deadline)
            throws InterruptedException {
        while (true) {
            long left = deadline - System.nanoTime();
            JsonNode event = page.poll(Math.max(0, left), TimeUnit.NANOSECONDS);
            long at = System.nanoTime();
            assertThat(event).as("an update of panel %s showing the amount %s within 30 s", panel, amount).isNotNull();
            if (event.path("type").asText().equals("panel") && event.path("panel").path("id").asText().equals(panel)) {
                for (JsonNode row : event.path("panel").path("rows")) {
                    for (JsonNode value : row) {
                        if (value.isNumber() && Math.abs(value.asDouble() - amount) < 0.001) {
                            return at;
                        }
                    }
                }
            }
        }
    }

    private static long percentile(List<Long> sorted, int p) {
        int index = (int) Math.ceil(p / 100.0 * sorted.size()) - 1;
        return sorted.get(Math.max(0, Math.min(sorted.size() - 1, index)));
    }

    private static KafkaProducer<String, String> producer(String bootstrap) {
        Properties p = new Properties();
        p.setProperty(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        p.setProperty(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, StringSerializer.class.getName());
        p.setProperty(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, StringSerializer.class.getName());
        p.setProperty(ProducerConfig.LINGER_MS_CONFIG, "0");
        return new KafkaProducer<>(p);
    }
}
