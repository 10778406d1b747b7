package dev.sluice.server;

import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;

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

    /** Free space on the data directory and whether input is accepted, where the server watches a disk. */
    default Optional<DiskStatus> disk() {
        return Optional.empty();
    }

    /** CPU, memory and task slots of the whole server, where the server measures them. */
    default Optional<ServerResources> resources() {
        return Optional.empty();
    }

    /** A snapshot of one pipeline, if it runs. */
    default Optional<PipelineStatus> pipelineStatus(String name) {
        return pipelines().stream().filter(p -> p.name().equals(name)).findFirst();
    }

    /**
     * The Kafka topics of a running pipeline: its sources, dead-letter and late topics and result topics. The stream
     * tap reads only these. Empty when the pipeline is unknown.
     */
    default List<String> topics(String pipeline) {
        return List.of();
    }

    /** Settings for a Kafka consumer of the pipelines' broker (bootstrap servers, security); empty when there is none. */
    default Properties kafkaConsumerProperties() {
        return new Properties();
    }

    /** The alert notifier of a running pipeline that has alerts; none by default (test fakes). */
    default Optional<AlertDelivery> alerts(String pipeline) {
        return Optional.empty();
    }
}
