package dev.sluice.storage;

import dev.sluice.spec.ColumnSpec;
import dev.sluice.spec.SinkSpec;
import java.util.List;

/**
 * A storage table fed by a result topic.
 *
 * <p>Result topic wire format: for {@link SinkSpec.Mode#UPSERT} tables the Kafka key is a JSON object of the
 * primary-key columns and a null value (tombstone) deletes the row; for {@link SinkSpec.Mode#APPEND} tables the
 * key is null. The value is a JSON object column-name to value. DECIMAL is an exact JSON number, TIMESTAMP is
 * ISO local text meaning UTC ("2026-11-24T15:00:00.123"), TIMESTAMP_LTZ ends in "Z", DATE and TIME are ISO text.
 */
public record TableDefinition(String name, String topic, List<ColumnSpec> columns, List<String> primaryKey, SinkSpec.Mode mode) {
    public TableDefinition {
        columns = List.copyOf(columns);
        primaryKey = List.copyOf(primaryKey);
    }
}
