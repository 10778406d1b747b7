package dev.sluice.engine.internal;

import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.Properties;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.ListOffsetsOptions;
import org.apache.kafka.clients.admin.ListOffsetsResult;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.common.IsolationLevel;
import org.apache.kafka.common.KafkaFuture;
import org.apache.kafka.common.TopicPartition;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Whether the brokers answer for a source's partitions: the second witness a quiet partition needs before it may stop
 * holding the watermark back (see {@link PartitionWatermarks}).
 *
 * <p>A consumer cannot tell a quiet partition from one whose leader died: either way no records arrive and its last
 * {@code records-lag} says 0. But the producers of the second one are holding its records until a new leader is
 * elected (about the broker session timeout, 9 s by default), and once those records arrive a watermark that went on
 * without the partition would call them late. So for each partition that has been quiet a while, one background
 * thread per cluster asks the partition's leader for its end offset every {@link #PROBE_INTERVAL}; a partition counts
 * as reachable only after it has answered every time for a while, which also gives the producers time to deliver what
 * they held back during a fail-over.
 *
 * <p>One instance per cluster (bootstrap servers and client settings) per JVM, shared by all watermark generators of
 * all jobs that read from it; its admin client is closed when no generator has asked for {@link #UNUSED_AFTER}.
 */
final class PartitionReachability {
    static final Duration PROBE_INTERVAL = Duration.ofSeconds(1);
    /** How long one probe may take before it counts as unanswered. */
    static final Duration PROBE_TIMEOUT = Duration.ofSeconds(2);
    /** A partition nobody asked about for this long is no longer probed. */
    static final Duration WATCH_FOR = Duration.ofSeconds(5);
    static final Duration UNUSED_AFTER = Duration.ofSeconds(60);
    /** {@link #answeringSince} of a partition that has not answered (yet). */
    static final long NOT_ANSWERING = -1;

    private static final Logger LOG = LoggerFactory.getLogger(PartitionReachability.class);
    private static final Map<String, PartitionReachability> BY_CLUSTER = new ConcurrentHashMap<>();

    private final Map<String, Object> adminConfig;
    private final String description;
    /** Per partition, when a generator last asked (System.nanoTime). */
    private final Map<TopicPartition, Long> watched = new ConcurrentHashMap<>();
    /** Per partition, since when it has answered every probe (System.nanoTime), or absent. */
    private final Map<TopicPartition, Long> answering = new ConcurrentHashMap<>();
    private Thread prober;
    private long lastAskedNanos;

    private PartitionReachability(Map<String, Object> adminConfig) {
        this.adminConfig = adminConfig;
        this.description = String.valueOf(adminConfig.get(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG));
    }

    /** The instance for the cluster these client settings reach (they include {@code bootstrap.servers}). */
    static PartitionReachability forCluster(Map<String, String> clientSettings) {
        Map<String, Object> config = new TreeMap<>(clientSettings);
        return BY_CLUSTER.computeIfAbsent(config.toString(), k -> new PartitionReachability(config));
    }

    /**
     * Since when (System.nanoTime) the partition's leader has answered every probe, or {@link #NOT_ANSWERING}. Asking
     * keeps the partition probed for {@link #WATCH_FOR}; the first answer comes within about a probe interval.
     */
    long answeringSince(TopicPartition partition) {
        long now = System.nanoTime();
        watched.put(partition, now);
        synchronized (this) {
            lastAskedNanos = now;
            if (prober == null) {
                prober = new Thread(this::probeUntilUnused, "sluice-partition-probe " + description);
                prober.setDaemon(true);
                prober.start();
            }
        }
        return answering.getOrDefault(partition, NOT_ANSWERING);
    }

    private void probeUntilUnused() {
        Map<String, Object> config = new HashMap<>(adminConfig);
        config.put(AdminClientConfig.CLIENT_ID_CONFIG, "sluice-partition-probe");
        config.put(AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, (int) PROBE_TIMEOUT.toMillis());
        config.put(AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, (int) PROBE_TIMEOUT.toMillis());
        Properties properties = new Properties();
        properties.putAll(config);
        try (Admin admin = Admin.create(properties)) {
            while (!stopWhenUnused()) {
                probe(admin);
                TimeUnit.NANOSECONDS.sleep(PROBE_INTERVAL.toNanos());
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (RuntimeException e) {
            // The prober stays registered, so it is not started again: quiet partitions hold, as the warning says.
            LOG.warn("Cannot probe partitions on {}: {}. Quiet partitions of its sources keep holding their watermarks.",
                    description, e.getMessage());
        }
    }

    private synchronized boolean stopWhenUnused() {
        if (System.nanoTime() - lastAskedNanos >= UNUSED_AFTER.toNanos()) {
            prober = null;
            answering.clear();
            return true;
        }
        return false;
    }

    private void probe(Admin admin) throws InterruptedException {
        long now = System.nanoTime();
        Map<TopicPartition, OffsetSpec> wanted = new HashMap<>();
        watched.forEach((p, asked) -> {
            if (now - asked < WATCH_FOR.toNanos()) {
                wanted.put(p, OffsetSpec.latest());
            }
        });
        watched.keySet().retainAll(wanted.keySet());
        answering.keySet().retainAll(wanted.keySet());
        if (wanted.isEmpty()) {
            return;
        }
        ListOffsetsResult result = admin.listOffsets(wanted, new ListOffsetsOptions(IsolationLevel.READ_COMMITTED)
                .timeoutMs((int) PROBE_TIMEOUT.toMillis()));
        for (TopicPartition partition : wanted.keySet()) {
            KafkaFuture<ListOffsetsResult.ListOffsetsResultInfo> answer = result.partitionResult(partition);
            try {
                answer.get(PROBE_TIMEOUT.toMillis() + 500, TimeUnit.MILLISECONDS);
                if (answering.putIfAbsent(partition, System.nanoTime()) == null) {
                    LOG.debug("Partition {} answers on {}.", partition, description);
                }
            } catch (ExecutionException | TimeoutException ex) {
                if (answering.remove(partition) != null) {
                    Throwable cause = ex.getCause() == null ? ex : ex.getCause();
                    LOG.warn("Partition {} does not answer on {} ({}): it holds its source's watermark until it answers again, so "
                            + "records its producers hold back meanwhile are not late.", partition, description, cause.getMessage());
                }
            }
        }
    }
}
