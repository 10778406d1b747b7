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
import org.apache.flink.table.connector.source.abilities.SupportsProjectionPushDown;
import org.apache.flink.table.connector.source.lookup.LookupFunctionProvider;
import org.apache.flink.table.factories.DynamicTableSourceFactory;
import org.apache.flink.table.factories.FactoryUtil;
import org.apache.flink.table.types.DataType;
import org.apache.flink.table.types.logical.LogicalType;

/**
 * The {@code sluice-reference} table connector: a lookup table over a CSV file, for enrichment joins
 * ({@code JOIN merchants FOR SYSTEM_TIME AS OF p.proc_time AS m ON ...}). Lookups are served from memory; no
 * state and no shuffle.
 *
 * <p>The table takes the planner's projection: a matched row carries only the columns the query reads (and the join
 * keys). Without it the planner puts a projection of its own behind every lookup, which copies each matched row's
 * fields (strings included) into a new row for every record looked up.
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
        int[] all = new int[recordSchema.size()];
        for (int i = 0; i < all.length; i++) {
            all[i] = i;
        }
        return new Source(data, recordSchema, all, context.getPhysicalRowDataType());
    }

    private static final class Source implements LookupTableSource, SupportsProjectionPushDown {
        private final ReferenceData data;
        private final RecordSchema schema;
        /** The file's columns the table produces, in the order produced (all of them until the planner projects). */
        private int[] projection;
        private DataType producedType;

        Source(ReferenceData data, RecordSchema schema, int[] projection, DataType producedType) {
            this.data = data;
            this.schema = schema;
            this.projection = projection;
            this.producedType = producedType;
        }

        @Override
        public boolean supportsNestedProjection() {
            return false;
        }

        @Override
        public void applyProjection(int[][] projectedFields, DataType producedDataType) {
            int[] columns = new int[projectedFields.length];
            for (int i = 0; i < columns.length; i++) {
                columns[i] = projection[projectedFields[i][0]];
            }
            projection = columns;
            producedType = producedDataType;
        }

        @Override
        public LookupRuntimeProvider getLookupRuntimeProvider(LookupContext context) {
            // Key positions are those of the produced (projected) row.
            int[][] keys = context.getKeys();
            int[] keyColumns = new int[keys.length];
            LogicalType[] keyTypes = new LogicalType[keys.length];
            for (int i = 0; i < keys.length; i++) {
                keyColumns[i] = projection[keys[i][0]];
                keyTypes[i] = schema.type(keyColumns[i]);
            }
            return LookupFunctionProvider.of(new ReferenceLookupFunction(
                    data, projection, context.createDataStructureConverter(producedType), keyColumns, keyTypes));
        }

        @Override
        public DynamicTableSource copy() {
            return new Source(data, schema, projection, producedType);
        }

        @Override
        public String asSummaryString() {
            return IDENTIFIER;
        }
    }
}
