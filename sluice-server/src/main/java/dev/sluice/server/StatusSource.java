package dev.sluice.server;

import java.util.List;
import java.util.Map;
import java.util.Optional;

/** What the API reports about the running pipelines; {@link SluiceServer} is the real one, tests use fakes. */
public interface StatusSource {
    /** Health of each part (broker, engine, storage, loader). */
    Map<String, SluiceServer.Health> health();

    /** A snapshot of every pipeline. */
    List<PipelineStatus> pipelines();

    /** The names of the running pipelines, cheaply (no status is computed). */
    default List<String> pipelineNames() {
        return pipelines().stream().map(PipelineStatus::name).toList();
    }

    /** A snapshot of one pipeline, if it runs. */
    default Optional<PipelineStatus> pipelineStatus(String name) {
        return pipelines().stream().filter(p -> p.name().equals(name)).findFirst();
    }

    /** The alert notifier of a running pipeline that has alerts; none by default (test fakes). */
    default Optional<AlertDelivery> alerts(String pipeline) {
        return Optional.empty();
    }
}
