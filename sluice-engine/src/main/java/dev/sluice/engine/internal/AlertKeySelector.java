package dev.sluice.engine.internal;

import org.apache.flink.api.java.functions.KeySelector;
import org.apache.flink.types.Row;

/** The text of an alert row's key columns, the key its state machine runs under ("" when the alert has no key). */
public final class AlertKeySelector implements KeySelector<Row, String> {
    private static final long serialVersionUID = 1L;

    private final int[] keyIndexes;

    public AlertKeySelector(int[] keyIndexes) {
        this.keyIndexes = keyIndexes.clone();
    }

    @Override
    public String getKey(Row row) {
        StringBuilder key = new StringBuilder();
        for (int i = 0; i < keyIndexes.length; i++) {
            if (i > 0) {
                key.append('\u0000');
            }
            key.append(AlertFunction.text(row.getField(keyIndexes[i])));
        }
        return key.toString();
    }
}
