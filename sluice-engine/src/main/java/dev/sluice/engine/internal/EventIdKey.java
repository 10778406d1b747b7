package dev.sluice.engine.internal;

import org.apache.flink.api.java.functions.KeySelector;
import org.apache.flink.types.Row;

/** The event id of a source row as text, the key of {@link EventIdDeduplicator}; the parser has made it non-null. */
public final class EventIdKey implements KeySelector<Row, String> {
    private static final long serialVersionUID = 1L;

    private final int index;

    public EventIdKey(int index) {
        this.index = index;
    }

    @Override
    public String getKey(Row row) {
        return String.valueOf(row.getField(index));
    }
}
