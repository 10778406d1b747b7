package dev.sluice.engine.internal;

import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.flink.table.connector.RuntimeConverter;
import org.apache.flink.table.connector.source.DynamicTableSource.DataStructureConverter;
import org.apache.flink.table.data.RowData;
import org.apache.flink.table.functions.FunctionContext;
import org.apache.flink.table.functions.LookupFunction;
import org.apache.flink.table.types.logical.LogicalType;
import org.apache.flink.types.Row;

/**
 * Answers lookup joins from reference rows held in memory, indexed by the join's key columns. The rows hold only the
 * columns the planner asked for ({@code projection}), so the join passes them on without copying unused fields.
 */
public final class ReferenceLookupFunction extends LookupFunction {
    private static final long serialVersionUID = 1L;

    private final ReferenceData data;
    private final int[] projection;
    private final DataStructureConverter converter;
    private final int[] keyColumns;
    private final LogicalType[] keyTypes;
    /** A one-column key is the value itself; a composite key a list of values. */
    private transient Map<Object, List<RowData>> index;
    private transient RowData.FieldGetter[] lookupGetters;

    /**
     * @param projection the columns of the reference rows a returned row holds, in order
     * @param converter  converts a {@link Row} of the projected columns' Java values to the internal row
     * @param keyColumns the key columns, as positions in the reference rows, in the order of the lookup key row
     */
    public ReferenceLookupFunction(ReferenceData data, int[] projection, DataStructureConverter converter, int[] keyColumns,
            LogicalType[] keyTypes) {
        this.data = data;
        this.projection = projection.clone();
        this.converter = converter;
        this.keyColumns = keyColumns.clone();
        this.keyTypes = keyTypes.clone();
    }

    @Override
    public void open(FunctionContext context) throws Exception {
        converter.open(RuntimeConverter.Context.create(getClass().getClassLoader()));
        lookupGetters = new RowData.FieldGetter[keyColumns.length];
        for (int i = 0; i < keyColumns.length; i++) {
            lookupGetters[i] = RowData.createFieldGetter(keyTypes[i], i);
        }
        index = new HashMap<>();
        Object[] keyValues = new Object[keyColumns.length];
        for (Object[] values : data.rows()) {
            boolean nullKey = false;
            for (int i = 0; i < keyColumns.length; i++) {
                keyValues[i] = InternalValues.toInternal(values[keyColumns[i]], keyTypes[i]);
                nullKey |= keyValues[i] == null;
            }
            if (nullKey) {
                continue;
            }
            Object[] produced = new Object[projection.length];
            for (int i = 0; i < projection.length; i++) {
                produced[i] = values[projection[i]];
            }
            RowData row = (RowData) converter.toInternal(Row.of(produced));
            index.computeIfAbsent(keyOf(keyValues), k -> new ArrayList<>(1)).add(row);
        }
    }

    @Override
    public Collection<RowData> lookup(RowData keyRow) {
        Object key;
        if (lookupGetters.length == 1) {
            key = lookupGetters[0].getFieldOrNull(keyRow);
        } else {
            Object[] values = new Object[lookupGetters.length];
            for (int i = 0; i < values.length; i++) {
                values[i] = lookupGetters[i].getFieldOrNull(keyRow);
            }
            key = keyOf(values);
        }
        List<RowData> rows = key == null ? null : index.get(key);
        return rows == null ? List.of() : rows;
    }

    /** The index key of a lookup's values; null when one is null (SQL equality matches no null). */
    private static Object keyOf(Object[] values) {
        for (Object v : values) {
            if (v == null) {
                return null;
            }
        }
        return values.length == 1 ? values[0] : List.of(values.clone());
    }
}
