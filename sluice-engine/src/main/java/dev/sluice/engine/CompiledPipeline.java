package dev.sluice.engine;

import dev.sluice.broker.TopicSpec;
import dev.sluice.spec.PipelineSpec;
import dev.sluice.storage.Deployment;
import dev.sluice.storage.TableDefinition;
import java.net.URI;
import java.util.List;
import java.util.Optional;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;

/**
 * A pipeline translated into a Flink job that is ready to run: the environment holding the job, the Kafka topics
 * it needs, and the storage tables the loader fills from its result topics.
 *
 * @param configuration the job's Flink configuration (checkpointing, state locations, the savepoint to restore)
 * @param restoredFrom the checkpoint or savepoint the job will resume from, if any
 * @param deployment the deployment of the state the job runs on (read from the state, or a new one for new state;
 *     {@link StateLocations#keep keep} it with the state before the job starts), whose id the job writes on its records
 */
public record CompiledPipeline(
        PipelineSpec spec,
        StreamExecutionEnvironment environment,
        Configuration configuration,
        List<TopicSpec> topics,
        List<TableDefinition> tables,
        StateLocations state,
        Optional<URI> restoredFrom,
        Deployment deployment) {

    public CompiledPipeline {
        topics = List.copyOf(topics);
        tables = List.copyOf(tables);
    }

    public String jobName() {
        return jobName(spec.name());
    }

    /** The Flink job name of a pipeline, {@code sluice-<pipeline>}. */
    public static String jobName(String pipeline) {
        return "sluice-" + pipeline;
    }

    /** Topics the job reads: the sources' topics. */
    public List<String> sourceTopics() {
        return spec.sources().stream().map(s -> s.topic()).toList();
    }

    /** Consumer group under which the job commits its source offsets on each checkpoint (for lag monitoring). */
    public String consumerGroup() {
        return jobName();
    }
}
