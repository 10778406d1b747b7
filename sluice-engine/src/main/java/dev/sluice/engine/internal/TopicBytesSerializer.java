package dev.sluice.engine.internal;

import org.apache.flink.connector.kafka.sink.KafkaRecordSerializationSchema;
import org.apache.kafka.clients.producer.ProducerRecord;

/** Writes ready-made JSON values (dead letters, late events) to one topic, without a key. */
public final class TopicBytesSerializer implements KafkaRecordSerializationSchema<byte[]> {
    private static final long serialVersionUID = 1L;

    private final String topic;

    public TopicBytesSerializer(String topic) {
        this.topic = topic;
    }

    @Override
    public ProducerRecord<byte[], byte[]> serialize(byte[] value, KafkaSinkContext context, Long timestamp) {
        return new ProducerRecord<>(topic, value);
    }
}
