package dev.sluice.engine.internal;

import dev.sluice.spec.ColumnSpec;
import java.io.Serializable;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.flink.table.api.DataTypes;
import org.apache.flink.table.types.DataType;
import org.apache.flink.table.types.logical.LogicalType;
import org.apache.flink.table.types.logical.utils.LogicalTypeParser;
import org.apache.flink.table.types.utils.TypeConversions;

/** Column names and Flink types of a source or reference, in declaration order. Serializable into the job. */
public final class RecordSchema implements Serializable {
    private static final long serialVersionUID = 1L;

    private final String[] names;
    private final LogicalType[] types;
    private final Map<String, Integer> index;
    /** Positions of the columns a record must have, not null, in schema order. */
    private final int[] required;

    private RecordSchema(String[] names, LogicalType[] types, int[] required) {
        this.names = names;
        this.types = types;
        this.required = required;
        this.index = new HashMap<>();
        for (int i = 0; i < names.length; i++) {
            index.put(names[i], i);
        }
    }

    /** The schema of {@code columns}, none of them required. */
    public static RecordSchema of(List<ColumnSpec> columns) {
        return of(columns, List.of());
    }

    /** The schema of {@code columns}, of which those named in {@code requiredColumns} must be present and not null. */
    public static RecordSchema of(List<ColumnSpec> columns, List<String> requiredColumns) {
        String[] names = new String[columns.size()];
        LogicalType[] types = new LogicalType[columns.size()];
        int[] required = new int[requiredColumns.size()];
        int k = 0;
        for (int i = 0; i < names.length; i++) {
            names[i] = columns.get(i).name();
            types[i] = logicalType(columns.get(i).type());
            if (requiredColumns.contains(names[i])) {
                required[k++] = i;
            }
        }
        if (k != required.length) {
            throw new IllegalArgumentException("required columns " + requiredColumns + " are not all in the schema " + List.of(names));
        }
        return new RecordSchema(names, types, required);
    }

    /** Positions of the required columns, in schema order; the caller must not change the array. */
    int[] required() {
        return required;
    }

    public static LogicalType logicalType(String canonicalType) {
        return LogicalTypeParser.parse(canonicalType, RecordSchema.class.getClassLoader());
    }

    public int size() {
        return names.length;
    }

    public String name(int i) {
        return names[i];
    }

    public LogicalType type(int i) {
        return types[i];
    }

    /** Position of a column, or -1. */
    public int indexOf(String name) {
        Integer i = index.get(name);
        return i == null ? -1 : i;
    }

    public DataType dataType(int i) {
        return TypeConversions.fromLogicalToDataType(types[i]);
    }

    public DataTypes.Field[] fields() {
        DataTypes.Field[] fields = new DataTypes.Field[names.length];
        for (int i = 0; i < names.length; i++) {
            fields[i] = DataTypes.FIELD(names[i], dataType(i));
        }
        return fields;
    }
}
