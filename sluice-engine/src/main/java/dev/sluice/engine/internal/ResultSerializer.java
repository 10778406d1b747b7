package dev.sluice.engine.internal;

import com.fasterxml.jackson.core.JsonGenerator;
import java.io.IOException;
import java.io.UncheckedIOException;
import dev.sluice.storage.Deployment;
import org.apache.flink.connector.kafka.sink.KafkaRecordSerializationSchema;
import org.apache.flink.types.Row;
import org.apache.flink.types.RowKind;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.header.Headers;

/**
 * Writes a view's changelog to its result topic in Sluice's wire format. Upsert tables: key = JSON of the
 * primary-key columns, value = JSON of all columns, a delete becomes a tombstone (null value), and
 * UPDATE_BEFORE is dropped because the following UPDATE_AFTER overwrites the row. Append tables: no key, every
 * row an insert. The record timestamp is the row's event time when the view has one. Every record carries the
 * pipeline's deployment in the {@value Deployment#HEADER} header, so that a loader stores only its own deployment's rows.
 */
public final class ResultSerializer implements KafkaRecordSerializationSchema<Row> {
    private static final long serialVersionUID = 1L;

    private final String topic;
    private final String[] names;
    private final int[] keyIndexes;
    private final byte[] deployment;
    /** The deployment header, shared by all records (read-only: the producer only reads it). */
    private transient Headers headers;

    /** Without a deployment header, for results no loader filters by deployment. */
    public ResultSerializer(String topic, String[] names, int[] keyIndexes) {
        this(topic, names, keyIndexes, null);
    }

    /**
     * @param keyIndexes positions of the primary-key columns; empty for an append table
     * @param deployment the deployment whose id goes into every record's header, or null for none
     */
    public ResultSerializer(String topic, String[] names, int[] keyIndexes, Deployment deployment) {
        this.topic = topic;
        this.names = names;
        this.keyIndexes = keyIndexes;
        this.deployment = deployment == null ? null : deployment.headerValue();
    }

    @Override
    public ProducerRecord<byte[], byte[]> serialize(Row row, KafkaSinkContext context, Long timestamp) {
        RowKind kind = row.getKind();
        if (kind == RowKind.UPDATE_BEFORE) {
            return null;
        }
        byte[] key = keyIndexes.length == 0 ? null : object(row, keyIndexes);
        byte[] value = kind == RowKind.DELETE ? null : object(row, null);
        Long ts = timestamp == null || timestamp < 0 ? null : timestamp;
        if (headers == null && deployment != null) {
            headers = DeploymentHeaders.of(deployment);
        }
        return new ProducerRecord<>(topic, null, ts, key, value, headers);
    }

    private byte[] object(Row row, int[] only) {
        JsonValues.Buffer buffer = JsonValues.buffer();
        JsonGenerator g = buffer.generator();
        try {
            g.writeStartObject();
            int count = only == null ? names.length : only.length;
            for (int j = 0; j < count; j++) {
                int i = only == null ? j : only[j];
                g.writeFieldName(names[i]);
                JsonValues.write(g, row.getField(i));
            }
            g.writeEndObject();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return buffer.bytes();
    }
}
