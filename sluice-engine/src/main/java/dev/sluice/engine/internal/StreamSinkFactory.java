package dev.sluice.engine.internal;

import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.api.common.functions.RichMapFunction;
import org.apache.flink.configuration.ConfigOption;
import org.apache.flink.configuration.ConfigOptions;
import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.streaming.api.datastream.DataStreamSink;
import org.apache.flink.table.api.Schema;
import org.apache.flink.table.api.TableDescriptor;
import org.apache.flink.table.catalog.Column;
import org.apache.flink.table.catalog.ResolvedSchema;
import org.apache.flink.table.connector.ChangelogMode;
import org.apache.flink.table.connector.RuntimeConverter;
import org.apache.flink.table.connector.sink.DataStreamSinkProvider;
import org.apache.flink.table.connector.sink.DynamicTableSink;
import org.apache.flink.table.connector.sink.DynamicTableSink.DataStructureConverter;
import org.apache.flink.table.data.RowData;
import org.apache.flink.table.factories.DynamicTableSinkFactory;
import org.apache.flink.table.factories.FactoryUtil;
import org.apache.flink.table.runtime.typeutils.ExternalTypeInfo;
import org.apache.flink.table.types.DataType;
import org.apache.flink.table.types.utils.DataTypeUtils;
import org.apache.flink.types.Row;

/**
 * The {@code sluice-stream} table connector: a table sink that hands the rows of a view to DataStream code (a result
 * topic's serializer and Kafka sink, an alert's state machine). Unlike {@code toDataStream}, which plans each view on
 * its own, every such sink of a pipeline joins one statement set, so the planner optimises all of them together and a
 * view read by several sinks and alerts (a lookup join, a HOP window) runs once.
 *
 * <p>The DataStream code is not serialisable configuration, so it is registered here under a generated id that the
 * table's options name, and released once the statement set is attached.
 */
public final class StreamSinkFactory implements DynamicTableSinkFactory {
    public static final String IDENTIFIER = "sluice-stream";
    static final ConfigOption<String> WIRING = ConfigOptions.key("wiring").stringType().noDefaultValue()
            .withDescription("Id of the DataStream code registered for this sink (internal).");
    static final ConfigOption<Boolean> INSERT_ONLY = ConfigOptions.key("insert-only").booleanType().defaultValue(false)
            .withDescription("Whether the sink accepts inserts only (appended rows, alert events) or a full changelog.");
    static final ConfigOption<String> NAME = ConfigOptions.key("name").stringType().noDefaultValue()
            .withDescription("Names the conversion operator in front of the sink's DataStream code (internal).");

    private static final Map<String, Wiring> REGISTERED = new ConcurrentHashMap<>();

    /** The DataStream code that takes a view's rows (with their row kinds) and ends in a sink. */
    @FunctionalInterface
    public interface Wiring {
        DataStreamSink<?> attach(DataStream<Row> rows);
    }

    /**
     * A sink table for {@code schema}'s columns (time attributes become plain timestamps) whose rows go to
     * {@code wiring}. {@code name} names the conversion operator and its uid; call {@link #release} with the returned
     * descriptor's id once the statement set holding it is attached (or has failed).
     */
    public static Registered register(String name, ResolvedSchema schema, boolean insertOnly, Wiring wiring) {
        String id = UUID.randomUUID().toString();
        REGISTERED.put(id, wiring);
        Schema.Builder columns = Schema.newBuilder();
        for (Column c : schema.getColumns()) {
            columns.column(c.getName(), DataTypeUtils.removeTimeAttribute(c.getDataType()));
        }
        TableDescriptor descriptor = TableDescriptor.forConnector(IDENTIFIER)
                .schema(columns.build())
                .option(WIRING, id)
                .option(INSERT_ONLY, insertOnly)
                .option(NAME, name)
                .build();
        return new Registered(id, descriptor);
    }

    /** Forgets the DataStream code of sinks whose statement set is attached. */
    public static void release(List<Registered> sinks) {
        sinks.forEach(s -> REGISTERED.remove(s.id()));
    }

    /** A registered sink: the id its code is kept under and the table descriptor to insert into. */
    public record Registered(String id, TableDescriptor descriptor) {}

    @Override
    public String factoryIdentifier() {
        return IDENTIFIER;
    }

    @Override
    public Set<ConfigOption<?>> requiredOptions() {
        return Set.of(WIRING, NAME);
    }

    @Override
    public Set<ConfigOption<?>> optionalOptions() {
        return Set.of(INSERT_ONLY);
    }

    @Override
    public DynamicTableSink createDynamicTableSink(Context context) {
        FactoryUtil.TableFactoryHelper helper = FactoryUtil.createTableFactoryHelper(this, context);
        helper.validate();
        String id = helper.getOptions().get(WIRING);
        Wiring wiring = REGISTERED.get(id);
        if (wiring == null) {
            throw new IllegalStateException("No DataStream code is registered for sink " + context.getObjectIdentifier()
                    + " (wiring " + id + "); it is only valid while its pipeline is being compiled");
        }
        return new Sink(wiring, helper.getOptions().get(INSERT_ONLY), helper.getOptions().get(NAME), context.getPhysicalRowDataType());
    }

    private static final class Sink implements DynamicTableSink {
        private final Wiring wiring;
        private final boolean insertOnly;
        private final String name;
        private final DataType rowType;

        Sink(Wiring wiring, boolean insertOnly, String name, DataType rowType) {
            this.wiring = wiring;
            this.insertOnly = insertOnly;
            this.name = name;
            this.rowType = rowType;
        }

        @Override
        public ChangelogMode getChangelogMode(ChangelogMode requestedMode) {
            return insertOnly ? ChangelogMode.insertOnly() : ChangelogMode.all();
        }

        @Override
        public SinkRuntimeProvider getSinkRuntimeProvider(Context context) {
            ToRows toRows = new ToRows(context.createDataStructureConverter(rowType));
            return (DataStreamSinkProvider) (providerContext, rows) -> wiring.attach(rows
                    .map(toRows, ExternalTypeInfo.of(rowType))
                    .name("rows: " + name)
                    .uid("rows-" + name));
        }

        @Override
        public DynamicTableSink copy() {
            return new Sink(wiring, insertOnly, name, rowType);
        }

        @Override
        public String asSummaryString() {
            return IDENTIFIER + ": " + name;
        }
    }

    /** Flink's internal rows to {@link Row}s with Java values, as {@code toDataStream} gives them. */
    private static final class ToRows extends RichMapFunction<RowData, Row> {
        private static final long serialVersionUID = 1L;

        private final DataStructureConverter converter;

        ToRows(DataStructureConverter converter) {
            this.converter = converter;
        }

        @Override
        public void open(OpenContext openContext) {
            converter.open(RuntimeConverter.Context.create(getRuntimeContext().getUserCodeClassLoader()));
        }

        @Override
        public Row map(RowData row) {
            return (Row) converter.toExternal(row);
        }
    }
}
