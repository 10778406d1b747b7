package dev.sluice.engine.internal;

import dev.sluice.storage.Deployment;
import org.apache.flink.connector.kafka.sink.KafkaRecordSerializationSchema;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.header.Headers;

/**
 * Writes ready-made JSON values (dead letters, late events) to one topic, without a key, each with the pipeline's
 * deployment in the {@value Deployment#HEADER} header.
 */
public final class TopicBytesSerializer implements KafkaRecordSerializationSchema<byte[]> {
    private static final long serialVersionUID = 1L;

    private final String topic;
    private final byte[] deployment;
    private transient Headers headers;

    public TopicBytesSerializer(String topic) {
        this(topic, null);
    }

    /** @param deployment the deployment whose id goes into every record's header, or null for none */
    public TopicBytesSerializer(String topic, Deployment deployment) {
        this.topic = topic;
        this.deployment = deployment == null ? null : deployment.headerValue();
    }

    @Override
    public ProducerRecord<byte[], byte[]> serialize(byte[] value, KafkaSinkContext context, Long timestamp) {
        if (headers == null && deployment != null) {
            headers = DeploymentHeaders.of(deployment);
        }
        return new ProducerRecord<>(topic, null, null, null, value, headers);
    }
}
