package dev.sluice.storage;

import dev.sluice.storage.internal.RecordParser;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.Properties;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.LongSupplier;
import org.apache.kafka.clients.consumer.CloseOptions;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.InterruptException;
import org.apache.kafka.common.errors.WakeupException;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Loads result topics into a {@link ResultStore}, exactly once: it reads only committed Kafka transactions
 * ({@code isolation.level=read_committed}), writes rows in batches, and stores the next offset of every partition in
 * the same database transaction as the rows. On start it resumes from those offsets (or from the beginning of a
 * partition it has never loaded), so a crash or restart neither loses nor duplicates rows.
 *
 * <p>One thread, {@code sluice-loader}, owns the Kafka consumer. It assigns all partitions of all result topics
 * itself (no group rebalancing), waiting for the engine to create topics that do not exist yet. Records that do not
 * follow the wire format (see {@link TableDefinition}) go to the {@code _sluice_rejected} table with the reason, in
 * the same transaction. A batch is written as soon as everything committed so far is read (see {@link LoaderConfig}),
 * or when it is full or has waited long enough. When a write fails the batch is kept and retried with backoff (status {@link LoaderStatus#FAILED}),
 * at most five times; then it is dropped from memory and read again from the offsets in the database, with a backoff
 * that grows to 30 s. A write that reports a failure after its commit is recognised by its offsets in the database and
 * not written twice. After each database commit the offsets are also committed to Kafka under
 * {@link LoaderConfig#groupId()}, only so that Kafka tools show the lag. Partitions added to a topic after the
 * loader started are picked up on the next start.
 *
 * <p>Given a {@link Deployment} ({@link LoaderConfig#withDeployment}), the loader stores only the records that
 * deployment wrote (its id in the {@value Deployment#HEADER} header): records of another deployment of the pipeline
 * (an earlier run whose data directory is gone, or the state before a reset) are skipped, their offsets stored like
 * any others, counted per topic and foreign deployment ({@link #skippedRecords()}) and logged.
 *
 * <pre>{@code
 * try (DuckDbStore store = DuckDbStore.open(dataDir.resolve("sluice.duckdb"));
 *      ResultLoader loader = new ResultLoader(kafka.bootstrapServers(), new Properties(), store, tables,
 *              LoaderConfig.of("sluice-loader-payments"), Clock.systemUTC())) {
 *     loader.start();
 *     // … serve queries; loader.status(), loader.lag() for monitoring
 * }
 * }</pre>
 */
public final class ResultLoader implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(ResultLoader.class);
    private static final String THREAD_NAME = "sluice-loader";
    private static final Duration IDLE_POLL = Duration.ofMillis(500);
    private static final Duration TOPIC_RETRY = Duration.ofSeconds(1);
    private static final Duration MIN_BACKOFF = Duration.ofMillis(100);
    private static final Duration MAX_BACKOFF = Duration.ofSeconds(30);
    private static final Duration METADATA_TIMEOUT = Duration.ofSeconds(10);
    private static final Duration JOIN_TIMEOUT = Duration.ofSeconds(10);
    private static final Duration END_OFFSETS_INTERVAL = Duration.ofSeconds(5);
    private static final Duration KAFKA_COMMIT_RETRY = Duration.ofSeconds(1);
    /** Attempts to write one batch from memory before it is dropped and read again from the database's offsets. */
    static final int MAX_WRITE_ATTEMPTS = 5;
    /** Tolerance for the difference between the clocks of Flink's JobManager and this process (see {@link #replayHorizon}). */
    static final Duration REPLAY_HORIZON_MARGIN = Duration.ofSeconds(5);
    /** How long after it learned of a newer checkpoint the loader waits before reading the end offsets that bound its replays. */
    private static final Duration HORIZON_SETTLE = Duration.ofSeconds(1);
    private static final Duration HORIZON_CHECK_INTERVAL = Duration.ofMillis(500);

    private final String bootstrapServers;
    private final Properties consumerProperties;
    private final ResultStore store;
    private final List<TableDefinition> tables;
    private final Map<String, Target> byTopic;
    private final LoaderConfig config;
    private final Clock clock;
    private final CountDownLatch closeSignal = new CountDownLatch(1);
    private final List<CommitListener> listeners = new CopyOnWriteArrayList<>();
    private final List<RowListener> rowListeners = new CopyOnWriteArrayList<>();

    private final AtomicLong rowsLoaded = new AtomicLong();
    private final AtomicLong batches = new AtomicLong();
    private final AtomicLong rejectedRecords = new AtomicLong();
    private final Map<String, AtomicLong> rowsByTable = new ConcurrentHashMap<>();
    private final Map<String, DelayHistogram> delays = new ConcurrentHashMap<>();
    /** How long each batch took to write (rows and offsets in one database transaction). */
    private final DelayHistogram writeTimes = new DelayHistogram();
    /** Per table, the newest Kafka timestamp (event time) of a stored row, epoch millis; Long.MIN_VALUE before any. */
    private final Map<String, AtomicLong> newestByTable = new ConcurrentHashMap<>();
    /** Records of other deployments skipped since start, by topic and deployment id. */
    private final Map<List<String>, AtomicLong> skipped = new ConcurrentHashMap<>();
    /** The header value of the deployment whose records are stored; null to store every record. */
    private final byte[] deploymentHeader;
    /** Qualified names of the deduplicated append tables among {@link #tables}. */
    private final List<String> deduplicated;
    private volatile LongSupplier replayHorizon;
    /** Loader thread only: the newest checkpoint trigger time seen, the one applied, and what applying it waits for. */
    private long horizonSeen = Long.MIN_VALUE;
    private long horizonSeenAtNanos;
    private long horizonApplied = Long.MIN_VALUE;
    private Map<TopicPartition, Long> horizonEndOffsets;
    private long nextHorizonCheckNanos;
    private volatile Map<String, Long> lag = Map.of();
    private volatile LoaderStatus status = LoaderStatus.STARTING;
    private volatile String lastError;
    private volatile Instant lastBatchAt;
    private volatile Duration lastBatchDelay;
    private volatile boolean closing;
    private volatile KafkaConsumer<byte[], byte[]> consumer;
    private Thread thread;
    /** Offsets Kafka has confirmed for the group; only touched by the loader thread (callbacks run inside poll). */
    private Map<TopicPartition, Long> committedToKafka = Map.of();
    private long lastKafkaCommitNanos;

    private record Target(TableDefinition table, RecordParser parser) {}

    /** Records polled but not yet written, and when the first of them arrived. */
    private static final class Pending {
        final LoadBatch.Builder builder = LoadBatch.builder();
        final long firstAtNanos = System.nanoTime();
        int records;
        long oldestTimestamp = Long.MAX_VALUE;
        /** Kafka timestamps (the rows' event times, as Flink writes them) of the stored rows, per table. */
        final Map<String, long[]> timestamps = new HashMap<>();
        final Map<String, Integer> timestampCounts = new HashMap<>();
        /** The stored rows per table, kept only while a {@link RowListener} listens. */
        final Map<String, List<String[]>> rows = new HashMap<>();
        /** Records of other deployments, by topic and deployment id. */
        Map<List<String>, Long> skipped;

        void timestamp(String table, long ts) {
            int n = timestampCounts.getOrDefault(table, 0);
            long[] values = timestamps.get(table);
            if (values == null || values.length == n) {
                values = values == null ? new long[64] : Arrays.copyOf(values, values.length * 2);
                timestamps.put(table, values);
            }
            values[n] = ts;
            timestampCounts.put(table, n + 1);
        }
    }

    /**
     * @param consumerProperties extra Kafka consumer settings (security, client id, fetch sizes); the loader sets
     *     bootstrap servers, group id, deserializers, {@code isolation.level=read_committed} and
     *     {@code enable.auto.commit=false} itself
     * @param clock for timestamps (last batch time, rejection time, batch delay); batch waits and retry backoff use
     *     the monotonic clock
     */
    public ResultLoader(String bootstrapServers, Properties consumerProperties, ResultStore store, List<TableDefinition> tables,
                        LoaderConfig config, Clock clock) {
        this.bootstrapServers = bootstrapServers;
        this.consumerProperties = new Properties();
        this.consumerProperties.putAll(consumerProperties);
        this.store = store;
        this.tables = List.copyOf(tables);
        this.config = config;
        this.clock = clock;
        this.deploymentHeader = config.deployment() == null ? null : config.deployment().headerValue();
        Map<String, Target> targets = new LinkedHashMap<>();
        for (TableDefinition t : this.tables) {
            Target previous = targets.put(t.topic(), new Target(t, new RecordParser(t.name(), t.columns(), t.primaryKey(), t.mode())));
            if (previous != null) {
                throw new StorageException("Topic '" + t.topic() + "' feeds both table '" + previous.table().name() + "' and table '"
                        + t.name() + "'; each result topic must feed exactly one table");
            }
            rowsByTable.putIfAbsent(t.qualifiedName(), new AtomicLong());
            delays.putIfAbsent(t.qualifiedName(), new DelayHistogram());
            newestByTable.putIfAbsent(t.qualifiedName(), new AtomicLong(Long.MIN_VALUE));
        }
        if (targets.isEmpty()) {
            throw new StorageException("A result loader needs at least one table to load");
        }
        this.byTopic = targets;
        this.deduplicated = this.tables.stream().filter(TableDefinition::deduplicate).map(TableDefinition::qualifiedName).toList();
    }

    /**
     * Lets the store forget the ids of deduplicated append tables' rows that the pipeline can no longer write again. A
     * pipeline delivering at-least-once restores, after a failure, its latest completed checkpoint and writes again
     * only what it wrote after that checkpoint's barrier; a row stored before the checkpoint was triggered was written
     * before its barrier, so no replay can bring it again. {@code checkpointTriggeredAtMillis} answers with the trigger
     * time (epoch millis, Flink's clock) of the pipeline's latest completed checkpoint, or a negative value before any;
     * it is called on the loader's thread every half second and must not block.
     *
     * <p>The rule the loader applies: when it sees a newer trigger time {@code T}, it waits a second, reads the end
     * offsets of its result topics (everything the job wrote before that checkpoint completed, replays of an earlier
     * restore included, is below them), and once it has stored everything below those offsets it lets the store forget
     * the ids stored before {@code T} minus {@link #REPLAY_HORIZON_MARGIN}. Without a horizon (the default) nothing is
     * forgotten. May be called before or after {@link #start()}.
     */
    public void replayHorizon(LongSupplier checkpointTriggeredAtMillis) {
        this.replayHorizon = java.util.Objects.requireNonNull(checkpointTriggeredAtMillis, "checkpointTriggeredAtMillis");
    }

    /**
     * Adds a listener that hears of every committed batch that changed tables, with their qualified names. May be
     * called before or after {@link #start()}.
     */
    public void addCommitListener(CommitListener listener) {
        listeners.add(java.util.Objects.requireNonNull(listener, "listener"));
    }

    /**
     * Adds a listener that hears of every stored row with the time of the commit that made it visible. May be called
     * before or after {@link #start()}; rows of batches polled before it was added may be missed.
     */
    public void addRowListener(RowListener listener) {
        rowListeners.add(java.util.Objects.requireNonNull(listener, "listener"));
    }

    /**
     * Creates or checks the tables in the store, then starts the {@code sluice-loader} thread.
     *
     * @throws StorageException when a table exists with a different schema
     */
    public synchronized void start() {
        if (thread != null || closing) {
            throw new IllegalStateException("start() can only be called once on a new loader. Current status is: " + status);
        }
        for (TableDefinition t : tables) {
            store.ensureTable(t);
        }
        thread = new Thread(this::run, config.groupId().startsWith(THREAD_NAME) ? config.groupId() : THREAD_NAME + "-" + config.groupId());
        thread.start();
    }

    private void run() {
        Duration backoff = MIN_BACKOFF;
        try {
            while (!closing) {
                try {
                    consume();
                } catch (WakeupException e) {
                    if (!closing) {
                        fail("The Kafka consumer was woken up unexpectedly", e);
                    }
                } catch (InterruptException e) {
                    Thread.currentThread().interrupt();
                    return;
                } catch (RuntimeException e) {
                    fail("Loading result topics " + byTopic.keySet() + " from " + bootstrapServers + " failed; retrying in "
                            + backoff.toMillis() + " ms from the offsets in the database", e);
                    if (awaitClose(backoff)) {
                        return;
                    }
                    backoff = min(backoff.multipliedBy(2), MAX_BACKOFF);
                }
            }
        } finally {
            status = LoaderStatus.STOPPED;
            LOG.info("The result loader has stopped after {} rows in {} batches.", rowsLoaded.get(), batches.get());
        }
    }

    private void consume() {
        try (KafkaConsumer<byte[], byte[]> c = new KafkaConsumer<>(consumerConfig())) {
            consumer = c;
            try {
                if (closing) {
                    return;
                }
                List<TopicPartition> partitions = awaitTopics(c);
                if (partitions == null) {
                    return;
                }
                c.assign(partitions);
                Map<TopicPartition, Long> committed = store.committedOffsets();
                List<TopicPartition> fresh = new ArrayList<>();
                for (TopicPartition tp : partitions) {
                    Long next = committed.get(tp);
                    if (next == null) {
                        fresh.add(tp);
                    } else {
                        c.seek(tp, next);
                    }
                }
                if (!fresh.isEmpty()) {
                    // Never with an empty list: that seeks every assigned partition to the beginning.
                    c.seekToBeginning(fresh);
                }
                Map<TopicPartition, Long> written = positions(c, partitions);
                status = LoaderStatus.RUNNING;
                LOG.info("Loading {} partitions of {} into {} from the offsets stored there ({} partitions start at the beginning){}.",
                        partitions.size(), byTopic.keySet(), store.location(), fresh.size(), config.deployment() == null ? ""
                                : "; storing only the records of deployment " + config.deployment().id());
                loop(c, partitions, written);
            } finally {
                consumer = null;
                c.close(CloseOptions.timeout(Duration.ofSeconds(5)));
            }
        }
    }

    private void loop(KafkaConsumer<byte[], byte[]> c, List<TopicPartition> partitions, Map<TopicPartition, Long> written) {
        long maxWaitNanos = config.maxBatchWait().toNanos();
        long caughtUpWaitNanos = config.caughtUpWait().toNanos();
        long nextEndOffsetsCheck = System.nanoTime();
        Pending pending = null;
        boolean caughtUp = false;
        while (!closing) {
            Duration timeout = pending == null ? IDLE_POLL : Duration.ofNanos(Math.max(0,
                    (caughtUp ? caughtUpWaitNanos : maxWaitNanos) - (System.nanoTime() - pending.firstAtNanos)));
            ConsumerRecords<byte[], byte[]> records = c.poll(timeout);
            if (!records.isEmpty()) {
                if (pending == null) {
                    pending = new Pending();
                }
                for (ConsumerRecord<byte[], byte[]> r : records) {
                    add(pending, r);
                }
            }
            caughtUp = pending != null && caughtUp(c, partitions);
            long waited = pending == null ? 0 : System.nanoTime() - pending.firstAtNanos;
            boolean due = pending != null && (pending.records >= config.maxBatchRecords() || waited >= maxWaitNanos
                    || (caughtUp && waited >= caughtUpWaitNanos));
            Map<TopicPartition, Long> positions = null;
            if (!due && pending == null) {
                // Nothing to load, but aborted transactions and commit markers may have moved the positions: store
                // them too, so that a restart does not read those again and the lag reads zero.
                positions = positions(c, partitions);
                due = !positions.equals(written);
            }
            if (due) {
                if (positions == null) {
                    positions = positions(c, partitions);
                }
                if (!flush(c, pending, positions)) {
                    return;
                }
                written = positions;
                pending = null;
            } else if (pending == null && !written.equals(committedToKafka)
                    && System.nanoTime() - lastKafkaCommitNanos >= KAFKA_COMMIT_RETRY.toNanos()) {
                // An earlier commit to Kafka failed (e.g. the group coordinator was still loading): try again.
                commitToKafka(c, written);
            }
            nextEndOffsetsCheck = updateLag(c, partitions, written, nextEndOffsetsCheck);
            forgetReplayedIds(c, partitions, written);
        }
    }

    /** Applies the {@link #replayHorizon} rule; a failure to forget is logged and tried again later. */
    private void forgetReplayedIds(KafkaConsumer<byte[], byte[]> c, List<TopicPartition> partitions, Map<TopicPartition, Long> written) {
        LongSupplier horizon = replayHorizon;
        long now = System.nanoTime();
        if (horizon == null || deduplicated.isEmpty() || now - nextHorizonCheckNanos < 0) {
            return;
        }
        nextHorizonCheckNanos = now + HORIZON_CHECK_INTERVAL.toNanos();
        if (horizonSeen <= horizonApplied) {
            long triggered = horizon.getAsLong();
            if (triggered <= horizonApplied) {
                return;
            }
            horizonSeen = triggered;
            horizonSeenAtNanos = now;
            horizonEndOffsets = null;
        }
        if (now - horizonSeenAtNanos < HORIZON_SETTLE.toNanos()) {
            return;
        }
        if (horizonEndOffsets == null) {
            try {
                horizonEndOffsets = c.endOffsets(partitions, METADATA_TIMEOUT);
            } catch (org.apache.kafka.common.errors.TimeoutException e) {
                // Not worth restarting the loader for: the ids are kept a while longer and asked about again.
                LOG.debug("Cannot read the end offsets of {} to forget row ids; trying again later.", byTopic.keySet(), e);
                return;
            }
        }
        for (Map.Entry<TopicPartition, Long> end : horizonEndOffsets.entrySet()) {
            if (written.getOrDefault(end.getKey(), 0L) < end.getValue()) {
                return;
            }
        }
        Instant before = Instant.ofEpochMilli(horizonSeen).minus(REPLAY_HORIZON_MARGIN);
        try {
            store.forgetRowIds(deduplicated, before);
            horizonApplied = horizonSeen;
        } catch (RuntimeException e) {
            LOG.warn("Cannot forget the row ids of {} stored before {}; trying again later.", deduplicated, before, e);
        }
    }

    /**
     * True when every partition has been read to its end as the last fetches reported it (for {@code read_committed},
     * the last stable offset): the batch holds everything committed so far, and waiting longer only delays it.
     */
    private static boolean caughtUp(KafkaConsumer<byte[], byte[]> c, List<TopicPartition> partitions) {
        for (TopicPartition tp : partitions) {
            OptionalLong behind = c.currentLag(tp);
            if (behind.isEmpty() || behind.getAsLong() > 0) {
                return false;
            }
        }
        return true;
    }

    private void add(Pending pending, ConsumerRecord<byte[], byte[]> r) {
        if (deploymentHeader != null) {
            Header header = r.headers().lastHeader(Deployment.HEADER);
            boolean ours = header == null ? config.deployment().acceptsUnmarked() : Arrays.equals(header.value(), deploymentHeader);
            if (!ours) {
                if (pending.skipped == null) {
                    pending.skipped = new HashMap<>();
                }
                pending.skipped.merge(List.of(r.topic(), header == null ? SkippedRecords.UNMARKED
                        : new String(header.value(), StandardCharsets.UTF_8)), 1L, Long::sum);
                pending.records++;
                return;
            }
        }
        Target target = byTopic.get(r.topic());
        RecordParser.Parsed parsed = target.parser().parse(r.key(), r.value());
        if (parsed.isRejected()) {
            pending.builder.reject(new RejectedRecord(r.topic(), r.partition(), r.offset(), text(r.key()), text(r.value()),
                    parsed.rejection(), clock.instant()));
        } else if (parsed.tombstone()) {
            pending.builder.tombstone(target.table().qualifiedName(), parsed.values());
        } else {
            pending.builder.row(target.table().qualifiedName(), parsed.values());
            if (!rowListeners.isEmpty()) {
                pending.rows.computeIfAbsent(target.table().qualifiedName(), t -> new ArrayList<>()).add(parsed.values());
            }
            if (r.timestamp() >= 0) {
                pending.timestamp(target.table().qualifiedName(), r.timestamp());
            }
        }
        pending.records++;
        if (r.timestamp() >= 0 && r.timestamp() < pending.oldestTimestamp) {
            pending.oldestTimestamp = r.timestamp();
        }
    }

    /**
     * Writes the batch, retrying a failed write up to {@value #MAX_WRITE_ATTEMPTS} times with backoff; false when the
     * loader was closed meanwhile. A write can fail after its commit (the database stored the rows and offsets, yet the
     * driver reports an error), so before each retry the offsets in the database decide: if they already are the
     * batch's, the batch is stored and writing it again would duplicate its appended rows.
     *
     * @throws StorageException when every attempt failed; {@link #run} then backs off and reads again from the offsets
     *     in the database, so that a batch is never retried forever from memory
     */
    private boolean flush(KafkaConsumer<byte[], byte[]> c, Pending pending, Map<TopicPartition, Long> positions) {
        LoadBatch.Builder builder = pending == null ? LoadBatch.builder() : pending.builder;
        positions.forEach(builder::nextOffset);
        LoadBatch batch = builder.build();
        Duration backoff = MIN_BACKOFF;
        for (int attempt = 1; ; attempt++) {
            try {
                long writeStart = System.nanoTime();
                store.write(batch);
                writeTimes.record((System.nanoTime() - writeStart) / 1_000_000);
                break;
            } catch (RuntimeException e) {
                if (stored(batch)) {
                    LOG.warn("Writing a batch of {} rows to {} reported a failure, but its offsets {} are in the database: it was"
                            + " committed, so it is not written again.", batch.rowCount(), store.location(), batch.nextOffsets(), e);
                    break;
                }
                if (attempt == MAX_WRITE_ATTEMPTS) {
                    throw new StorageException("Cannot write a batch of " + batch.rowCount() + " rows to " + store.location() + " after "
                            + MAX_WRITE_ATTEMPTS + " attempts; dropping it from memory to read it again from the offsets in the database", e);
                }
                fail("Cannot write a batch of " + batch.rowCount() + " rows to " + store.location() + " (attempt " + attempt + " of "
                        + MAX_WRITE_ATTEMPTS + "); keeping it and retrying in " + backoff.toMillis() + " ms", e);
                if (awaitClose(backoff)) {
                    return false;
                }
                backoff = min(backoff.multipliedBy(2), MAX_BACKOFF);
            }
        }
        status = LoaderStatus.RUNNING;
        if (pending != null) {
            Instant now = clock.instant();
            rowsLoaded.addAndGet(batch.rowCount());
            batch.rowCounts().forEach((table, n) -> rowsByTable.get(table).addAndGet(n));
            rejectedRecords.addAndGet(batch.rejected().size());
            batches.incrementAndGet();
            lastBatchAt = now;
            if (pending.oldestTimestamp != Long.MAX_VALUE) {
                lastBatchDelay = Duration.between(Instant.ofEpochMilli(pending.oldestTimestamp), now);
            }
            long nowMillis = now.toEpochMilli();
            pending.timestamps.forEach((table, values) -> {
                DelayHistogram histogram = delays.get(table);
                int n = pending.timestampCounts.get(table);
                long newest = Long.MIN_VALUE;
                for (int i = 0; i < n; i++) {
                    histogram.record(nowMillis - values[i]);
                    newest = Math.max(newest, values[i]);
                }
                newestByTable.get(table).accumulateAndGet(newest, Math::max);
            });
            if (pending.skipped != null) {
                pending.skipped.forEach((key, n) -> {
                    long total = skipped.computeIfAbsent(key, k -> new AtomicLong()).addAndGet(n);
                    LOG.warn("Skipped {} records of result topic {} written by deployment {} ({} in all since start): the loader"
                            + " stores only the records of deployment {}, the one whose state the pipeline runs on.", n,
                            key.get(0), key.get(1), total, config.deployment().id());
                });
            }
        }
        if (pending != null && !pending.rows.isEmpty()) {
            notifyRowListeners(pending.rows, clock.instant());
        }
        if (batch.rowCount() > 0) {
            notifyListeners(Set.copyOf(batch.rowCounts().keySet()));
        }
        commitToKafka(c, positions);
        return true;
    }

    private void notifyListeners(Set<String> changed) {
        for (CommitListener listener : listeners) {
            try {
                listener.committed(changed);
            } catch (RuntimeException e) {
                LOG.warn("A commit listener failed on the batch that changed {}; loading goes on.", changed, e);
            }
        }
    }

    private void notifyRowListeners(Map<String, List<String[]>> rows, Instant committedAt) {
        for (RowListener listener : rowListeners) {
            rows.forEach((table, values) -> {
                try {
                    listener.stored(table, values, committedAt);
                } catch (RuntimeException e) {
                    LOG.warn("A row listener failed on {} rows of {}; loading goes on.", values.size(), table, e);
                }
            });
        }
    }

    /** Commits the offsets to Kafka as well, only so that Kafka tools show the lag; the database offsets are the truth. */
    private void commitToKafka(KafkaConsumer<byte[], byte[]> c, Map<TopicPartition, Long> positions) {
        Map<TopicPartition, OffsetAndMetadata> offsets = new HashMap<>();
        positions.forEach((tp, next) -> offsets.put(tp, new OffsetAndMetadata(next)));
        lastKafkaCommitNanos = System.nanoTime();
        c.commitAsync(offsets, (committed, e) -> {
            if (e == null) {
                committedToKafka = positions;
            } else {
                LOG.debug("Committing loader offsets to Kafka group {} failed; the database offsets are unaffected.", config.groupId(), e);
            }
        });
    }

    private long updateLag(KafkaConsumer<byte[], byte[]> c, List<TopicPartition> partitions, Map<TopicPartition, Long> written,
                           long nextEndOffsetsCheck) {
        Map<String, Long> byTopicLag = new HashMap<>();
        List<TopicPartition> unknown = new ArrayList<>();
        for (TopicPartition tp : partitions) {
            OptionalLong behind = c.currentLag(tp);
            if (behind.isPresent()) {
                // currentLag counts from the consumer position; records polled but not yet written are lag too.
                long notWritten = c.position(tp) - written.getOrDefault(tp, 0L);
                byTopicLag.merge(tp.topic(), behind.getAsLong() + notWritten, Long::sum);
            } else {
                unknown.add(tp);
            }
        }
        long now = System.nanoTime();
        if (!unknown.isEmpty()) {
            if (now - nextEndOffsetsCheck < 0) {
                return nextEndOffsetsCheck;
            }
            Map<TopicPartition, Long> ends = c.endOffsets(unknown, METADATA_TIMEOUT);
            ends.forEach((tp, end) -> byTopicLag.merge(tp.topic(), Math.max(0, end - written.getOrDefault(tp, 0L)), Long::sum));
            nextEndOffsetsCheck = now + END_OFFSETS_INTERVAL.toNanos();
        }
        lag = Map.copyOf(byTopicLag);
        return nextEndOffsetsCheck;
    }

    private List<TopicPartition> awaitTopics(KafkaConsumer<byte[], byte[]> c) {
        boolean logged = false;
        while (!closing) {
            Map<String, List<PartitionInfo>> existing = c.listTopics(METADATA_TIMEOUT);
            List<String> missing = new ArrayList<>();
            List<TopicPartition> partitions = new ArrayList<>();
            for (String topic : byTopic.keySet()) {
                List<PartitionInfo> infos = existing.get(topic);
                if (infos == null || infos.isEmpty()) {
                    missing.add(topic);
                } else {
                    for (PartitionInfo p : infos) {
                        partitions.add(new TopicPartition(topic, p.partition()));
                    }
                }
            }
            if (missing.isEmpty()) {
                return partitions;
            }
            status = LoaderStatus.WAITING_FOR_TOPICS;
            if (!logged) {
                LOG.info("Waiting for result topics {} on {}; the engine creates them when the pipeline starts.", missing, bootstrapServers);
                logged = true;
            }
            if (awaitClose(TOPIC_RETRY)) {
                return null;
            }
        }
        return null;
    }

    /** True when the database holds the batch's offsets, so the batch was committed; false when that cannot be read. */
    private boolean stored(LoadBatch batch) {
        if (batch.nextOffsets().isEmpty()) {
            return false;
        }
        try {
            return store.committedOffsets().entrySet().containsAll(batch.nextOffsets().entrySet());
        } catch (RuntimeException e) {
            LOG.debug("Cannot read the committed offsets from {} to check a failed write.", store.location(), e);
            return false;
        }
    }

    private static Map<TopicPartition, Long> positions(KafkaConsumer<byte[], byte[]> c, List<TopicPartition> partitions) {
        Map<TopicPartition, Long> positions = new HashMap<>();
        for (TopicPartition tp : partitions) {
            positions.put(tp, c.position(tp));
        }
        return positions;
    }

    private Properties consumerConfig() {
        Properties p = new Properties();
        p.setProperty(ConsumerConfig.CLIENT_ID_CONFIG, config.groupId());
        p.setProperty(ConsumerConfig.MAX_POLL_RECORDS_CONFIG, Integer.toString(Math.min(config.maxBatchRecords(), 10_000)));
        // A fetch waits for new records at most this long; the broker may answer it only then when what it waits for is a
        // transaction marker rather than records, so Kafka's 500 ms would be part of exactly-once latency.
        p.setProperty(ConsumerConfig.FETCH_MAX_WAIT_MS_CONFIG, "50");
        p.putAll(consumerProperties);
        p.setProperty(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
        p.setProperty(ConsumerConfig.GROUP_ID_CONFIG, config.groupId());
        p.setProperty(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        p.setProperty(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
        p.setProperty(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        p.setProperty(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class.getName());
        p.setProperty(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class.getName());
        return p;
    }

    private void fail(String message, Exception e) {
        status = LoaderStatus.FAILED;
        lastError = message + ": " + e.getMessage();
        LOG.warn("{}.", message, e);
    }

    /** Waits up to {@code wait}; true when the loader is closing. */
    private boolean awaitClose(Duration wait) {
        try {
            return closeSignal.await(wait.toMillis(), TimeUnit.MILLISECONDS) || closing;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return true;
        }
    }

    private static Duration min(Duration a, Duration b) {
        return a.compareTo(b) <= 0 ? a : b;
    }

    private static String text(byte[] bytes) {
        return bytes == null ? null : new String(bytes, StandardCharsets.UTF_8);
    }

    public LoaderStatus status() {
        return status;
    }

    /** The last failure (of a write, or of reaching Kafka), kept after recovery; see {@link #status()} for now. */
    public Optional<String> lastError() {
        return Optional.ofNullable(lastError);
    }

    /** Rows and tombstones written over all tables since start (rejected records not counted). */
    public long rowsLoaded() {
        return rowsLoaded.get();
    }

    /**
     * Per table (by name; a loader loads the tables of one schema), the time from each stored row's Kafka timestamp to the commit that made it visible in storage.
     * Flink sets a result record's timestamp to the row's event time (for a window, the window's last
     * millisecond), so for per-event views this is the end-to-end delay from event time to row in storage.
     */
    public Map<String, DelayHistogram> delays() {
        Map<String, DelayHistogram> byName = new LinkedHashMap<>();
        for (TableDefinition t : tables) {
            byName.putIfAbsent(t.name(), delays.get(t.qualifiedName()));
        }
        return byName;
    }

    /**
     * The duration of every successful batch write since start: one database transaction holding the batch's rows and
     * offsets (for DuckDB: the Appender into staging, the set-based insert or upsert, and the commit).
     */
    public DelayHistogram writeTimes() {
        return writeTimes;
    }

    /**
     * Per table (by name), the newest event time of a row this loader has stored since it started: the largest Kafka
     * timestamp of a stored record, which Flink sets to the row's event time. Tables with no such row yet are absent.
     * With the current time it gives the table's end-to-end freshness.
     */
    public Map<String, Instant> newestEventTimes() {
        Map<String, Instant> newest = new LinkedHashMap<>();
        for (TableDefinition t : tables) {
            long millis = newestByTable.get(t.qualifiedName()).get();
            if (millis != Long.MIN_VALUE) {
                newest.putIfAbsent(t.name(), Instant.ofEpochMilli(millis));
            }
        }
        return newest;
    }

    /** Rows and tombstones written per table (by name) since start. */
    public Map<String, Long> rowsLoadedByTable() {
        Map<String, Long> counts = new LinkedHashMap<>();
        for (TableDefinition t : tables) {
            counts.put(t.name(), rowsByTable.get(t.qualifiedName()).get());
        }
        return counts;
    }

    /** Records of other deployments skipped since start, per topic and foreign deployment; empty without a deployment. */
    public List<SkippedRecords> skippedRecords() {
        List<SkippedRecords> result = new ArrayList<>();
        skipped.forEach((key, n) -> result.add(new SkippedRecords(key.get(0), key.get(1), n.get())));
        result.sort(java.util.Comparator.comparing(SkippedRecords::topic).thenComparing(SkippedRecords::deployment));
        return result;
    }

    /** Records written to {@code _sluice_rejected} since start. */
    public long rejectedRecords() {
        return rejectedRecords.get();
    }

    /** Batches with records written since start. */
    public long batches() {
        return batches.get();
    }

    public Optional<Instant> lastBatchAt() {
        return Optional.ofNullable(lastBatchAt);
    }

    /**
     * For the last batch: its commit time minus the Kafka timestamp of its oldest record. Flink sets the record
     * timestamp of result records to their event time (e.g. a window's end) in many pipelines, so this is then the
     * end-to-end freshness of the data; with producer timestamps it is the time from the engine's write to visibility
     * in storage. Empty until a batch with timestamps was written.
     */
    public Optional<Duration> lastBatchDelay() {
        return Optional.ofNullable(lastBatchDelay);
    }

    /**
     * Committed records per result topic that are not yet in the database: the last stable offset minus the offset
     * stored in the database, summed over partitions. Updated after every poll; empty until the first one.
     */
    public Map<String, Long> lag() {
        return lag;
    }

    /** Stops the thread (within 10 s) and closes the Kafka consumer; the store stays open. Rows not yet written are read again on the next start. */
    @Override
    public void close() {
        Thread t;
        synchronized (this) {
            closing = true;
            t = thread;
        }
        closeSignal.countDown();
        KafkaConsumer<byte[], byte[]> c = consumer;
        if (c != null) {
            c.wakeup();
        }
        if (t != null) {
            try {
                t.join(JOIN_TIMEOUT.toMillis());
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            if (t.isAlive()) {
                LOG.warn("The result loader thread did not stop within {} s.", JOIN_TIMEOUT.toSeconds());
            }
        }
        status = LoaderStatus.STOPPED;
    }
}
