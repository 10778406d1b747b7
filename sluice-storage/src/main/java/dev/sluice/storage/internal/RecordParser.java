package dev.sluice.storage.internal;

import com.fasterxml.jackson.core.JacksonException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import dev.sluice.spec.ColumnSpec;
import dev.sluice.spec.SinkSpec;
import java.io.IOException;
import java.util.List;

/**
 * Turns one result-topic record (JSON key and value bytes, see the wire format on {@code TableDefinition}) into
 * canonical column text for one table, or into the reason it cannot be loaded. Holds no per-record state.
 */
public final class RecordParser {
    private static final ObjectMapper JSON = JsonMapper.builder()
            // DECIMAL values must stay exact: never let a JSON number pass through double.
            .enable(DeserializationFeature.USE_BIG_DECIMAL_FOR_FLOATS)
            .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
            .build();

    private final String table;
    private final SinkSpec.Mode mode;
    private final String[] columnNames;
    private final ColumnType[] columnTypes;
    private final boolean[] isKey;
    private final String[] keyNames;
    private final ColumnType[] keyTypes;

    public RecordParser(String table, List<ColumnSpec> columns, List<String> primaryKey, SinkSpec.Mode mode) {
        this.table = table;
        this.mode = mode;
        int n = columns.size();
        this.columnNames = new String[n];
        this.columnTypes = new ColumnType[n];
        this.isKey = new boolean[n];
        for (int i = 0; i < n; i++) {
            ColumnSpec c = columns.get(i);
            columnNames[i] = c.name();
            columnTypes[i] = ColumnType.parse(c.type()).orElseThrow(() -> new IllegalArgumentException("unsupported type " + c.type()));
            isKey[i] = mode == SinkSpec.Mode.UPSERT && primaryKey.contains(c.name());
        }
        List<String> keys = mode == SinkSpec.Mode.UPSERT ? primaryKey : List.of();
        this.keyNames = keys.toArray(new String[0]);
        this.keyTypes = new ColumnType[keyNames.length];
        for (int k = 0; k < keyNames.length; k++) {
            for (int i = 0; i < n; i++) {
                if (columnNames[i].equals(keyNames[k])) {
                    keyTypes[k] = columnTypes[i];
                }
            }
        }
    }

    /** The outcome for one record: a row, a tombstone (key values only), or a rejection reason. */
    public record Parsed(String[] values, boolean tombstone, String rejection) {
        static Parsed row(String[] values) {
            return new Parsed(values, false, null);
        }

        static Parsed tombstoneOf(String[] keyValues) {
            return new Parsed(keyValues, true, null);
        }

        static Parsed rejected(String reason) {
            return new Parsed(null, false, reason);
        }

        public boolean isRejected() {
            return rejection != null;
        }
    }

    public Parsed parse(byte[] key, byte[] value) {
        if (value == null) {
            return tombstone(key);
        }
        JsonNode object;
        try {
            object = JSON.readTree(value);
        } catch (JacksonException e) {
            return Parsed.rejected("value is not valid JSON: " + e.getOriginalMessage());
        } catch (IOException e) {
            return Parsed.rejected("value cannot be read: " + e.getMessage());
        }
        if (object == null || !object.isObject()) {
            return Parsed.rejected("value must be a JSON object of column name to value, got "
                    + (object == null || object.isMissingNode() ? "nothing" : ColumnType.shown(object)));
        }
        String[] values = new String[columnNames.length];
        for (int i = 0; i < columnNames.length; i++) {
            JsonNode node = object.get(columnNames[i]);
            try {
                values[i] = columnTypes[i].toText(node);
            } catch (ColumnType.InvalidValueException e) {
                return Parsed.rejected("column '" + columnNames[i] + "' (" + columnTypes[i] + "): " + e.getMessage());
            }
            if (values[i] == null && isKey[i]) {
                return Parsed.rejected("primary-key column '" + columnNames[i] + "' is " + (node == null ? "missing" : "null")
                        + " in the value; every row of upsert table '" + table + "' needs a key");
            }
        }
        return Parsed.row(values);
    }

    private Parsed tombstone(byte[] key) {
        if (mode != SinkSpec.Mode.UPSERT) {
            return Parsed.rejected("null value (tombstone) on append table '" + table + "'; only upsert tables delete rows");
        }
        if (key == null) {
            return Parsed.rejected("tombstone without a key; upsert table '" + table + "' needs the primary key " + List.of(keyNames)
                    + " as a JSON object in the Kafka key");
        }
        JsonNode object;
        try {
            object = JSON.readTree(key);
        } catch (JacksonException e) {
            return Parsed.rejected("key is not valid JSON: " + e.getOriginalMessage());
        } catch (IOException e) {
            return Parsed.rejected("key cannot be read: " + e.getMessage());
        }
        if (object == null || !object.isObject()) {
            return Parsed.rejected("key must be a JSON object of the primary-key columns " + List.of(keyNames) + ", got "
                    + (object == null || object.isMissingNode() ? "nothing" : ColumnType.shown(object)));
        }
        String[] keyValues = new String[keyNames.length];
        for (int k = 0; k < keyNames.length; k++) {
            JsonNode node = object.get(keyNames[k]);
            try {
                keyValues[k] = keyTypes[k].toText(node);
            } catch (ColumnType.InvalidValueException e) {
                return Parsed.rejected("key column '" + keyNames[k] + "' (" + keyTypes[k] + "): " + e.getMessage());
            }
            if (keyValues[k] == null) {
                return Parsed.rejected("primary-key column '" + keyNames[k] + "' is " + (node == null ? "missing" : "null")
                        + " in the key of a tombstone");
            }
        }
        return Parsed.tombstoneOf(keyValues);
    }
}
