package dev.sluice.engine.internal;

import static org.assertj.core.api.Assertions.assertThat;

import dev.sluice.storage.Deployment;
import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.LocalDateTime;
import org.apache.flink.types.Row;
import org.apache.flink.types.RowKind;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.junit.jupiter.api.Test;

class ResultSerializerTest {
    private final ResultSerializer upsert = new ResultSerializer("t", new String[] {"k", "at", "total", "seen"}, new int[] {0, 1});
    private final ResultSerializer append = new ResultSerializer("t", new String[] {"k", "at", "total", "seen"}, new int[0]);

    private static Row row(RowKind kind) {
        return Row.ofKind(kind, "m-1", LocalDateTime.parse("2026-11-24T15:00:00"), new BigDecimal("1E+3"),
                Instant.parse("2026-11-24T15:00:00.120Z"));
    }

    private static String text(byte[] bytes) {
        return bytes == null ? null : new String(bytes, StandardCharsets.UTF_8);
    }

    @Test
    void upsertRowsAreKeyedByThePrimaryKey() {
        ProducerRecord<byte[], byte[]> r = upsert.serialize(row(RowKind.UPDATE_AFTER), null, 1_000L);
        assertThat(text(r.key())).isEqualTo("{\"k\":\"m-1\",\"at\":\"2026-11-24T15:00:00\"}");
        assertThat(text(r.value())).isEqualTo("{\"k\":\"m-1\",\"at\":\"2026-11-24T15:00:00\",\"total\":1000,\"seen\":\"2026-11-24T15:00:00.120Z\"}");
        assertThat(r.timestamp()).isEqualTo(1_000L);
        assertThat(r.topic()).isEqualTo("t");
    }

    @Test
    void everyRecordCarriesItsDeploymentAsAHeader() {
        Deployment deployment = new Deployment("d-42", false);
        ResultSerializer marked = new ResultSerializer("t", new String[] {"k", "at", "total", "seen"}, new int[] {0, 1}, deployment);
        for (RowKind kind : new RowKind[] {RowKind.INSERT, RowKind.DELETE}) {
            ProducerRecord<byte[], byte[]> r = marked.serialize(row(kind), null, 1_000L);
            assertThat(r.headers().toArray()).hasSize(1);
            assertThat(text(r.headers().lastHeader(Deployment.HEADER).value())).isEqualTo("d-42");
        }
        ProducerRecord<byte[], byte[]> late = new TopicBytesSerializer("late", deployment).serialize(new byte[] {'{', '}'}, null, null);
        assertThat(text(late.headers().lastHeader(Deployment.HEADER).value())).isEqualTo("d-42");
        assertThat(late.key()).isNull();
    }

    @Test
    void deletesBecomeTombstonesAndUpdateBeforeIsDropped() {
        ProducerRecord<byte[], byte[]> delete = upsert.serialize(row(RowKind.DELETE), null, null);
        assertThat(text(delete.key())).isEqualTo("{\"k\":\"m-1\",\"at\":\"2026-11-24T15:00:00\"}");
        assertThat(delete.value()).isNull();
        assertThat(delete.timestamp()).isNull();
        assertThat(upsert.serialize(row(RowKind.UPDATE_BEFORE), null, null)).isNull();
    }

    @Test
    void appendRowsHaveNoKey() {
        ProducerRecord<byte[], byte[]> r = append.serialize(row(RowKind.INSERT), null, null);
        assertThat(r.key()).isNull();
        assertThat(text(r.value())).startsWith("{\"k\":\"m-1\"");
    }
}
