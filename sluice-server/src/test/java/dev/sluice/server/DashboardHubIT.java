package dev.sluice.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.sluice.broker.BrokerAdmin;
import dev.sluice.broker.EmbeddedKafka;
import dev.sluice.broker.TopicSpec;
import dev.sluice.spec.ColumnSpec;
import dev.sluice.spec.DashboardSpec;
import dev.sluice.spec.Location;
import dev.sluice.spec.PanelSpec;
import dev.sluice.spec.PipelineSpec;
import dev.sluice.spec.SinkSpec;
import dev.sluice.storage.DuckDbStore;
import dev.sluice.storage.LoaderConfig;
import dev.sluice.storage.QueryService;
import dev.sluice.storage.ResultLoader;
import dev.sluice.storage.TableDefinition;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import java.util.Set;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A loader commit re-evaluates exactly the panels that read a changed table, once per commit, and pushes the result to
 * every page subscribed over HTTP: the real broker, loader, DuckDB file, hub and server-sent events.
 */
class DashboardHubIT {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Location AT = new Location(Path.of("pay.yaml"), 1, 1);
    private static final TableDefinition ORDERS = new TableDefinition("pay", "orders", "pay-orders",
            List.of(new ColumnSpec("id", "STRING", null), new ColumnSpec("amount", "BIGINT", null)), List.of(), SinkSpec.Mode.APPEND);
    private static final TableDefinition REFUNDS = new TableDefinition("pay", "refunds", "pay-refunds",
            List.of(new ColumnSpec("id", "STRING", null), new ColumnSpec("amount", "BIGINT", null)), List.of(), SinkSpec.Mode.APPEND);

    @TempDir
    Path dir;

    private static PanelSpec panel(String title, PanelSpec.Visual visual, String sql, PanelSpec.Options options) {
        return new PanelSpec(title, visual, sql, options, AT, AT);
    }

    private static PanelSpec.Options options(String label, String value) {
        return new PanelSpec.Options(null, List.of(), null, label, value, null, null, null, null, null);
    }

    @Test
    void aCommitReEvaluatesEachAffectedPanelOnceAndPushesItToEverySubscriber() throws Exception {
        PipelineSpec spec = new PipelineSpec("pay", "", Path.of("pay.yaml"), List.of(), List.of(), List.of(), List.of(), List.of(
                new DashboardSpec("live", "Live", List.of(
                        panel("Orders", PanelSpec.Visual.STAT, "SELECT count(*) AS n, coalesce(sum(amount), 0) AS total FROM orders",
                                options(null, "total")),
                        panel("Refunds", PanelSpec.Visual.TABLE, "SELECT id, amount FROM refunds ORDER BY id", options(null, null)),
                        panel("Biggest orders", PanelSpec.Visual.TOP, "SELECT id, amount FROM pay.orders ORDER BY amount DESC LIMIT 3",
                                options("id", "amount"))), AT)));
        try (EmbeddedKafka kafka = EmbeddedKafka.start(dir.resolve("kafka"), 0);
             DuckDbStore store = DuckDbStore.open(dir.resolve("sluice.duckdb"));
             DashboardHub hub = new DashboardHub(new QueryService(store), DashboardHub.Limits.defaults(), Clock.systemUTC());
             ResultLoader loader = new ResultLoader(kafka.bootstrapServers(), new Properties(), store, List.of(ORDERS, REFUNDS),
                     LoaderConfig.of("sluice-loader-pay").withMaxBatchWait(Duration.ofMillis(20)), Clock.systemUTC())) {
            try (BrokerAdmin admin = new BrokerAdmin(kafka.bootstrapServers(), new Properties())) {
                admin.ensureTopics(List.of(TopicSpec.of("pay-orders", 1), TopicSpec.of("pay-refunds", 1)));
            }
            store.ensureTable(ORDERS);
            store.ensureTable(REFUNDS);
            hub.deploy(spec, Set.of("orders", "refunds"));
            AtomicInteger orderCommits = new AtomicInteger();
            AtomicInteger refundCommits = new AtomicInteger();
            loader.addCommitListener(tables -> {
                orderCommits.addAndGet(tables.contains("pay.orders") ? 1 : 0);
                refundCommits.addAndGet(tables.contains("pay.refunds") ? 1 : 0);
            });
            loader.addCommitListener(tables -> hub.committed("pay", tables));
            loader.start();
            ServerSettings settings = new ServerSettings(dir, Optional.empty(), 0, new Properties(), "localhost", 0, 1, Duration.ofSeconds(1));
            try (ApiServer api = ApiServer.start(new PipelineNames("pay"), new NoControl(), new QueryService(store), settings, hub);
                 KafkaProducer<String, String> producer = producer(kafka.bootstrapServers())) {
                await().atMost(Duration.ofSeconds(10)).until(() -> hub.evaluations("pay", "live", 0) == 1
                        && hub.evaluations("pay", "live", 1) == 1 && hub.evaluations("pay", "live", 2) == 1);
                String events = "http://localhost:" + api.port() + "/api/v1/pipelines/pay/dashboards/live/events";
                BlockingQueue<JsonNode> first = subscribe(events);
                BlockingQueue<JsonNode> second = subscribe(events);
                for (BlockingQueue<JsonNode> client : List.of(first, second)) {
                    JsonNode snapshot = client.poll(10, TimeUnit.SECONDS);
                    assertThat(snapshot.path("type").asText()).isEqualTo("snapshot");
                    assertThat(snapshot.path("dashboard").path("panels").get(0).path("rows").toString()).isEqualTo("[[0,0]]");
                }
                await().atMost(Duration.ofSeconds(5)).until(() -> hub.subscribers() == 2);

                // One transaction of five orders: one commit, which touches orders only.
                producer.beginTransaction();
                long[] amounts = {120, 35, 990, 8, 410};
                for (int i = 0; i < amounts.length; i++) {
                    producer.send(new ProducerRecord<>("pay-orders", null, "{\"id\":\"o-" + i + "\",\"amount\":" + amounts[i] + "}"));
                }
                producer.commitTransaction();

                await().atMost(Duration.ofSeconds(20)).until(() -> orderCommits.get() == 1);
                await().atMost(Duration.ofSeconds(10)).until(() -> hub.evaluations("pay", "live", 0) == 2
                        && hub.evaluations("pay", "live", 2) == 2);
                for (BlockingQueue<JsonNode> client : List.of(first, second)) {
                    Map<String, JsonNode> updates = panelUpdates(client, 2);
                    assertThat(updates.keySet()).containsExactlyInAnyOrder("p0", "p2");
                    assertThat(updates.get("p0").path("rows").toString()).isEqualTo("[[5,1563]]");
                    assertThat(updates.get("p2").path("rows").toString()).isEqualTo("[[\"o-2\",990],[\"o-4\",410],[\"o-0\",120]]");
                }

                // A commit to refunds alone re-evaluates the refunds panel alone.
                producer.beginTransaction();
                producer.send(new ProducerRecord<>("pay-refunds", null, "{\"id\":\"r-1\",\"amount\":35}"));
                producer.commitTransaction();
                await().atMost(Duration.ofSeconds(20)).until(() -> refundCommits.get() == 1);
                await().atMost(Duration.ofSeconds(10)).until(() -> hub.evaluations("pay", "live", 1) == 2);
                for (BlockingQueue<JsonNode> client : List.of(first, second)) {
                    Map<String, JsonNode> updates = panelUpdates(client, 1);
                    assertThat(updates.keySet()).containsExactly("p1");
                    assertThat(updates.get("p1").path("rows").toString()).isEqualTo("[[\"r-1\",35]]");
                }
                // Nothing else was evaluated or pushed: one evaluation per affected panel and commit.
                Thread.sleep(500);
                assertThat(orderCommits.get()).isEqualTo(1);
                assertThat(List.of(hub.evaluations("pay", "live", 0), hub.evaluations("pay", "live", 1), hub.evaluations("pay", "live", 2)))
                        .containsExactly(2L, 2L, 2L);
                assertThat(first).isEmpty();
                assertThat(second).isEmpty();

                // The current data, as a page loads it.
                HttpResponse<String> current = HttpClient.newHttpClient().send(HttpRequest.newBuilder(
                        URI.create("http://localhost:" + api.port() + "/api/v1/pipelines/pay/dashboards/live")).build(),
                        HttpResponse.BodyHandlers.ofString());
                JsonNode body = JSON.readTree(current.body());
                assertThat(body.path("panels").get(0).path("rows").toString()).isEqualTo("[[5,1563]]");
                assertThat(body.path("panels").get(1).path("rows").toString()).isEqualTo("[[\"r-1\",35]]");
            }
        }
    }

