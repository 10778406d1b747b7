package dev.sluice.server;

import dev.sluice.alerts.AlertNotification;
import dev.sluice.alerts.AlertNotifier;
import dev.sluice.alerts.DeliveryOutcome;
import dev.sluice.alerts.NotificationJson;
import dev.sluice.alerts.RetryingDelivery;
import dev.sluice.spec.PipelineSpec;
import dev.sluice.storage.Deployment;
import dev.sluice.storage.ResultStore;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.WakeupException;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The notifier of one pipeline: consumes its alerts topic and, for each notification, delivers it to the alert's
 * notifiers (unless silenced), records each outcome and then the event in {@code alert_events}, and only then commits
 * the consumer offset. The Flink job writes the topic at-least-once and a replay after a restart re-emits the same
 * deterministic ids, so:
 * <ul>
 *   <li>an id already in {@code alert_events} is skipped (none sent twice; the ids of the last
 *       {@link #REPLAY_HORIZON} are held in memory);</li>
 *   <li>a notifier with a recorded outcome for the id is skipped (a crash between two notifiers resends to neither);</li>
 *   <li>offsets are committed after each polled batch is recorded, so an uncommitted record is read again after a
 *       restart (none lost).</li>
 * </ul>
 * The one window left is a crash after a receiver accepted a request and before its outcome was recorded; receivers
 * can close it with the {@code X-Sluice-Notification-Id} header. A give-up is recorded with its error and logged.
 * Notifications that are sent to no receiver (silenced, or their notifiers are not configured, as in the demo without
 * a webhook) are recorded a poll at a time in one transaction instead of one commit each.
 */
public final class AlertDelivery implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(AlertDelivery.class);
    /**
     * How far back the ids of handled notifications are kept in memory to recognise repeats. A repeat comes from the
     * job replaying from its last checkpoint after a restart (seconds to minutes of input), so a day is ample; it saves a
     * database look-up per notification.
     */
    static final Duration REPLAY_HORIZON = Duration.ofDays(1);

    private final PipelineSpec spec;
    private final AlertStore store;
    private final Map<String, AlertNotifier> notifiers;
    private final Map<String, String> unconfigured;
    private final RetryingDelivery delivery;
    private final Clock clock;
    private final KafkaConsumer<byte[], byte[]> consumer;
    private final Thread thread;
    private final List<Consumer<AlertNotification>> listeners = new CopyOnWriteArrayList<>();
    private final AtomicLong sent = new AtomicLong();
    private final AtomicLong gaveUp = new AtomicLong();
    private final AtomicLong foreign = new AtomicLong();
    private final Deployment deployment;
    private volatile List<AlertSilence> silences;
    /** Ids handled recently (see {@link #REPLAY_HORIZON}); only the notifier thread touches it after the start. */
    private final Set<String> handled;
    /** {@code id/notifier} of deliveries recorded by a previous run whose event row is missing. */
    private final Set<String> unfinished;
    private volatile boolean running = true;
    private volatile Runnable recorded = () -> {};

    /** Runs {@code listener} after each notification is recorded in {@code alert_events} (dashboards re-read it). */
    void onRecorded(Runnable listener) {
        this.recorded = listener;
    }

    /**
     * @param deployment the pipeline's deployment: notifications another deployment wrote (an earlier run of the
     *                   pipeline whose state is gone) are skipped, not delivered; null delivers every notification
     */
    AlertDelivery(PipelineSpec spec, String bootstrapServers, Map<String, String> kafkaProperties, ResultStore storage,
            Map<String, AlertNotifier> notifiers, Map<String, String> unconfigured, RetryingDelivery delivery, Clock clock,
            Deployment deployment) {
        this.spec = spec;
        this.deployment = deployment;
        this.unconfigured = Map.copyOf(unconfigured);
        this.store = new AlertStore(storage, spec.name());
        this.notifiers = Map.copyOf(notifiers);
        this.delivery = delivery;
        this.clock = clock;
        store.ensureTables();
        this.silences = store.silences();
        this.handled = store.recordedSince(clock.instant().minus(REPLAY_HORIZON));
        this.unfinished = store.unfinishedDeliveries();
        Properties props = new Properties();
        props.putAll(kafkaProperties);
        props.setProperty(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
        props.setProperty(ConsumerConfig.GROUP_ID_CONFIG, "sluice-notifier-" + spec.name());
        props.setProperty(ConsumerConfig.CLIENT_ID_CONFIG, "sluice-notifier-" + spec.name());
        props.setProperty(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
        props.setProperty(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        props.setProperty(ConsumerConfig.MAX_POLL_RECORDS_CONFIG, "100");
        props.setProperty(ConsumerConfig.FETCH_MAX_WAIT_MS_CONFIG, "100");
        // Deliveries may retry for up to a minute per notifier; the group must not evict the consumer meanwhile.
        props.setProperty(ConsumerConfig.MAX_POLL_INTERVAL_MS_CONFIG, "900000");
        this.consumer = new KafkaConsumer<>(props, new ByteArrayDeserializer(), new ByteArrayDeserializer());
        this.thread = new Thread(this::run, "sluice-notifier-" + spec.name());
        this.thread.setDaemon(true);
    }

    void start() {
        consumer.subscribe(List.of(spec.alertsTopic()));
        thread.start();
        LOG.info("Pipeline '{}' delivers its alerts from topic {} to {}.", spec.name(), spec.alertsTopic(),
                notifiers.isEmpty() ? "the dashboard only (table alert_events)"
                        : "the dashboard (table alert_events) and the notifiers " + String.join(", ", notifiers.keySet()));
    }

    private void run() {
        try {
            while (running) {
                Map<TopicPartition, OffsetAndMetadata> done = new HashMap<>();
                List<AlertStore.Outcomes> unsent = new ArrayList<>();
                for (ConsumerRecord<byte[], byte[]> record : consumer.poll(Duration.ofMillis(200))) {
                    handle(record, unsent);
                    done.put(new TopicPartition(record.topic(), record.partition()), new OffsetAndMetadata(record.offset() + 1));
                }
                recordUnsent(unsent);
                // Every notification of the batch is recorded by now, so a crash before this commit only repeats ids
                // that are skipped.
                if (!done.isEmpty()) {
                    consumer.commitSync(done);
                }
            }
        } catch (WakeupException e) {
            if (running) {
                throw e;
            }
        } catch (RuntimeException e) {
            LOG.error("The notifier of pipeline '{}' stopped: {}. Notifications after the last committed one are delivered "
                    + "when it starts again.", spec.name(), e.toString(), e);
        } finally {
            consumer.close(Duration.ofSeconds(5));
        }
    }

    /**
     * Delivers and records one notification. One that no notifier is sent (all silenced or not configured) joins
     * {@code unsent}, recorded with the rest of its poll in one transaction; before a notification is sent to a
     * receiver, those waiting are recorded first, so a crash never leaves more than the one notification being sent
     * unrecorded.
     */
    private void handle(ConsumerRecord<byte[], byte[]> record, List<AlertStore.Outcomes> unsent) {
        if (deployment != null && !ours(record)) {
            long skipped = foreign.incrementAndGet();
            LOG.warn("Skipping notification {}-{}@{}: another deployment of pipeline '{}' wrote it (an earlier run whose state"
                    + " is gone); {} skipped so far.", record.topic(), record.partition(), record.offset(), spec.name(), skipped);
            return;
        }
        AlertNotification n;
        try {
            n = NotificationJson.fromBytes(record.value());
        } catch (IllegalArgumentException e) {
            LOG.warn("Skipping record {}-{}@{} of the alerts topic: {}", record.topic(), record.partition(), record.offset(),
                    e.getMessage());
            return;
        }
        if (handled.contains(n.id())) {
            LOG.debug("Notification {} was handled before; skipping the repeat.", n.id());
            return;
        }
        Instant now = clock.instant();
        boolean silenced = silences.stream().anyMatch(s -> s.matches(n.alert(), n.keyText(), now));
        List<String> targets = n.notifiers().stream()
                .filter(name -> notifiers.containsKey(name) && !unfinished.contains(n.id() + "/" + name)).toList();
        if (silenced || targets.stream().allMatch(unconfigured::containsKey)) {
            List<DeliveryOutcome> outcomes = new ArrayList<>(targets.size());
            for (String name : targets) {
                outcomes.add(silenced ? new DeliveryOutcome(name, DeliveryOutcome.SILENCED, 0, "")
                        : new DeliveryOutcome(name, DeliveryOutcome.GAVE_UP, 0, unconfigured.get(name)));
                (silenced ? sent : gaveUp).incrementAndGet();
            }
            unsent.add(new AlertStore.Outcomes(n, outcomes));
            handled.add(n.id());
            return;
        }
        recordUnsent(unsent);
        Optional<DeliveryOutcome> last = Optional.empty();
        for (int i = 0; i < targets.size(); i++) {
            String name = targets.get(i);
            DeliveryOutcome outcome;
            if (silenced) {
                outcome = new DeliveryOutcome(name, DeliveryOutcome.SILENCED, 0, "");
            } else if (unconfigured.containsKey(name)) {
                outcome = new DeliveryOutcome(name, DeliveryOutcome.GAVE_UP, 0, unconfigured.get(name));
            } else {
                outcome = delivery.deliver(notifiers.get(name), n);
            }
            (DeliveryOutcome.GAVE_UP.equals(outcome.status()) ? gaveUp : sent).incrementAndGet();
            if (i < targets.size() - 1) {
                // Recorded before the next notifier is tried: a crash in between does not send to this one again.
                store.recordDelivery(n.id(), outcome, clock.instant());
            } else {
                last = Optional.of(outcome);
            }
        }
        store.recordEvent(n, last, clock.instant());
        recorded.run();
        handled.add(n.id());
        notifyListeners(n);
    }

    /** Records the notifications no notifier was sent, in one transaction, then tells the listeners; empties the list. */
    private void recordUnsent(List<AlertStore.Outcomes> unsent) {
        if (unsent.isEmpty()) {
            return;
        }
        store.recordEvents(unsent, clock.instant());
        recorded.run();
        for (AlertStore.Outcomes o : unsent) {
            notifyListeners(o.notification());
        }
        unsent.clear();
    }

    private void notifyListeners(AlertNotification n) {
        for (Consumer<AlertNotification> listener : listeners) {
            try {
                listener.accept(n);
            } catch (RuntimeException e) {
                LOG.warn("An alert listener of pipeline '{}' failed: {}", spec.name(), e.toString());
            }
        }
    }

    /** Whether this deployment wrote the record: its header says so, or it has none and the deployment accepts those. */
    private boolean ours(ConsumerRecord<byte[], byte[]> record) {
        Header header = record.headers().lastHeader(Deployment.HEADER);
        return header == null ? deployment.acceptsUnmarked() : Arrays.equals(header.value(), deployment.headerValue());
    }

    /** Notifications skipped because another deployment of the pipeline wrote them. */
    long foreignSkipped() {
        return foreign.get();
    }

    /** Called (on the notifier thread) after each notification is recorded; the returned action removes it. */
    Runnable onNotification(Consumer<AlertNotification> listener) {
        listeners.add(listener);
        return () -> listeners.remove(listener);
    }

    AlertSilence silence(String alert, String keyPattern, Instant until) {
        AlertSilence silence = new AlertSilence(UUID.randomUUID().toString(), alert, keyPattern, until, clock.instant());
        store.addSilence(silence);
        silences = store.silences();
        return silence;
    }

    boolean unsilence(String id) {
        boolean removed = store.removeSilence(id);
        silences = store.silences();
        return removed;
    }

    /** Firing and resolved (latest per alert and key), history, silences and delivery counts, for the API. */
    Map<String, Object> overview(int historyLimit) {
        List<Map<String, Object>> latest = store.latestPerKey(1_000);
        return Map.of(
                "pipeline", spec.name(),
                "alerts", spec.alerts().stream().map(a -> Map.of("name", a.name(), "severity", a.severity().text(),
                        "notify", a.notifiers())).toList(),
                "firing", latest.stream().filter(r -> AlertNotification.FIRING.equals(r.get("state"))).toList(),
                "resolved", latest.stream().filter(r -> AlertNotification.RESOLVED.equals(r.get("state"))).toList(),
                "history", store.history(historyLimit),
                "silences", silences.stream().map(AlertSilence::json).toList(),
                "deliveries", Map.of("sent", sent.get(), "gave_up", gaveUp.get()));
    }

    @Override
    public void close() {
        running = false;
        consumer.wakeup();
        try {
            thread.join(Duration.ofSeconds(70).toMillis());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
