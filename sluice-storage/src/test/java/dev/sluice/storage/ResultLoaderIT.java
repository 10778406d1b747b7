package dev.sluice.storage;

import static dev.sluice.storage.DuckDbStoreTest.col;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.sluice.broker.BrokerAdmin;
import dev.sluice.broker.EmbeddedKafka;
import dev.sluice.broker.TopicSpec;
import dev.sluice.spec.SinkSpec;
import java.math.BigDecimal;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.TreeMap;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ResultLoaderIT {
    static final String SALES_TOPIC = "sales-results";
    static final String EVENTS_TOPIC = "events-results";
    static final String GROUP = "sluice-loader-it";
    static final TableDefinition SALES = new TableDefinition("sales", SALES_TOPIC,
            List.of(col("merchant_id", "STRING"), col("window_start", "TIMESTAMP(3)"), col("amount", "DECIMAL(12, 2)")),
            List.of("merchant_id", "window_start"), SinkSpec.Mode.UPSERT);
    static final TableDefinition EVENTS = new TableDefinition("events", EVENTS_TOPIC,
            List.of(col("id", "STRING"), col("n", "BIGINT")), List.of(), SinkSpec.Mode.APPEND);
    static final String W = "2026-11-24T15:00:00";

    @TempDir
    static Path dir;
    static EmbeddedKafka kafka;

    @BeforeAll
    static void startKafka() {
        kafka = EmbeddedKafka.start(dir.resolve("kafka"), 0);
    }

    @AfterAll
    static void stopKafka() {
        kafka.close();
    }

    /** What the tables must hold: every committed event once, and the last committed amount per merchant. */
    final List<String> expectedEvents = new ArrayList<>();
    final Map<String, BigDecimal> expectedSales = new TreeMap<>();

    @Test
    void loadsExactlyTheCommittedRecordsOnceAcrossRestarts() {
        Path file = dir.resolve("store/sluice.duckdb");
        DuckDbStore store = DuckDbStore.open(file);
        ResultLoader loader = loader(store, LoaderConfig.of(GROUP).withMaxBatchRecords(1_000).withMaxBatchWait(Duration.ofMillis(50)));
        loader.start();
        await().atMost(Duration.ofSeconds(30)).until(() -> loader.status() == LoaderStatus.WAITING_FOR_TOPICS);

        try (BrokerAdmin admin = new BrokerAdmin(kafka.bootstrapServers(), new Properties())) {
            admin.ensureTopics(List.of(TopicSpec.of(SALES_TOPIC, 2), TopicSpec.of(EVENTS_TOPIC, 1)));
        }
        try (KafkaProducer<String, String> producer = producer()) {
            // Committed: 100 events and 10 merchants.
            producer.beginTransaction();
            for (int i = 0; i < 100; i++) {
                event(producer, "e-" + i, i);
            }
            for (int m = 1; m <= 10; m++) {
                sale(producer, "m-" + m, m + ".00");
            }
            producer.commitTransaction();
            // Aborted: must never show up.
            producer.beginTransaction();
            event(producer, "aborted-1", -1);
            producer.send(saleRecord("m-1", "999.00"));
            producer.abortTransaction();
            // Committed: an update, a delete, a delete-then-reinsert, and two malformed records.
            producer.beginTransaction();
            sale(producer, "m-2", "20.50");
            tombstone(producer, "m-3");
            tombstone(producer, "m-4");
            sale(producer, "m-4", "44.00");
            producer.send(new ProducerRecord<>(EVENTS_TOPIC, null, "{not json"));
            producer.send(new ProducerRecord<>(SALES_TOPIC, 0, key("m-5"), "{\"merchant_id\":\"m-5\",\"window_start\":\"" + W + "\",\"amount\":\"lots\"}"));
            producer.commitTransaction();
            producer.flush();
        }

        await().atMost(Duration.ofSeconds(60)).untilAsserted(() -> {
            assertThat(events(store)).containsExactlyInAnyOrderElementsOf(expectedEvents);
            assertThat(sales(store)).isEqualTo(expectedSales);
            assertThat(count(store, "_sluice_rejected")).isEqualTo(2);
            assertThat(loader.lag()).isEqualTo(Map.of(SALES_TOPIC, 0L, EVENTS_TOPIC, 0L));
        });
        assertThat(loader.status()).isEqualTo(LoaderStatus.RUNNING);
        assertThat(loader.rowsLoaded()).isEqualTo(100 + 10 + 4);
        assertThat(loader.rowsLoadedByTable()).isEqualTo(Map.of("events", 100L, "sales", 14L));
        assertThat(loader.rejectedRecords()).isEqualTo(2);
        assertThat(loader.batches()).isPositive();
        assertThat(loader.lastBatchAt()).isPresent();
        assertThat(loader.lastBatchDelay()).hasValueSatisfying(d -> assertThat(d.isNegative()).isFalse());
        assertThat(rejectedReasons(store)).containsExactlyInAnyOrder(
                "value is not valid JSON: Unexpected character ('n' (code 110)): was expecting double-quote to start field name",
                "column 'amount' (DECIMAL(12, 2)): expected an exact JSON number, got \"lots\"");
        try (BrokerAdmin admin = new BrokerAdmin(kafka.bootstrapServers(), new Properties())) {
            await().atMost(Duration.ofSeconds(30)).until(() -> admin.lag(GROUP, List.of(SALES_TOPIC, EVENTS_TOPIC)) == 0);
        }

        loader.close();
        assertThat(loader.status()).isEqualTo(LoaderStatus.STOPPED);

        // 20,000 more events in many transactions, some aborted, while no loader runs.
        try (KafkaProducer<String, String> producer = producer()) {
            for (int tx = 0; tx < 40; tx++) {
                producer.beginTransaction();
                for (int i = 0; i < 500; i++) {
                    event(producer, "bulk-" + tx + "-" + i, i);
                }
                sale(producer, "m-" + (tx % 12 + 1), tx + ".25");
                producer.commitTransaction();
                if (tx % 10 == 0) {
                    producer.beginTransaction();
                    event(producer, "aborted-bulk-" + tx, tx);
                    producer.send(saleRecord("m-1", "999.00"));
                    producer.abortTransaction();
                }
            }
        }

        // A loader with tiny batches, stopped in the middle of them.
        ResultLoader interrupted = loader(store, LoaderConfig.of(GROUP).withMaxBatchRecords(100));
        interrupted.start();
        await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(2)).until(() -> interrupted.rowsLoaded() > 0);
        interrupted.close();
        long loadedBeforeStop = count(store, "events");
        assertThat(loadedBeforeStop).isGreaterThan(100).isLessThan(expectedEvents.size());
        Map<org.apache.kafka.common.TopicPartition, Long> offsetsOfFirst = store.committedOffsets();
        store.close();

        // A new process: same file, new store and loader.
        try (DuckDbStore reopened = DuckDbStore.open(file);
             ResultLoader next = loader(reopened, LoaderConfig.of(GROUP))) {
            assertThat(count(reopened, "events")).isEqualTo(loadedBeforeStop);
            assertThat(reopened.committedOffsets()).isEqualTo(offsetsOfFirst);
            next.start();
            await().atMost(Duration.ofSeconds(60)).untilAsserted(() -> {
                assertThat(count(reopened, "events")).isEqualTo(expectedEvents.size());
                assertThat(next.lag()).isEqualTo(Map.of(SALES_TOPIC, 0L, EVENTS_TOPIC, 0L));
            });
            assertThat(events(reopened)).containsExactlyInAnyOrderElementsOf(expectedEvents).doesNotHaveDuplicates();
            assertThat(sales(reopened)).isEqualTo(expectedSales);
            assertThat(count(reopened, "_sluice_rejected")).isEqualTo(2);
        }
    }

    @Test
    void storesOnlyTheRecordsOfItsDeploymentAndCountsTheOthers() {
        String topic = "deployment-results";
        TableDefinition table = new TableDefinition("by_deployment", topic, List.of(col("id", "STRING"), col("n", "BIGINT")),
                List.of(), SinkSpec.Mode.APPEND);
        Deployment earlier = Deployment.create(false);
        Deployment current = Deployment.create(false);
        // An earlier deployment's 30 records, 20 written before deployments were marked, then the current one's 50.
        produce(topic, 30, earlier.id(), "old-");
        produce(topic, 20, null, "unmarked-");
        produce(topic, 50, current.id(), "new-");
        try (DuckDbStore store = DuckDbStore.open(dir.resolve("deployment/sluice.duckdb"));
             ResultLoader loader = new ResultLoader(kafka.bootstrapServers(), new Properties(), store, List.of(table),
                     LoaderConfig.of("deployment").withMaxBatchWait(Duration.ofMillis(50)).withDeployment(current),
                     Clock.systemUTC())) {
            loader.start();
            await().atMost(Duration.ofSeconds(60)).until(() -> loader.skippedRecords().stream().mapToLong(SkippedRecords::count)
                    .sum() == 50 && count(store, "by_deployment") == 50);
            assertThat(ids(store)).hasSize(50).allMatch(id -> id.startsWith("new-"));
            assertThat(loader.skippedRecords()).containsExactlyInAnyOrder(new SkippedRecords(topic, earlier.id(), 30),
                    new SkippedRecords(topic, SkippedRecords.UNMARKED, 20));
            assertThat(loader.rowsLoaded()).isEqualTo(50);
        }
        // A deployment whose state predates the marks also stores the unmarked records, never another deployment's.
        try (DuckDbStore store = DuckDbStore.open(dir.resolve("deployment-legacy/sluice.duckdb"));
             ResultLoader loader = new ResultLoader(kafka.bootstrapServers(), new Properties(), store, List.of(table),
                     LoaderConfig.of("deployment-legacy").withMaxBatchWait(Duration.ofMillis(50))
                             .withDeployment(new Deployment(current.id(), true)), Clock.systemUTC())) {
            loader.start();
            await().atMost(Duration.ofSeconds(60)).until(() -> count(store, "by_deployment") == 70
                    && loader.skippedRecords().equals(List.of(new SkippedRecords(topic, earlier.id(), 30))));
            assertThat(ids(store)).noneMatch(id -> id.startsWith("old-"));
        }
    }

    @Test
    void aDeduplicatedTableForgetsRowIdsOnlyOnceTheCheckpointsHorizonHasPassedThem() {
        String topic = "replayed-results";
        TableDefinition table = new TableDefinition("main", "replayed", topic, List.of(col("id", "STRING"), col("n", "BIGINT")),
                List.of(), SinkSpec.Mode.APPEND, true);
        java.util.concurrent.atomic.AtomicLong horizon = new java.util.concurrent.atomic.AtomicLong(-1);
        long start = System.currentTimeMillis();
        try (DuckDbStore store = DuckDbStore.open(dir.resolve("replayed/sluice.duckdb"));
             ResultLoader loader = new ResultLoader(kafka.bootstrapServers(), new Properties(), store, List.of(table),
                     LoaderConfig.of("replayed").withMaxBatchWait(Duration.ofMillis(50)), Clock.systemUTC())) {
            loader.replayHorizon(horizon::get);
            loader.start();
            produce(topic, 100);
            await().atMost(Duration.ofSeconds(60)).until(() -> count(store, "replayed") == 100);

            // A replay of all of them, while no checkpoint is known: dropped.
            produce(topic, 100);
            await().atMost(Duration.ofSeconds(60)).until(() -> loader.rowsLoaded() == 200);
            assertThat(count(store, "replayed")).isEqualTo(100);
            // A checkpoint triggered before the rows were stored: a replay of it could still bring them, so they stay.
            horizon.set(start - 60_000);
            await().during(Duration.ofSeconds(3)).atMost(Duration.ofSeconds(5))
                    .until(() -> store.replayWindowSizes().equals(Map.of("main.replayed", 100)));

            // One triggered after they were stored (plus the clocks' margin): no replay can bring them any more.
            horizon.set(System.currentTimeMillis() + ResultLoader.REPLAY_HORIZON_MARGIN.toMillis() + 1_000);
            await().atMost(Duration.ofSeconds(10)).until(() -> store.replayWindowSizes().equals(Map.of("main.replayed", 0)));
            assertThat(count(store, "replayed")).isEqualTo(100);
            assertThat(new QueryService(store).query("SELECT count(*) FROM _sluice_row_ids", 1).rows()).containsExactly(List.of(0L));
        }
    }

    private static List<String> ids(DuckDbStore store) {
        return new QueryService(store).query("SELECT id FROM by_deployment", 1_000).rows().stream()
                .map(row -> (String) row.get(0)).toList();
    }

    @Test
    void aWriteThatFailsAfterItsCommitIsNotWrittenAgain() {
        String topic = "after-commit-results";
        TableDefinition table = new TableDefinition("after_commit", topic, List.of(col("id", "STRING"), col("n", "BIGINT")), List.of(),
                SinkSpec.Mode.APPEND);
        CountingFaults faults = new CountingFaults(0, 1);
        try (DuckDbStore store = DuckDbStore.open(dir.resolve("after-commit/sluice.duckdb"))) {
            store.injectFaults(faults);
            try (ResultLoader loader = new ResultLoader(kafka.bootstrapServers(), new Properties(), store, List.of(table),
                    LoaderConfig.of("after-commit").withMaxBatchWait(Duration.ofMillis(50)), Clock.systemUTC())) {
                loader.start();
                produce(topic, 100);

                await().atMost(Duration.ofSeconds(60)).until(() -> count(store, "after_commit") >= 100 && faults.afterCommitFaults() == 1);
                await().pollDelay(Duration.ofSeconds(1)).atMost(Duration.ofSeconds(10)).until(() -> loader.status() == LoaderStatus.RUNNING);
                assertThat(count(store, "after_commit")).as("rows, each stored once although the write reported a failure").isEqualTo(100);
                assertThat(faults.rewrittenAfterCommit()).isZero();
            }
        }
    }

    @Test
    void aBatchThatKeepsFailingIsTriedFiveTimesThenReadAgainFromTheStoredOffsets() {
        String topic = "failing-results";
        TableDefinition table = new TableDefinition("failing", topic, List.of(col("id", "STRING"), col("n", "BIGINT")), List.of(),
                SinkSpec.Mode.APPEND);
        CountingFaults faults = new CountingFaults(7, 0);
        try (DuckDbStore store = DuckDbStore.open(dir.resolve("failing/sluice.duckdb"))) {
            store.injectFaults(faults);
            try (ResultLoader loader = new ResultLoader(kafka.bootstrapServers(), new Properties(), store, List.of(table),
                    LoaderConfig.of("failing").withMaxBatchWait(Duration.ofMillis(50)), Clock.systemUTC())) {
                loader.start();
                produce(topic, 50);

                await().atMost(Duration.ofSeconds(60)).until(() -> count(store, "failing") >= 50);
                assertThat(count(store, "failing")).isEqualTo(50);
                assertThat(faults.beforeCommitFaults()).isEqualTo(7);
                assertThat(faults.maxAttempts()).as("attempts to write one batch from memory").isEqualTo(ResultLoader.MAX_WRITE_ATTEMPTS);
            }
        }
    }

    /** Fails the first writes before their commit, then the first commits after it; remembers batches by identity. */
    private static final class CountingFaults implements WriteFaults {
        private final java.util.Map<LoadBatch, Integer> attempts = new java.util.IdentityHashMap<>();
        private final java.util.Set<LoadBatch> committed = java.util.Collections.newSetFromMap(new java.util.IdentityHashMap<>());
        private int beforeLeft;
        private int afterLeft;
        private int before;
        private int after;
        private int rewritten;

        CountingFaults(int beforeCommit, int afterCommit) {
            this.beforeLeft = beforeCommit;
            this.afterLeft = afterCommit;
        }

        @Override
        public synchronized void beforeCommit(LoadBatch batch) {
            attempts.merge(batch, 1, Integer::sum);
            if (committed.contains(batch)) {
                rewritten++;
            }
            if (beforeLeft > 0) {
                beforeLeft--;
                before++;
                throw new IllegalStateException("injected failure before the commit");
            }
        }

        @Override
        public synchronized void afterCommit(LoadBatch batch) {
            committed.add(batch);
            if (afterLeft > 0 && batch.rowCount() > 0) {
                afterLeft--;
                after++;
                throw new IllegalStateException("injected failure after the commit");
            }
        }

        synchronized int beforeCommitFaults() {
            return before;
        }

        synchronized int afterCommitFaults() {
            return after;
        }

        synchronized int rewrittenAfterCommit() {
            return rewritten;
        }

        synchronized int maxAttempts() {
            return attempts.values().stream().mapToInt(Integer::intValue).max().orElse(0);
        }
    }

    private static void produce(String topic, int events) {
        produce(topic, events, null, "e-");
    }

    /** Events {@code <prefix>0..}, in one transaction, with the deployment header when {@code deployment} is not null. */
    private static void produce(String topic, int events, String deployment, String prefix) {
        try (BrokerAdmin admin = new BrokerAdmin(kafka.bootstrapServers(), new Properties())) {
            admin.ensureTopics(List.of(TopicSpec.of(topic, 1)));
        }
        Properties p = new Properties();
        p.setProperty(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers());
        p.setProperty(ProducerConfig.TRANSACTIONAL_ID_CONFIG, "writer-" + topic + "-" + prefix);
        try (KafkaProducer<String, String> producer = new KafkaProducer<>(p, new StringSerializer(), new StringSerializer())) {
            producer.initTransactions();
            producer.beginTransaction();
            for (int i = 0; i < events; i++) {
                ProducerRecord<String, String> r = new ProducerRecord<>(topic, null, "{\"id\":\"" + prefix + i + "\",\"n\":" + i + "}");
                if (deployment != null) {
                    r.headers().add(Deployment.HEADER, deployment.getBytes(java.nio.charset.StandardCharsets.UTF_8));
                }
                producer.send(r);
            }
            producer.commitTransaction();
        }
    }

    private ResultLoader loader(DuckDbStore store, LoaderConfig config) {
        return new ResultLoader(kafka.bootstrapServers(), new Properties(), store, List.of(SALES, EVENTS), config, Clock.systemUTC());
    }

    private static KafkaProducer<String, String> producer() {
        Properties p = new Properties();
        p.setProperty(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers());
        p.setProperty(ProducerConfig.TRANSACTIONAL_ID_CONFIG, "result-writer");
        p.setProperty(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, StringSerializer.class.getName());
        p.setProperty(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, StringSerializer.class.getName());
        KafkaProducer<String, String> producer = new KafkaProducer<>(p);
        producer.initTransactions();
        return producer;
    }

    private void event(KafkaProducer<String, String> producer, String id, long n) {
        producer.send(new ProducerRecord<>(EVENTS_TOPIC, null, "{\"id\":\"" + id + "\",\"n\":" + n + "}"));
        if (!id.startsWith("aborted")) {
            expectedEvents.add(id);
        }
    }

    private void sale(KafkaProducer<String, String> producer, String merchant, String amount) {
        producer.send(saleRecord(merchant, amount));
        expectedSales.put(merchant, new BigDecimal(amount));
    }

    private void tombstone(KafkaProducer<String, String> producer, String merchant) {
        producer.send(new ProducerRecord<>(SALES_TOPIC, partition(merchant), key(merchant), null));
        expectedSales.remove(merchant);
    }

    private static ProducerRecord<String, String> saleRecord(String merchant, String amount) {
        return new ProducerRecord<>(SALES_TOPIC, partition(merchant), key(merchant),
                "{\"merchant_id\":\"" + merchant + "\",\"window_start\":\"" + W + "\",\"amount\":" + amount + "}");
    }

    /** Records of one key always go to one partition, as Flink's keyed upsert writer does. */
    private static int partition(String merchant) {
        return Math.floorMod(merchant.hashCode(), 2);
    }

    private static String key(String merchant) {
        return "{\"merchant_id\":\"" + merchant + "\",\"window_start\":\"" + W + "\"}";
    }

    private static List<String> events(DuckDbStore store) {
        List<String> ids = new ArrayList<>();
        for (List<Object> row : new QueryService(store).query("SELECT id FROM events", 1_000_000).rows()) {
            ids.add((String) row.get(0));
        }
        return ids;
    }

    private static Map<String, BigDecimal> sales(DuckDbStore store) {
        Map<String, BigDecimal> sales = new HashMap<>();
        for (List<Object> row : new QueryService(store).query("SELECT merchant_id, amount FROM sales", 10_000).rows()) {
            sales.put((String) row.get(0), (BigDecimal) row.get(1));
        }
        return new TreeMap<>(sales);
    }

    private static List<String> rejectedReasons(DuckDbStore store) {
        List<String> reasons = new ArrayList<>();
        for (List<Object> row : new QueryService(store).query("SELECT reason FROM _sluice_rejected", 100).rows()) {
            reasons.add((String) row.get(0));
        }
        return reasons;
    }

    private static long count(DuckDbStore store, String table) {
        return (Long) new QueryService(store).query("SELECT count(*) FROM " + table, 1).rows().get(0).get(0);
    }
}
