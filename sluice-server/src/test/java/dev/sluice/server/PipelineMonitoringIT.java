package dev.sluice.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.sluice.spec.PipelineSpec;
import dev.sluice.spec.SpecParser;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.time.LocalDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Lag, counts and metrics of a pipeline that has consumed a bounded input: every partition's lag (the job's and the
 * loader's) reaches 0, the job's processed count equals the records sent, exactly, and {@code /metrics} says the same
 * in Prometheus names. The expected numbers are computed here from what the test sends.
 */
class PipelineMonitoringIT {
    private static final Logger LOG = LoggerFactory.getLogger(PipelineMonitoringIT.class);
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final HttpClient HTTP = HttpClient.newHttpClient();
    private static final LocalDateTime T0 = LocalDateTime.of(2026, 1, 1, 0, 0);
    private static final int VALID = 3_000;
    private static final List<String> MALFORMED = List.of("not json", "{\"id\":\"x\"", "{\"id\":\"y\",\"user_id\":\"u\",\"n\":\"many\",\"ts\":\"2026-01-01T00:00:00\"}");

    static final String PIPELINE = """
            name: ops
            sources:
              - name: clicks
                topic: ops-clicks
                partitions: 2
                schema: {id: STRING, user_id: STRING, n: BIGINT, ts: TIMESTAMP(3)}
                event-time: {column: ts, max-out-of-orderness: 5s}
            views:
              - name: big
                sql: SELECT id, user_id, n, ts FROM clicks WHERE n >= 10
              - name: per_user
                sql: SELECT user_id, COUNT(*) AS clicks FROM big GROUP BY user_id
            sinks:
              - view: big
                primary-key: [id]
              - view: per_user
                mode: upsert
                primary-key: [user_id]
            """;

    @TempDir
    Path dir;

