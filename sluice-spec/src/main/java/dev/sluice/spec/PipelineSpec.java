package dev.sluice.spec;

import java.nio.file.Path;
import java.util.List;
import java.util.Optional;

/**
 * A pipeline as written in one YAML file: Kafka sources with typed schemas, reference data for enrichment,
 * Flink SQL views, sinks that write views to storage tables, and live dashboards over those tables. Built by
 * {@link SpecParser}; every element
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
        List<DashboardSpec> dashboards) {

    public PipelineSpec {
        sources = List.copyOf(sources);
        references = List.copyOf(references);
        views = List.copyOf(views);
        sinks = List.copyOf(sinks);
        dashboards = List.copyOf(dashboards);
    }

    public Optional<DashboardSpec> dashboard(String dashboardName) {
        return dashboards.stream().filter(d -> d.name().equals(dashboardName)).findFirst();
    }

    public Optional<ViewSpec> view(String viewName) {
        return views.stream().filter(v -> v.name().equals(viewName)).findFirst();
    }
}
