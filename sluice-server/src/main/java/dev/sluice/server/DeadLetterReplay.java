package dev.sluice.server;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.sluice.SluiceException;
import dev.sluice.broker.BrokerAdmin;
import dev.sluice.broker.TopicSpec;
import dev.sluice.engine.PipelineCompiler;
import dev.sluice.spec.PipelineSpec;
import dev.sluice.spec.SourceSpec;
import dev.sluice.storage.QueryResult;
import dev.sluice.storage.QueryScope;
import dev.sluice.storage.QueryService;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import java.util.UUID;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Sends a pipeline's dead letters back to their source topic once the reason they failed is fixed (a schema that now
 * accepts them, a producer that was corrected upstream), exactly once, and keeps a ledger of what was replayed.
 *
 * <p>How exactly once is kept: every replay runs in one Kafka transaction (transactional id
 * {@code sluice.<pipeline>.dlq-replay}, so a second replayer fences the first) that writes the replayed records to
 * the source topic and, for each, a ledger record to the compacted topic {@code sluice.<pipeline>.dlq-replays} keyed by
 * the dead letter's origin ({@code topic/partition/offset}). Before choosing what to send, the ledger is read to its end
 * with {@code read_committed}; a dead letter already in it is skipped. Records and ledger commit together or not at
 * all, so a crash or a retried request never sends a dead letter twice.
 *
 * <p>What can be replayed: dead letters whose key and value were kept whole. A value larger than the dead-letter bound
 * ({@code record_value holds the first N of M bytes}) cannot be rebuilt and is reported as not replayable. The
 * replayed record is a new record at the end of the source topic with headers {@code sluice-replay-of} and
 * {@code sluice-replay-id}; the pipeline parses it again, so if it still fails it becomes a new dead letter, and if its
 * event time is behind the watermark it is a late event (windows that closed do not reopen).
 */
public final class DeadLetterReplay {
    private static final Logger LOG = LoggerFactory.getLogger(DeadLetterReplay.class);
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String BASE64 = "base64:";
    private static final int PAGE = 200;
    private static final Duration LEDGER_READ_TIMEOUT = Duration.ofSeconds(30);
    /** Header naming the dead letter a replayed record came from ({@code topic/partition/offset}). */
    public static final String REPLAY_OF_HEADER = "sluice-replay-of";
    /** Header naming the replay a record was sent by. */
    public static final String REPLAY_ID_HEADER = "sluice-replay-id";

    private final PipelineSpec spec;
    private final QueryService queries;
    private final BrokerAdmin admin;
    private final String bootstrapServers;
    private final Properties kafkaProperties;
    private final Clock clock;

    public DeadLetterReplay(PipelineSpec spec, QueryService queries, BrokerAdmin admin, String bootstrapServers,
            Properties kafkaProperties, Clock clock) {
        this.spec = spec;
        this.queries = queries;
        this.admin = admin;
        this.bootstrapServers = bootstrapServers;
        this.kafkaProperties = kafkaProperties;
        this.clock = clock;
    }

    /** Which dead letters: of one source, optionally only those at or after {@code since}, with a reason {@code LIKE} a pattern. */
    public record Filter(String source, Optional<Instant> since, Optional<String> reasonLike) {}

    /**
     * One dead letter as stored, whether it was replayed already, and why it cannot be replayed if it cannot.
     *
     * @param origin         {@code topic/partition/offset} of the record that failed
     * @param kafkaTimestamp the failed record's timestamp, ISO-8601
     * @param notReplayable  why it cannot be replayed, or null when it can
     */
    public record DeadLetter(String source, String origin, String kafkaTimestamp, String key, String value, String reason,
            boolean replayed, String notReplayable) {}

    /** What a replay did (or, for a dry run, would do). */
    public record Outcome(String replayId, boolean dryRun, int replayed, int alreadyReplayed, int notReplayable,
            String ledgerTopic) {}

    /**
     * An entry of the replay ledger.
     *
     * @param origin     {@code topic/partition/offset} of the dead letter's record
     * @param replayedAt when, ISO-8601
     * @param sentTo     {@code topic/partition/offset} of the replayed record
     */
    public record LedgerEntry(String origin, String replayId, String replayedAt, String source, String sentTo, String reason) {}

    /** The pipeline whose dead letters these are. */
    public PipelineSpec spec() {
        return spec;
    }

    /** The names of the pipeline's sources. */
    public List<String> sources() {
        return spec.sources().stream().map(SourceSpec::name).toList();
    }

