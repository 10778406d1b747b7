package dev.sluice.engine.internal;

import dev.sluice.storage.Deployment;
import java.nio.charset.StandardCharsets;
import org.apache.flink.api.java.tuple.Tuple2;
import org.apache.flink.connector.kafka.sink.KafkaRecordSerializationSchema;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.header.Headers;

/**
 * Writes notifications to the alerts topic keyed by alert and key, so one key's notifications stay in order, each with
 * the pipeline's deployment in the {@value Deployment#HEADER} header: the notifier delivers only its own deployment's.
 */
public final class AlertSerializer implements KafkaRecordSerializationSchema<Tuple2<String, byte[]>> {
    private static final long serialVersionUID = 1L;

    private final String topic;
    private final byte[] deployment;
    /** The deployment header, shared by all records (read-only: the producer only reads it). */
    private transient Headers headers;

    /** @param deployment the deployment whose id goes into every record's header, or null for none */
    public AlertSerializer(String topic, Deployment deployment) {
        this.topic = topic;
        this.deployment = deployment == null ? null : deployment.headerValue();
    }

    @Override
    public ProducerRecord<byte[], byte[]> serialize(Tuple2<String, byte[]> value, KafkaSinkContext context, Long timestamp) {
        if (headers == null && deployment != null) {
            headers = DeploymentHeaders.of(deployment);
        }
        return new ProducerRecord<>(topic, null, null, value.f0.getBytes(StandardCharsets.UTF_8), value.f1, headers);
    }
}