    /** The next {@code n} panel events of a client, by panel id. */
    private static Map<String, JsonNode> panelUpdates(BlockingQueue<JsonNode> client, int n) throws InterruptedException {
        Map<String, JsonNode> updates = new java.util.TreeMap<>();
        for (int i = 0; i < n; i++) {
            JsonNode event = client.poll(10, TimeUnit.SECONDS);
            assertThat(event).as("panel event %d of %d", i + 1, n).isNotNull();
            assertThat(event.path("type").asText()).isEqualTo("panel");
            JsonNode previous = updates.put(event.path("panel").path("id").asText(), event.path("panel"));
            assertThat(previous).as("a second update of panel %s", event.path("panel").path("id").asText()).isNull();
        }
        return updates;
    }

    /** Opens an event stream and hands its events' JSON to the returned queue, as a page's EventSource would see them. */
    static BlockingQueue<JsonNode> subscribe(String url) {
        BlockingQueue<JsonNode> events = new LinkedBlockingQueue<>();
        HttpClient.newHttpClient().sendAsync(HttpRequest.newBuilder(URI.create(url)).header("Accept", "text/event-stream").build(),
                HttpResponse.BodyHandlers.ofLines()).thenAccept(response -> response.body().forEach(line -> {
                    if (line.startsWith("data:")) {
                        try {
                            events.add(JSON.readTree(line.substring("data:".length()).strip()));
                        } catch (java.io.IOException e) {
                            throw new java.io.UncheckedIOException(e);
                        }
                    }
                }));
        return events;
    }

    private static KafkaProducer<String, String> producer(String bootstrap) {
        Properties p = new Properties();
        p.setProperty(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        p.setProperty(ProducerConfig.TRANSACTIONAL_ID_CONFIG, "dashboard-it");
        p.setProperty(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, StringSerializer.class.getName());
        p.setProperty(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, StringSerializer.class.getName());
        KafkaProducer<String, String> producer = new KafkaProducer<>(p);
        producer.initTransactions();
        return producer;
    }

    /** A status source that only names its pipelines. */
    record PipelineNames(String... names) implements StatusSource {
        @Override
        public Map<String, SluiceServer.Health> health() {
            return Map.of();
        }

        @Override
        public List<PipelineStatus> pipelines() {
            return List.of();
        }

        @Override
        public List<String> pipelineNames() {
            return List.of(names);
        }
    }

    /** A server that deploys nothing. */
    static final class NoControl implements PipelineControl {
        @Override
        public Deployed deploy(PipelineSpec spec) {
            throw new PipelineConflictException("not here");
        }

        @Override
        public void remove(String name) {
            throw new PipelineConflictException("not here");
        }
    }
}