    public String ledgerTopic() {
        return "sluice." + spec.name() + ".dlq-replays";
    }

    private String transactionalId() {
        return "sluice." + spec.name() + ".dlq-replay";
    }

    /** Up to {@code limit} dead letters that match, oldest origin first. */
    public List<DeadLetter> list(Filter filter, int limit) {
        SourceSpec source = source(filter.source());
        Map<String, LedgerEntry> ledger = readLedger();
        List<DeadLetter> page = new ArrayList<>();
        for (DeadLetter d : query(source, filter, Optional.empty(), limit, ledger)) {
            page.add(d);
        }
        return page;
    }

    /** Dead letters per source: how many, how many were replayed, and the most frequent reasons. */
    public List<Map<String, Object>> summary() {
        Map<String, Long> replayedBySource = new HashMap<>();
        readLedger().values().forEach(e -> replayedBySource.merge(e.source(), 1L, Long::sum));
        List<Map<String, Object>> sources = new ArrayList<>();
        for (SourceSpec source : spec.sources()) {
            QueryResult counts = queries.query("SELECT reason, COUNT(*) AS n FROM " + PipelineCompiler.DEAD_LETTERS_TABLE
                    + " WHERE source = " + literal(source.name()) + " GROUP BY reason ORDER BY n DESC, reason LIMIT 10",
                    10, QueryScope.pipeline(spec.name()));
            QueryResult total = queries.query("SELECT COUNT(*) FROM " + PipelineCompiler.DEAD_LETTERS_TABLE + " WHERE source = "
                    + literal(source.name()), 1, QueryScope.pipeline(spec.name()));
            List<Map<String, Object>> reasons = new ArrayList<>();
            for (List<Object> row : counts.rows()) {
                reasons.add(Map.of("reason", row.get(0), "count", ((Number) row.get(1)).longValue()));
            }
            Map<String, Object> s = new LinkedHashMap<>();
            s.put("source", source.name());
            s.put("topic", source.topic());
            s.put("deadLetters", ((Number) total.rows().get(0).get(0)).longValue());
            s.put("replayed", replayedBySource.getOrDefault(source.name(), 0L));
            s.put("topReasons", reasons);
            sources.add(s);
        }
        return sources;
    }

    /** The replay ledger, newest first, at most {@code limit} entries. */
    public List<LedgerEntry> ledger(int limit) {
        List<LedgerEntry> all = new ArrayList<>(readLedger().values());
        all.sort((a, b) -> Instant.parse(b.replayedAt()).compareTo(Instant.parse(a.replayedAt())));
        return all.subList(0, Math.min(limit, all.size()));
    }

    /**
     * Replays every matching dead letter that was not replayed before and can be rebuilt, in one Kafka transaction per
     * page of {@value #PAGE}. With {@code dryRun}, only counts.
     */
    public synchronized Outcome replay(Filter filter, boolean dryRun) {
        SourceSpec source = source(filter.source());
        String replayId = UUID.randomUUID().toString();
        if (dryRun) {
            Map<String, LedgerEntry> ledger = readLedger();
            int[] counts = new int[3];
            forEachPage(source, filter, ledger, page -> count(page, counts));
            return new Outcome(replayId, true, counts[0], counts[1], counts[2], ledgerTopic());
        }
        admin.ensureTopics(List.of(TopicSpec.compacted(ledgerTopic(), 1)));
        try (KafkaProducer<byte[], byte[]> producer = new KafkaProducer<>(producerConfig())) {
            // Fences an earlier replayer of this pipeline and aborts its open transaction before the ledger is read.
            producer.initTransactions();
            Map<String, LedgerEntry> ledger = readLedger();
            int[] counts = new int[3];
            forEachPage(source, filter, ledger, page -> {
                List<DeadLetter> todo = count(page, counts);
                if (!todo.isEmpty()) {
                    send(producer, source, todo, replayId);
                }
            });
            LOG.info("Replayed {} dead letters of source '{}' of pipeline '{}' to topic {} (replay {}); {} were replayed before, {} cannot be"
                    + " replayed.", counts[0], source.name(), spec.name(), source.topic(), replayId, counts[1], counts[2]);
            return new Outcome(replayId, false, counts[0], counts[1], counts[2], ledgerTopic());
        } catch (KafkaException e) {
            throw new SluiceException("Replaying dead letters of source '" + source.name() + "' failed: " + e.getMessage()
                    + "; nothing of the failed transaction was sent, and running the replay again sends what is left", e);
        }
    }

    private interface PageAction {
        void accept(List<DeadLetter> page);
    }

