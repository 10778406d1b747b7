package dev.sluice.server.internal;

import dev.sluice.server.PipelineStatus;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tags;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.ToDoubleFunction;

/**
 * The Micrometer meters of the pipelines, fed from their latest {@link PipelineStatus}: every meter reads the newest
 * status given to {@link #update}, so a scrape never queries Kafka or storage itself. Each meter has the tag
 * {@code pipeline}; the other tags (source, table, node, topic and partition) are bounded by the pipeline's file and
 * its topics' partitions. Meters of a pipeline that is no longer updated are removed.
 *
 * <p>Names are Micrometer's dotted names; the Prometheus registry writes {@code sluice.source.records} as
 * {@code sluice_source_records_total} and {@code sluice.checkpoint.duration} (base unit seconds) as
 * {@code sluice_checkpoint_duration_seconds}. The list is in docs/server.md.
 */
public final class PipelineMeters {
    private final MeterRegistry registry;
    private final Map<String, PipelineStatus> latest = new ConcurrentHashMap<>();
    /** Meter ids per pipeline, and the keys of the meters registered so far (to register each once). */
    private final Map<String, List<Meter.Id>> meters = new ConcurrentHashMap<>();
    private final Set<String> registered = ConcurrentHashMap.newKeySet();

    public PipelineMeters(MeterRegistry registry) {
        this.registry = registry;
    }

    /** Makes these the newest statuses; pipelines not among them lose their meters. */
    public synchronized void update(Collection<PipelineStatus> statuses) {
        Set<String> names = new HashSet<>();
        for (PipelineStatus s : statuses) {
            names.add(s.name());
            latest.put(s.name(), s);
            register(s);
        }
        for (String gone : new ArrayList<>(latest.keySet())) {
            if (!names.contains(gone)) {
                latest.remove(gone);
                List<Meter.Id> ids = meters.remove(gone);
                if (ids != null) {
                    ids.forEach(registry::remove);
                }
                registered.removeIf(k -> k.startsWith(gone + "\u0000"));
            }
        }
    }