    @Test
    void lagReachesZeroAndCountsAreExactAfterABoundedInput() throws Exception {
        PipelineSpec spec = new SpecParser().parse(PIPELINE, dir.resolve("ops.yaml"));
        ServerSettings settings = new ServerSettings(dir.resolve("data"), Optional.empty(), 0, new Properties(), "localhost", 0, 2,
                Duration.ofMillis(500));
        long expectedBig = 0;
        for (int i = 0; i < VALID; i++) {
            if (n(i) >= 10) {
                expectedBig++;
            }
        }
        long total = VALID + MALFORMED.size();
        try (SluiceServer server = SluiceServer.start(spec, settings)) {
            String base = "http://localhost:" + server.httpPort();
            send(server.bootstrapServers());
            long sentAt = System.nanoTime();
            long big = expectedBig;
            await().atMost(Duration.ofMinutes(2)).pollInterval(Duration.ofMillis(500)).untilAsserted(() -> {
                PipelineStatus s = server.status("ops");
                assertThat(s.eventsIn()).isEqualTo(total);
                assertThat(s.partitionLag()).allSatisfy(p -> assertThat(p.lag()).as(p.toString()).isZero());
                assertThat(s.pipelineLag()).isZero();
                assertThat(s.loaderLag()).isZero();
                assertThat(s.deadLetters()).isEqualTo(MALFORMED.size());
                assertThat(server.loader("ops").rowsLoadedByTable().get("big")).isEqualTo(big);
            });
            long lagZeroAt = System.nanoTime();
            PipelineStatus s = server.status("ops");
            LOG.info("Status after the input was consumed: {}", s);
            assertThat(s.processed()).isEqualTo(total);
            assertThat(s.partitionLag().stream().filter(p -> p.consumer().equals("job")).map(p -> p.topic() + "/" + p.partition()))
                    .containsExactly("ops-clicks/0", "ops-clicks/1");
            assertThat(s.partitionLag().stream().filter(p -> p.consumer().equals("job")).mapToLong(PipelineStatus.PartitionLag::endOffset).sum())
                    .isEqualTo(total);
            assertThat(s.partitionLag().stream().filter(p -> p.consumer().equals("loader")).map(PipelineStatus.PartitionLag::topic).distinct())
                    .containsExactlyInAnyOrder("sluice.ops.big", "sluice.ops.per_user", "sluice.ops.clicks.dlq", "sluice.ops.clicks.late");
            assertThat(s.lateEvents()).isZero();
            // The offsets the job commits with each checkpoint catch up too: the next checkpoint after the last record.
            await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> assertThat(server.status("ops").partitionLag())
                    .filteredOn(p -> p.consumer().equals("job")).allSatisfy(p -> assertThat(p.committed()).isEqualTo(p.endOffset())));
            LOG.info("After the last record was sent: every lag 0 and all rows stored within {} ms; the job's consumer group offsets"
                    + " caught up {} ms later.", (lagZeroAt - sentAt) / 1_000_000, (System.nanoTime() - lagZeroAt) / 1_000_000);
            assertThat(s.checkpoints().completed()).isPositive();
            assertThat(s.checkpoints().lastDurationMillis()).isNotNegative();
            assertThat(s.checkpoints().lastAgeMillis()).isNotNegative().isLessThan(60_000);
            assertThat(s.checkpoints().restarts()).isZero();
            PipelineStatus.TableInfo bigTable = s.tables().stream().filter(t -> t.name().equals("big")).findFirst().orElseThrow();
            assertThat(bigTable.newestEventTime()).isEqualTo(T0.plusSeconds(lastBigSecond()).toInstant(ZoneOffset.UTC).toString());
            assertThat(bigTable.freshnessMillis()).isPositive();
            Map<String, PipelineStatus.Node> nodes = new HashMap<>();
            s.nodes().forEach(n -> nodes.put(n.id(), n));
            assertThat(nodes.get("source:clicks").recordsIn()).isEqualTo(total);
            assertThat(nodes.get("dead-letters:clicks").recordsIn()).isEqualTo(MALFORMED.size());
            assertThat(nodes.get("sink:big").recordsIn()).isEqualTo(expectedBig);
            assertThat(nodes.get("view:big").inputs()).containsExactly("source:clicks");
            assertThat(nodes.get("view:per_user").inputs()).containsExactly("view:big");
            assertThat(nodes.get("sink:per_user").inputs()).containsExactly("view:per_user");

            // The same over HTTP.
            JsonNode json = JSON.readTree(get(base + "/api/v1/pipelines/ops").body());
            assertThat(json.get("pipelineLag").asLong()).isZero();
            assertThat(json.get("partitionLag")).hasSize(2 + 2 * 4);
            assertThat(json.at("/checkpoints/completed").asLong()).isPositive();

            // And in Prometheus names, with exact counts.
            await().atMost(Duration.ofSeconds(20)).untilAsserted(() -> {
                HttpResponse<String> metrics = get(base + "/metrics");
                assertThat(metrics.statusCode()).isEqualTo(200);
                assertThat(metrics.headers().firstValue("Content-Type").orElse("")).startsWith("text/plain");
                Map<String, Double> m = parse(metrics.body());
                assertThat(m).containsEntry("sluice_source_records_total{pipeline=ops}", (double) total)
                        .containsEntry("sluice_pipeline_processed_records_total{pipeline=ops}", (double) total)
                        .containsEntry("sluice_dead_letters_total{pipeline=ops}", (double) MALFORMED.size())
                        .containsEntry("sluice_source_dead_letters_total{pipeline=ops,source=clicks}", (double) MALFORMED.size())
                        .containsEntry("sluice_late_events_total{pipeline=ops}", 0.0)
                        .containsEntry("sluice_late_records_dropped_total{pipeline=ops}", 0.0)
                        .containsEntry("sluice_table_rows_loaded_total{pipeline=ops,table=big}", (double) big)
                        .containsEntry("sluice_consumer_lag_records{consumer=job,partition=0,pipeline=ops,topic=ops-clicks}", 0.0)
                        .containsEntry("sluice_consumer_lag_records{consumer=job,partition=1,pipeline=ops,topic=ops-clicks}", 0.0)
                        .containsEntry("sluice_pipeline_lag_records{consumer=job,pipeline=ops}", 0.0)
                        .containsEntry("sluice_pipeline_lag_records{consumer=loader,pipeline=ops}", 0.0)
                        .containsEntry("sluice_node_records_in_total{kind=source,node=source:clicks,pipeline=ops}", (double) total)
                        .containsEntry("sluice_job_restarts_total{pipeline=ops}", 0.0)
                        .containsEntry("sluice_pipeline_running{pipeline=ops}", 1.0)
                        .containsKeys("sluice_checkpoints_completed_total{pipeline=ops}", "sluice_checkpoints_failed_total{pipeline=ops}",
                                "sluice_checkpoint_duration_seconds{pipeline=ops}", "sluice_checkpoint_age_seconds{pipeline=ops}",
                                "sluice_table_freshness_seconds{pipeline=ops,table=big}");
                assertThat(m.get("sluice_checkpoints_completed_total{pipeline=ops}")).isPositive();
                assertThat(m.get("sluice_table_freshness_seconds{pipeline=ops,table=big}")).isPositive();
                assertThat(m.keySet()).allSatisfy(k -> assertThat(k).doesNotContain("-1"));
            });
        }
    }

    static long n(int i) {
        return (i * 7L) % 23;
    }

    private static int lastBigSecond() {
        int last = -1;
        for (int i = 0; i < VALID; i++) {
            if (n(i) >= 10) {
                last = i;
            }
        }
        return last;
    }

    private static void send(String bootstrap) throws Exception {
        Properties p = new Properties();
        p.setProperty("bootstrap.servers", bootstrap);
        p.setProperty("acks", "all");
        try (KafkaProducer<String, String> producer = new KafkaProducer<>(p, new StringSerializer(), new StringSerializer())) {
            for (int i = 0; i < VALID; i++) {
                String json = "{\"id\":\"c" + i + "\",\"user_id\":\"u" + (i % 11) + "\",\"n\":" + n(i) + ",\"ts\":\"" + T0.plusSeconds(i) + "\"}";
                producer.send(new ProducerRecord<>("ops-clicks", i % 2, "u" + (i % 11), json));
            }
            for (String bad : MALFORMED) {
                producer.send(new ProducerRecord<>("ops-clicks", 0, "bad", bad));
            }
            producer.flush();
        }
    }

    private static final Pattern SAMPLE = Pattern.compile("^([a-zA-Z_:][a-zA-Z0-9_:]*)(\\{([^}]*)\\})? (\\S+)$");
    private static final Pattern LABEL = Pattern.compile("([a-zA-Z_][a-zA-Z0-9_]*)=\"((?:[^\"\\\\]|\\\\.)*)\"");

    /** Prometheus text into "name{label=value,...}" (labels sorted, unquoted) to value. */
    static Map<String, Double> parse(String text) {
        Map<String, Double> samples = new HashMap<>();
        for (String line : text.split("\n")) {
            Matcher m = SAMPLE.matcher(line.strip());
            if (line.startsWith("#") || !m.matches()) {
                continue;
            }
            TreeMap<String, String> labels = new TreeMap<>();
            if (m.group(3) != null) {
                Matcher l = LABEL.matcher(m.group(3));
                while (l.find()) {
                    labels.put(l.group(1), l.group(2));
                }
            }
            List<String> parts = new ArrayList<>();
            labels.forEach((k, v) -> parts.add(k + "=" + v));
            samples.put(m.group(1) + "{" + String.join(",", parts) + "}", Double.parseDouble(m.group(4)));
        }
        return samples;
    }

    private static HttpResponse<String> get(String url) throws Exception {
        return HTTP.send(HttpRequest.newBuilder(URI.create(url)).GET().build(), HttpResponse.BodyHandlers.ofString());
    }
}