    /** Pages through the matching dead letters by origin, so that no query answer grows beyond the query limits. */
    private void forEachPage(SourceSpec source, Filter filter, Map<String, LedgerEntry> ledger, PageAction action) {
        Optional<DeadLetter> after = Optional.empty();
        while (true) {
            List<DeadLetter> page = query(source, filter, after, PAGE, ledger);
            if (page.isEmpty()) {
                return;
            }
            action.accept(page);
            after = Optional.of(page.get(page.size() - 1));
            if (page.size() < PAGE) {
                return;
            }
        }
    }

    /** Counts replayable [0], already replayed [1] and not replayable [2]; returns those to send. */
    private static List<DeadLetter> count(List<DeadLetter> page, int[] counts) {
        List<DeadLetter> todo = new ArrayList<>();
        for (DeadLetter d : page) {
            if (d.replayed()) {
                counts[1]++;
            } else if (d.notReplayable() != null) {
                counts[2]++;
            } else {
                counts[0]++;
                todo.add(d);
            }
        }
        return todo;
    }

    private void send(KafkaProducer<byte[], byte[]> producer, SourceSpec source, List<DeadLetter> todo, String replayId) {
        producer.beginTransaction();
        try {
            List<Future<RecordMetadata>> sent = new ArrayList<>(todo.size());
            for (DeadLetter d : todo) {
                ProducerRecord<byte[], byte[]> record = new ProducerRecord<>(source.topic(), bytes(d.key()), bytes(d.value()));
                record.headers().add(REPLAY_OF_HEADER, d.origin().getBytes(StandardCharsets.UTF_8));
                record.headers().add(REPLAY_ID_HEADER, replayId.getBytes(StandardCharsets.UTF_8));
                sent.add(producer.send(record));
            }
            Instant now = clock.instant();
            for (int i = 0; i < todo.size(); i++) {
                RecordMetadata m = sent.get(i).get();
                DeadLetter d = todo.get(i);
                ObjectNode entry = JSON.createObjectNode();
                entry.put("replay_id", replayId);
                entry.put("replayed_at", now.toString());
                entry.put("source", d.source());
                entry.put("sent_to", m.topic() + "/" + m.partition() + "/" + m.offset());
                entry.put("reason", d.reason());
                producer.send(new ProducerRecord<>(ledgerTopic(), d.origin().getBytes(StandardCharsets.UTF_8), JSON.writeValueAsBytes(entry)));
            }
            producer.commitTransaction();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            producer.abortTransaction();
            throw new SluiceException("Interrupted while replaying dead letters; the open transaction was aborted", e);
        } catch (ExecutionException | IOException e) {
            producer.abortTransaction();
            throw new SluiceException("Sending replayed dead letters to " + source.topic() + " failed: " + e.getMessage()
                    + "; the transaction was aborted and running the replay again sends what is left", e);
        }
    }

    private List<DeadLetter> query(SourceSpec source, Filter filter, Optional<DeadLetter> after, int limit,
            Map<String, LedgerEntry> ledger) {
        StringBuilder sql = new StringBuilder("SELECT topic, kafka_partition, kafka_offset, kafka_timestamp, record_key, record_value, reason FROM ")
                .append(PipelineCompiler.DEAD_LETTERS_TABLE).append(" WHERE source = ").append(literal(source.name()));
        filter.since().ifPresent(t -> sql.append(" AND kafka_timestamp >= ").append(literal(t.toString())).append("::TIMESTAMPTZ"));
        filter.reasonLike().ifPresent(p -> sql.append(" AND reason LIKE ").append(literal(p)));
        after.ifPresent(d -> {
            // Kafka topic names cannot contain '/', so an origin splits into exactly three parts.
            String[] o = d.origin().split("/");
            sql.append(" AND (topic, kafka_partition, kafka_offset) > (").append(literal(o[0])).append(", ")
                    .append(Integer.parseInt(o[1])).append(", ").append(Long.parseLong(o[2])).append(")");
        });
        sql.append(" ORDER BY topic, kafka_partition, kafka_offset LIMIT ").append(limit);
        List<DeadLetter> letters = new ArrayList<>();
        for (List<Object> row : queries.query(sql.toString(), limit, QueryScope.pipeline(spec.name())).rows()) {
            String origin = row.get(0) + "/" + row.get(1) + "/" + row.get(2);
            String key = (String) row.get(4);
            String value = (String) row.get(5);
            String reason = (String) row.get(6);
            Instant timestamp = timestamp(row.get(3));
            letters.add(new DeadLetter(source.name(), origin, timestamp == null ? null : timestamp.toString(), key, value, reason,
                    ledger.containsKey(origin), notReplayable(value, reason)));
        }
        return letters;
    }