    private void register(PipelineStatus s) {
        String p = s.name();
        counter(p, "sluice.source.records", "Records written to the pipeline's source topics (their end offsets)",
                Tags.empty(), st -> st.eventsIn());
        counter(p, "sluice.pipeline.processed.records", "Source records the Flink job has read",
                Tags.empty(), st -> st.processed());
        counter(p, "sluice.dead.letters", "Records of the sources stored as dead letters", Tags.empty(), st -> st.deadLetters());
        counter(p, "sluice.late.events", "Records of the sources stored as late events", Tags.empty(), st -> st.lateEvents());
        counter(p, "sluice.late.records.dropped", "Records Flink operators dropped behind the watermark (should stay 0)",
                Tags.empty(), st -> st.lateRecordsDropped());
        counter(p, "sluice.checkpoints.completed", "Completed checkpoints of the pipeline's job", Tags.empty(),
                st -> st.checkpoints().completed());
        counter(p, "sluice.checkpoints.failed", "Failed checkpoints of the pipeline's job", Tags.empty(),
                st -> st.checkpoints().failed());
        counter(p, "sluice.job.restarts", "Restarts of the pipeline's job after a failure", Tags.empty(),
                st -> st.checkpoints().restarts());
        gauge(p, "sluice.checkpoint.duration", "seconds", "End-to-end duration of the latest completed checkpoint",
                Tags.empty(), st -> st.checkpoints().lastDurationMillis() < 0 ? Double.NaN : st.checkpoints().lastDurationMillis() / 1000.0);
        gauge(p, "sluice.checkpoint.age", "seconds", "Time since the latest completed checkpoint",
                Tags.empty(), st -> st.checkpoints().lastAgeMillis() < 0 ? Double.NaN : st.checkpoints().lastAgeMillis() / 1000.0);
        counter(p, "sluice.pipeline.cpu.seconds", "CPU seconds the pipeline's threads used since the server started",
                Tags.empty(), st -> st.resources().cpuSeconds());
        gauge(p, "sluice.pipeline.cpu.usage", null, "Cores the pipeline's threads used over the latest 5 s",
                Tags.empty(), st -> st.resources().cpuCores());
        gauge(p, "sluice.pipeline.state", "bytes", "Size of the pipeline's state in its latest completed checkpoint",
                Tags.empty(), st -> st.resources().stateBytes() < 0 ? Double.NaN : st.resources().stateBytes());
        gauge(p, "sluice.pipeline.running", null, "1 while the pipeline's state is RUNNING, else 0",
                Tags.empty(), st -> "RUNNING".equals(st.state()) ? 1 : 0);
        counter(p, "sluice.loader.foreign.records.skipped", "Result records of another deployment of the pipeline (an earlier"
                + " data directory, or the state before a reset) that the loader did not store", Tags.empty(),
                st -> st.deployment() == null ? 0 : st.deployment().foreignRecordsSkipped());
        for (String consumer : List.of("job", "loader")) {
            gauge(p, "sluice.pipeline.lag", "records", "Records the consumer has not read yet, over all its partitions",
                    Tags.of("consumer", consumer), st -> consumer.equals("job") ? st.pipelineLag() : st.loaderLag());
        }
        for (PipelineStatus.Source source : s.sources()) {
            String name = source.name();
            Tags tags = Tags.of("source", name);
            counter(p, "sluice.source.topic.records", "Records written to one source topic", tags,
                    st -> find(st.sources(), x -> x.name().equals(name)).map(PipelineStatus.Source::eventsIn).orElse(0L));
            counter(p, "sluice.source.dead.letters", "Dead letters of one source", tags,
                    st -> find(st.sources(), x -> x.name().equals(name)).map(PipelineStatus.Source::deadLetters).orElse(0L));
            counter(p, "sluice.source.late.events", "Late events of one source", tags,
                    st -> find(st.sources(), x -> x.name().equals(name)).map(PipelineStatus.Source::lateEvents).orElse(0L));
        }
        for (PipelineStatus.PartitionLag lag : s.partitionLag()) {
            String consumer = lag.consumer();
            String topic = lag.topic();
            int partition = lag.partition();
            gauge(p, "sluice.consumer.lag", "records", "Records of one partition the consumer has not read yet",
                    Tags.of("consumer", consumer, "topic", topic, "partition", Integer.toString(partition)),
                    st -> find(st.partitionLag(), x -> x.consumer().equals(consumer) && x.topic().equals(topic)
                            && x.partition() == partition).map(x -> (double) x.lag()).orElse(Double.NaN));
        }
        for (PipelineStatus.TableInfo table : s.tables()) {
            String name = table.name();
            Tags tags = Tags.of("table", name);
            counter(p, "sluice.table.rows.loaded", "Rows the loader stored in the table since the pipeline started", tags,
                    st -> find(st.tables(), x -> x.name().equals(name)).map(PipelineStatus.TableInfo::rowsLoaded).orElse(0L));
            gauge(p, "sluice.table.freshness", "seconds", "Now minus the event time of the table's newest stored row", tags,
                    st -> find(st.tables(), x -> x.name().equals(name)).filter(x -> x.freshnessMillis() >= 0)
                            .map(x -> x.freshnessMillis() / 1000.0).orElse(Double.NaN));
        }
        for (PipelineStatus.Node node : s.nodes()) {
            String id = node.id();
            Tags tags = Tags.of("node", id, "kind", node.kind());
            if (node.recordsIn() >= 0) {
                counter(p, "sluice.node.records.in", "Records a node of the pipeline graph received", tags,
                        st -> find(st.nodes(), x -> x.id().equals(id)).map(x -> Math.max(0, x.recordsIn())).orElse(0L));
            }
            if (node.recordsOut() >= 0) {
                counter(p, "sluice.node.records.out", "Records a node of the pipeline graph emitted", tags,
                        st -> find(st.nodes(), x -> x.id().equals(id)).map(x -> Math.max(0, x.recordsOut())).orElse(0L));
            }
        }
    }

    private static <T> java.util.Optional<T> find(List<T> items, java.util.function.Predicate<T> match) {
        for (T item : items) {
            if (match.test(item)) {
                return java.util.Optional.of(item);
            }
        }
        return java.util.Optional.empty();
    }

    private void counter(String pipeline, String name, String description, Tags tags, ToDoubleFunction<PipelineStatus> value) {
        Tags all = tags.and("pipeline", pipeline);
        if (!registered.add(key(pipeline, name, all))) {
            return;
        }
        ToDoubleFunction<Map<String, PipelineStatus>> read = m -> {
            PipelineStatus st = m.get(pipeline);
            return st == null ? 0 : Math.max(0, value.applyAsDouble(st));
        };
        FunctionCounter c = FunctionCounter.builder(name, latest, read).description(description).tags(all).register(registry);
        meters.computeIfAbsent(pipeline, k -> new ArrayList<>()).add(c.getId());
    }

    private void gauge(String pipeline, String name, String unit, String description, Tags tags,
            ToDoubleFunction<PipelineStatus> value) {
        Tags all = tags.and("pipeline", pipeline);
        if (!registered.add(key(pipeline, name, all))) {
            return;
        }
        Gauge.Builder<Map<String, PipelineStatus>> builder = Gauge.builder(name, latest, m -> {
            PipelineStatus st = m.get(pipeline);
            return st == null ? Double.NaN : value.applyAsDouble(st);
        }).description(description).tags(all);
        if (unit != null) {
            builder.baseUnit(unit);
        }
        meters.computeIfAbsent(pipeline, k -> new ArrayList<>()).add(builder.register(registry).getId());
    }

    private static String key(String pipeline, String name, Tags tags) {
        Map<String, String> t = new HashMap<>();
        tags.forEach(tag -> t.put(tag.getKey(), tag.getValue()));
        return pipeline + "\u0000" + name + "\u0000" + new java.util.TreeMap<>(t);
    }
}
