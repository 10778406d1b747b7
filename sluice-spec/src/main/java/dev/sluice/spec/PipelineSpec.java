package dev.sluice.spec;

import java.nio.file.Path;
import java.util.List;
import java.util.Optional;

/**
 * A pipeline as written in one YAML file: Kafka sources with typed schemas, reference data for enrichment,
 * Flink SQL views, sinks that write views to storage tables, alerts evaluated in the stream and the notifiers they
 * are delivered to, and live dashboards over those tables. Built by {@link SpecParser}; every element
 * keeps the {@link Location} it came from so later stages (the Flink planner, the loader) can report errors
 * against the file.
 */
public record PipelineSpec(
        String name,
        String description,
        Path file,
        List<SourceSpec> sources,
        List<ReferenceSpec> references,
        List<ViewSpec> views,
        List<SinkSpec> sinks,
        List<AlertSpec> alerts,
        List<NotifierSpec> notifiers,
        List<DashboardSpec> dashboards,
        Delivery delivery) {

    /**
     * How a pipeline's results reach storage ({@code delivery:} in the file).
     *
     * <ul>
     *   <li>{@link #EXACTLY_ONCE} (the default): result topics are written in Kafka transactions that commit with each
     *       checkpoint, so rows become visible one checkpoint interval (plus the checkpoint itself) after their events.</li>
     *   <li>{@link #LOW_LATENCY}: result topics are written at-least-once, without transactions, and the loader stores
     *       rows as soon as they arrive (tens of milliseconds). After a failure the job replays from its last checkpoint;
     *       the tables still end up exactly right because upserts by key are idempotent and every append row carries an
     *       id derived from its content, so a replayed row is dropped by the store. Two equal rows of an append view are
     *       therefore stored once: give append views a column that identifies the event or window.</li>
     * </ul>
     */
    public enum Delivery {
        EXACTLY_ONCE("exactly-once"),
        LOW_LATENCY("low-latency");

        private final String word;

        Delivery(String word) {
            this.word = word;
        }

        /** The word in the pipeline file. */
        public String word() {
            return word;
        }
    }

    public PipelineSpec {
        java.util.Objects.requireNonNull(delivery, "delivery");
        alerts = List.copyOf(alerts);
        notifiers = List.copyOf(notifiers);
        sources = List.copyOf(sources);
        references = List.copyOf(references);
        views = List.copyOf(views);
        sinks = List.copyOf(sinks);
        dashboards = List.copyOf(dashboards);
    }

    public Optional<DashboardSpec> dashboard(String dashboardName) {
        return dashboards.stream().filter(d -> d.name().equals(dashboardName)).findFirst();
    }

    /** The alerts topic of this pipeline, written by its Flink job and read by its notifier. */
    public String alertsTopic() {
        return "sluice." + name + ".alerts";
    }

    public Optional<NotifierSpec> notifier(String notifierName) {
        return notifiers.stream().filter(n -> n.name().equals(notifierName)).findFirst();
    }

    /** A pipeline with exactly-once delivery. */
    public PipelineSpec(String name, String description, Path file, List<SourceSpec> sources, List<ReferenceSpec> references,
            List<ViewSpec> views, List<SinkSpec> sinks, List<AlertSpec> alerts, List<NotifierSpec> notifiers,
            List<DashboardSpec> dashboards) {
        this(name, description, file, sources, references, views, sinks, alerts, notifiers, dashboards, Delivery.EXACTLY_ONCE);
    }

    /** This pipeline with another delivery. */
    public PipelineSpec withDelivery(Delivery value) {
        return new PipelineSpec(name, description, file, sources, references, views, sinks, alerts, notifiers, dashboards, value);
    }

    /** A pipeline without alerts, notifiers or dashboards. */
    public PipelineSpec(String name, String description, Path file, List<SourceSpec> sources, List<ReferenceSpec> references,
            List<ViewSpec> views, List<SinkSpec> sinks) {
        this(name, description, file, sources, references, views, sinks, List.of(), List.of(), List.of());
    }

    public Optional<ViewSpec> view(String viewName) {
        return views.stream().filter(v -> v.name().equals(viewName)).findFirst();
    }
}
