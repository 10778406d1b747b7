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
        List<DashboardSpec> dashboards) {

    public PipelineSpec {
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

    /** A pipeline without alerts, notifiers or dashboards. */
    public PipelineSpec(String name, String description, Path file, List<SourceSpec> sources, List<ReferenceSpec> references,
            List<ViewSpec> views, List<SinkSpec> sinks) {
        this(name, description, file, sources, references, views, sinks, List.of(), List.of(), List.of());
    }

    public Optional<ViewSpec> view(String viewName) {
        return views.stream().filter(v -> v.name().equals(viewName)).findFirst();
    }
}
