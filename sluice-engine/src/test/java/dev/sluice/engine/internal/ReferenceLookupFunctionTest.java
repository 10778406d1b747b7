package dev.sluice.engine.internal;

import static org.assertj.core.api.Assertions.assertThat;

import dev.sluice.spec.ColumnSpec;
import java.math.BigDecimal;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.apache.flink.table.api.DataTypes;
import org.apache.flink.table.connector.source.DynamicTableSource;
import org.apache.flink.table.data.DecimalData;
import org.apache.flink.table.data.GenericRowData;
import org.apache.flink.table.data.RowData;
import org.apache.flink.table.data.StringData;
import org.apache.flink.table.data.conversion.DataStructureConverter;
import org.apache.flink.table.data.conversion.DataStructureConverters;
import org.apache.flink.table.types.DataType;
import org.apache.flink.table.types.logical.LogicalType;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ReferenceLookupFunctionTest {
    @TempDir
    Path dir;

    private final RecordSchema schema = RecordSchema.of(List.of(new ColumnSpec("id", "STRING", null),
            new ColumnSpec("region", "STRING", null), new ColumnSpec("name", "STRING", null),
            new ColumnSpec("rate", "DECIMAL(8, 4)", null)));

    @Test
    void returnsOnlyTheProjectedColumnsInTheirOrder() throws Exception {
        // The planner asked for (rate, id); the key is id, which is column 1 of the produced row.
        ReferenceLookupFunction f = open(new int[] {3, 0}, new int[] {0},
                DataTypes.ROW(DataTypes.FIELD("rate", DataTypes.DECIMAL(8, 4)), DataTypes.FIELD("id", DataTypes.STRING())));

        List<RowData> rows = List.copyOf(f.lookup(GenericRowData.of(StringData.fromString("b"))));

        assertThat(rows).hasSize(1);
        assertThat(rows.get(0).getArity()).isEqualTo(2);
        assertThat(rows.get(0).getDecimal(0, 8, 4).toBigDecimal()).isEqualTo(new BigDecimal("2.5000"));
        assertThat(rows.get(0).getString(1).toString()).isEqualTo("b");
    }

    @Test
    void findsEveryRowOfACompositeKeyAndNothingForNullsOrUnknownKeys() throws Exception {
        ReferenceLookupFunction f = open(new int[] {2}, new int[] {1, 3},
                DataTypes.ROW(DataTypes.FIELD("name", DataTypes.STRING())));

        assertThat(f.lookup(GenericRowData.of(StringData.fromString("eu"), decimal("1.0000"))))
                .extracting(r -> r.getString(0).toString()).containsExactlyInAnyOrder("A", "C");
        assertThat(f.lookup(GenericRowData.of(StringData.fromString("us"), decimal("2.5000"))))
                .extracting(r -> r.getString(0).toString()).containsExactly("B");
        assertThat(f.lookup(GenericRowData.of(StringData.fromString("eu"), decimal("9.0000")))).isEmpty();
        assertThat(f.lookup(GenericRowData.of(null, decimal("1.0000")))).isEmpty();
        // The row whose key has an empty (null) cell is never matched.
        assertThat(f.lookup(GenericRowData.of(StringData.fromString("eu"), null))).isEmpty();
    }

    private ReferenceLookupFunction open(int[] projection, int[] keyColumns, DataType produced) throws Exception {
        Path file = Files.writeString(dir.resolve("r.csv"), "id,region,name,rate\na,eu,A,1\nb,us,B,2.5\nc,eu,C,1.0\nd,eu,D,\n");
        LogicalType[] keyTypes = new LogicalType[keyColumns.length];
        for (int i = 0; i < keyColumns.length; i++) {
            keyTypes[i] = schema.type(keyColumns[i]);
        }
        ReferenceLookupFunction f = new ReferenceLookupFunction(ReferenceData.load(file, schema), projection,
                new Converter(produced.bridgedTo(org.apache.flink.types.Row.class)), keyColumns, keyTypes);
        f.open(null);
        return f;
    }

    private static DecimalData decimal(String value) {
        return DecimalData.fromBigDecimal(new BigDecimal(value), 8, 4);
    }

    /** Flink's converter for a row type, as the planner's lookup context hands it to the table. */
    private static final class Converter implements DynamicTableSource.DataStructureConverter {
        private final DataType type;
        private transient DataStructureConverter<Object, Object> converter;

        Converter(DataType type) {
            this.type = type;
        }

        @Override
        public void open(Context context) {
            converter = DataStructureConverters.getConverter(type);
            converter.open(getClass().getClassLoader());
        }

        @Override
        public Object toInternal(Object external) {
            return converter.toInternalOrNull(external);
        }
    }
}
