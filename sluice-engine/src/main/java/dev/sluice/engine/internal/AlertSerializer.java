package dev.sluice.engine.internal;

import java.nio.charset.StandardCharsets;
import org.apache.flink.api.java.tuple.Tuple2;
import org.apache.flink.connector.kafka.sink.KafkaRecordSerializationSchema;
import org.apache.kafka.clients.producer.ProducerRecord;

/** Writes notifications to the alerts topic keyed by alert and key, so one key's notifications stay in order. */
public final class AlertSerializer implements KafkaRecordSerializationSchema<Tuple2<String, byte[]>> {
    private static final long serialVersionUID = 1L;

    private final String topic;

    public AlertSerializer(String topic) {
        this.topic = topic;
    }

    @Override
    public ProducerRecord<byte[], byte[]> serialize(Tuple2<String, byte[]> value, KafkaSinkContext context, Long timestamp) {
        return new ProducerRecord<>(topic, value.f0.getBytes(StandardCharsets.UTF_8), value.f1);
    }
}
