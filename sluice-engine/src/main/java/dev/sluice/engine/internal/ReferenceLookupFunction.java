package dev.sluice.engine.internal;

import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.flink.table.connector.source.DynamicTableSource.DataStructureConverter;
import org.apache.flink.table.data.RowData;
import org.apache.flink.table.functions.FunctionContext;
import org.apache.flink.table.functions.LookupFunction;
import org.apache.flink.table.types.logical.LogicalType;
import org.apache.flink.types.Row;

/** Answers lookup joins from reference rows held in memory, indexed by the join's key columns. */
public final class ReferenceLookupFunction extends LookupFunction {
    private static final long serialVersionUID = 1L;

    private final ReferenceData data;
    private final DataStructureConverter converter;
    private final LogicalType[] keyTypes;
    private final int[] keyFields;
    private transient Map<List<Object>, List<RowData>> index;
    private transient RowData.FieldGetter[] lookupGetters;

    public ReferenceLookupFunction(ReferenceData data, DataStructureConverter converter, LogicalType[] keyTypes, int[] keyFields) {
        this.data = data;
        this.converter = converter;
        this.keyTypes = keyTypes;
        this.keyFields = keyFields;
    }

    @Override
    public void open(FunctionContext context) throws Exception {
        converter.open(org.apache.flink.table.connector.RuntimeConverter.Context.create(getClass().getClassLoader()));
        RowData.FieldGetter[] rowGetters = new RowData.FieldGetter[keyFields.length];
        lookupGetters = new RowData.FieldGetter[keyFields.length];
        for (int i = 0; i < keyFields.length; i++) {
            rowGetters[i] = RowData.createFieldGetter(keyTypes[i], keyFields[i]);
            lookupGetters[i] = RowData.createFieldGetter(keyTypes[i], i);
        }
        index = new HashMap<>();
        for (Object[] values : data.rows()) {
            RowData row = (RowData) converter.toInternal(Row.of(values));
            List<Object> key = key(row, rowGetters);
            if (key != null) {
                index.computeIfAbsent(key, k -> new ArrayList<>(1)).add(row);
            }
        }
    }

    @Override
    public Collection<RowData> lookup(RowData keyRow) {
        List<Object> key = key(keyRow, lookupGetters);
        if (key == null) {
            return List.of();
        }
        List<RowData> rows = index.get(key);
        return rows == null ? List.of() : rows;
    }

    private static List<Object> key(RowData row, RowData.FieldGetter[] getters) {
        List<Object> key = new ArrayList<>(getters.length);
        for (RowData.FieldGetter g : getters) {
            Object v = g.getFieldOrNull(row);
            if (v == null) {
                return null;
            }
            key.add(v);
        }
        return key;
    }
}
