package dev.sluice.engine.internal;

import java.nio.file.Path;
import java.util.List;
import java.util.Set;
import org.apache.flink.configuration.ConfigOption;
import org.apache.flink.configuration.ConfigOptions;
import org.apache.flink.table.catalog.Column;
import org.apache.flink.table.catalog.ResolvedSchema;
import org.apache.flink.table.connector.source.DynamicTableSource;
import org.apache.flink.table.connector.source.LookupTableSource;
import org.apache.flink.table.connector.source.lookup.LookupFunctionProvider;
import org.apache.flink.table.factories.DynamicTableSourceFactory;
import org.apache.flink.table.factories.FactoryUtil;
import org.apache.flink.table.types.DataType;
import org.apache.flink.table.types.logical.LogicalType;

/**
 * The {@code sluice-reference} table connector: a lookup table over a CSV file, for enrichment joins
 * ({@code JOIN merchants FOR SYSTEM_TIME AS OF p.proc_time AS m ON ...}). Lookups are served from memory; no
 * state and no shuffle.
 */
public final class ReferenceTableFactory implements DynamicTableSourceFactory {
    public static final String IDENTIFIER = "sluice-reference";
    public static final ConfigOption<String> PATH = ConfigOptions.key("path").stringType().noDefaultValue()
            .withDescription("Path of the CSV file (with a header row) holding the reference rows.");

    @Override
    public String factoryIdentifier() {
        return IDENTIFIER;
    }

    @Override
    public Set<ConfigOption<?>> requiredOptions() {
        return Set.of(PATH);
    }

    @Override
    public Set<ConfigOption<?>> optionalOptions() {
        return Set.of();
    }

    @Override
    public DynamicTableSource createDynamicTableSource(Context context) {
        FactoryUtil.TableFactoryHelper helper = FactoryUtil.createTableFactoryHelper(this, context);
        helper.validate();
        ResolvedSchema schema = context.getCatalogTable().getResolvedSchema();
        List<Column> columns = schema.getColumns().stream().filter(Column::isPhysical).toList();
        RecordSchema recordSchema = RecordSchema.of(columns.stream()
                .map(c -> new dev.sluice.spec.ColumnSpec(c.getName(), c.getDataType().getLogicalType().asSerializableString(), null))
                .toList());
        ReferenceData data = ReferenceData.load(Path.of(helper.getOptions().get(PATH)), recordSchema);
        return new Source(data, context.getPhysicalRowDataType(), recordSchema);
    }

    private static final class Source implements LookupTableSource {
        private final ReferenceData data;
        private final DataType rowType;
        private final RecordSchema schema;

        Source(ReferenceData data, DataType rowType, RecordSchema schema) {
            this.data = data;
            this.rowType = rowType;
            this.schema = schema;
        }

        @Override
        public LookupRuntimeProvider getLookupRuntimeProvider(LookupContext context) {
            int[][] keys = context.getKeys();
            int[] keyFields = new int[keys.length];
            LogicalType[] keyTypes = new LogicalType[keys.length];
            for (int i = 0; i < keys.length; i++) {
                keyFields[i] = keys[i][0];
                keyTypes[i] = schema.type(keyFields[i]);
            }
            return LookupFunctionProvider.of(new ReferenceLookupFunction(
                    data, context.createDataStructureConverter(rowType), keyTypes, keyFields));
        }

        @Override
        public DynamicTableSource copy() {
            return new Source(data, rowType, schema);
        }

        @Override
        public String asSummaryString() {
            return IDENTIFIER;
        }
    }
}