    private static String notReplayable(String value, String reason) {
        if (value == null) {
            return "the record had no value";
        }
        if (reason != null && (reason.contains("[record_value holds the first ") || reason.contains("[record_key holds the first "))) {
            return "only the first part of the record was kept in the dead letter";
        }
        return null;
    }

    private static Instant timestamp(Object value) {
        if (value == null) {
            return null;
        }
        if (value instanceof OffsetDateTime t) {
            return t.toInstant();
        }
        if (value instanceof java.sql.Timestamp t) {
            return t.toInstant();
        }
        return OffsetDateTime.parse(value.toString()).toInstant();
    }

    private static byte[] bytes(String kept) {
        if (kept == null) {
            return null;
        }
        return kept.startsWith(BASE64) ? Base64.getDecoder().decode(kept.substring(BASE64.length()))
                : kept.getBytes(StandardCharsets.UTF_8);
    }

    /** The ledger by origin; the newest entry of a key wins, as compaction would keep it. */
    private Map<String, LedgerEntry> readLedger() {
        Map<String, LedgerEntry> ledger = new LinkedHashMap<>();
        Properties p = new Properties();
        p.putAll(kafkaProperties);
        p.setProperty(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
        p.setProperty(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        p.setProperty(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
        p.setProperty(ConsumerConfig.CLIENT_ID_CONFIG, "sluice-dlq-ledger-" + spec.name());
        try (KafkaConsumer<byte[], byte[]> consumer = new KafkaConsumer<>(p, new ByteArrayDeserializer(), new ByteArrayDeserializer())) {
            List<PartitionInfo> infos = consumer.partitionsFor(ledgerTopic(), LEDGER_READ_TIMEOUT);
            if (infos == null || infos.isEmpty()) {
                return ledger;
            }
            List<TopicPartition> partitions = infos.stream().map(i -> new TopicPartition(i.topic(), i.partition())).toList();
            consumer.assign(partitions);
            consumer.seekToBeginning(partitions);
            Map<TopicPartition, Long> ends = consumer.endOffsets(partitions);
            long deadline = System.nanoTime() + LEDGER_READ_TIMEOUT.toNanos();
            while (partitions.stream().anyMatch(tp -> consumer.position(tp) < ends.get(tp))) {
                if (System.nanoTime() > deadline) {
                    throw new SluiceException("Reading the dead-letter replay ledger " + ledgerTopic() + " took longer than "
                            + LEDGER_READ_TIMEOUT.toSeconds() + " s; nothing was replayed");
                }
                for (ConsumerRecord<byte[], byte[]> r : consumer.poll(Duration.ofMillis(200))) {
                    String origin = new String(r.key(), StandardCharsets.UTF_8);
                    if (r.value() == null) {
                        ledger.remove(origin);
                        continue;
                    }
                    JsonNode e = JSON.readTree(r.value());
                    ledger.put(origin, new LedgerEntry(origin, e.path("replay_id").asText(), e.path("replayed_at").asText(),
                            e.path("source").asText(), e.path("sent_to").asText(), e.path("reason").asText(null)));
                }
            }
        } catch (IOException e) {
            throw new SluiceException("The dead-letter replay ledger " + ledgerTopic() + " holds a record that is not JSON: "
                    + e.getMessage(), e);
        }
        return ledger;
    }

    private Properties producerConfig() {
        Properties p = new Properties();
        p.putAll(kafkaProperties);
        p.setProperty(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
        p.setProperty(ProducerConfig.TRANSACTIONAL_ID_CONFIG, transactionalId());
        p.setProperty(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, "true");
        p.setProperty(ProducerConfig.ACKS_CONFIG, "all");
        p.setProperty(ProducerConfig.CLIENT_ID_CONFIG, "sluice-dlq-replay-" + spec.name());
        p.setProperty(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class.getName());
        p.setProperty(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class.getName());
        return p;
    }

    private SourceSpec source(String name) {
        return spec.sources().stream().filter(s -> s.name().equals(name)).findFirst()
                .orElseThrow(() -> new IllegalArgumentException("pipeline '" + spec.name() + "' has no source '" + name + "'; its sources are "
                        + spec.sources().stream().map(SourceSpec::name).toList()));
    }

    private static String literal(String text) {
        return "'" + text.replace("'", "''") + "'";
    }
}
