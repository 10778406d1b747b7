package dev.sluice.engine.internal;

import org.apache.flink.api.java.functions.KeySelector;
import org.apache.flink.table.data.RowData;
import org.apache.flink.table.types.logical.LogicalType;

/**
 * The event id of a source row as text, the key of {@link EventIdDeduplicator}; the parser has made it non-null. The
 * text is that of the column's Java value ({@link InternalValues#toExternal}), so keys in state stay the same whatever
 * form the rows take on their way.
 */
public final class EventIdKey implements KeySelector<RowData, String> {
    private static final long serialVersionUID = 1L;

    private final int index;
    private final LogicalType type;
    private transient RowData.FieldGetter getter;

    public EventIdKey(int index, LogicalType type) {
        this.index = index;
        this.type = type;
    }

    @Override
    public String getKey(RowData row) {
        if (getter == null) {
            getter = RowData.createFieldGetter(type, index);
        }
        return String.valueOf(InternalValues.toExternal(getter.getFieldOrNull(row), type));
    }
}
