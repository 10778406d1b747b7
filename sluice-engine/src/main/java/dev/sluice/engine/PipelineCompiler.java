package dev.sluice.engine;

import dev.sluice.SluiceException;
import dev.sluice.broker.TopicSpec;
import dev.sluice.alerts.AlertRule;
import dev.sluice.alerts.MessageTemplate;
import dev.sluice.engine.internal.AlertFunction;
import dev.sluice.engine.internal.AlertKeySelector;
import dev.sluice.engine.internal.AlertSerializer;
import dev.sluice.engine.internal.ConsumerLagReporter;
import dev.sluice.engine.internal.EventIdDeduplicator;
import dev.sluice.engine.internal.EventIdKey;
import dev.sluice.engine.internal.JsonRecordParser;
import dev.sluice.engine.internal.JobMetricsReporter;
import dev.sluice.engine.internal.LateDropReporter;
import dev.sluice.engine.internal.LoopbackCluster;
import dev.sluice.engine.internal.PartitionWatermarks;
import dev.sluice.engine.internal.RecordRouter;
import dev.sluice.engine.internal.RecordSchema;
import dev.sluice.engine.internal.ReferenceData;
import dev.sluice.engine.internal.ReferenceTableFactory;
import dev.sluice.engine.internal.RejectedRecord;
import dev.sluice.engine.internal.ResultSerializer;
import dev.sluice.engine.internal.SourceRecords;
import dev.sluice.engine.internal.StreamSinkFactory;
import dev.sluice.engine.internal.TopicBytesSerializer;
import dev.sluice.spec.AlertSpec;
import dev.sluice.spec.ColumnSpec;
import dev.sluice.spec.Location;
import dev.sluice.spec.PipelineSpec;
import dev.sluice.spec.ReferenceSpec;
import dev.sluice.spec.SinkSpec;
import dev.sluice.spec.SourceSpec;
import dev.sluice.spec.SpecException;
import dev.sluice.spec.SpecProblem;
import dev.sluice.spec.ViewSpec;
import dev.sluice.storage.Deployment;
import dev.sluice.storage.TableDefinition;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import java.util.TreeMap;
import java.util.UUID;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.flink.api.common.JobID;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.configuration.CheckpointingOptions;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.CoreOptions;
import org.apache.flink.configuration.ExecutionOptions;
import org.apache.flink.configuration.ExternalizedCheckpointRetention;
import org.apache.flink.configuration.PipelineOptions;
import org.apache.flink.configuration.PipelineOptionsInternal;
import org.apache.flink.configuration.StateRecoveryOptions;
import org.apache.flink.connector.base.DeliveryGuarantee;
import org.apache.flink.connector.kafka.sink.KafkaRecordSerializationSchema;
import org.apache.flink.connector.kafka.sink.KafkaSink;
import org.apache.flink.connector.kafka.source.KafkaSource;
import org.apache.flink.connector.kafka.source.enumerator.initializer.OffsetsInitializer;
import org.apache.flink.core.execution.CheckpointingMode;
import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.streaming.api.datastream.SingleOutputStreamOperator;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.table.api.DataTypes;
import org.apache.flink.table.api.EnvironmentSettings;
import org.apache.flink.table.api.Schema;
import org.apache.flink.table.api.SqlParserException;
import org.apache.flink.table.api.Table;
import org.apache.flink.table.api.TableDescriptor;
import org.apache.flink.table.api.TableException;
import org.apache.flink.table.api.config.TableConfigOptions;
import org.apache.flink.table.api.ValidationException;
import org.apache.flink.table.api.bridge.java.StreamTableEnvironment;
import org.apache.flink.table.catalog.Column;
import org.apache.flink.table.catalog.ResolvedSchema;
import org.apache.flink.table.data.RowData;
import org.apache.flink.table.types.logical.LogicalType;
import org.apache.flink.table.types.logical.LogicalTypeRoot;
import org.apache.flink.table.types.logical.utils.LogicalTypeChecks;
import org.apache.flink.table.api.bridge.java.StreamStatementSet;
import org.apache.kafka.clients.consumer.OffsetResetStrategy;

/**
 * Translates a {@link PipelineSpec} into one Flink job: a Kafka source per source (parsing records, routing bad
 * ones to {@code sluice.<pipeline>.<source>.dlq} and late ones to {@code sluice.<pipeline>.<source>.late}), the views as
 * Flink SQL, one Kafka sink per sink writing the result topic {@code sluice.<pipeline>.<table>} (exactly-once in
 * transactions, or at-least-once with short network buffer and watermark intervals for {@code delivery: low-latency},
 * see {@link PipelineSpec.Delivery}), and per
 * alert a keyed state machine writing notifications at-least-once to {@code sluice.<pipeline>.alerts}. Its
 * storage tables live in the schema named after the pipeline. Compiling does
 * not contact Kafka, so it doubles as the deep validation behind {@code sluice validate}: Flink's planner errors
 * come back as {@link SpecException}s located at the view's SQL in the pipeline file.
 *
 * <pre>{@code
 * CompiledPipeline job = PipelineCompiler.compile(spec, EngineConfig.local("localhost:9092", stateDir));
 * }</pre>
 */
public final class PipelineCompiler {
    /** The processing-time column Sluice adds to every source, for lookup joins. */
    public static final String PROC_TIME = "proc_time";
    /**
     * How long a partition that has been read to its end may stay silent before the watermark moves on without it.
     * A partition with records still to read never stops holding the watermark back.
     */
    public static final Duration SOURCE_IDLE_TIMEOUT = Duration.ofSeconds(10);
    /**
     * With {@code delivery: low-latency}: how long a network buffer between two operators may wait to fill before it is
     * sent (Flink's default is 100 ms per exchange, and a pipeline has several exchanges on the path of a row).
     */
    public static final Duration LOW_LATENCY_BUFFER_TIMEOUT = Duration.ofMillis(5);
    /** With {@code delivery: low-latency}: how often sources emit watermarks, which is when windows can fire (default 200 ms). */
    public static final Duration LOW_LATENCY_WATERMARK_INTERVAL = Duration.ofMillis(50);
    /**
     * Generated classes up to this many characters are compiled as the planner wrote them; Flink's default (4,000) has its
     * code splitter parse every longer class with a Java grammar while the job is planned, to split long methods because
     * HotSpot does not JIT-compile a method of more than 8,000 bytes of bytecode. A method of at most 16,000 characters of
     * generated Java stays well below that (a generated statement of 30-40 characters compiles to roughly 10 bytes). Of
     * the demo pipeline's 28 generated classes, 17 are longer than 4,000 characters and 14 of those at most 16,000: they
     * are no longer parsed, which takes about a tenth off the planning thread's CPU (docs/benchmarks.md, start-up, third
     * round).
     */
    static final int GENERATED_CODE_MAX_LENGTH = 16_000;
    public static final String DEAD_LETTERS_TABLE = "dead_letters";
    public static final String LATE_EVENTS_TABLE = "late_events";

    private static final Pattern SQL_POSITION = Pattern.compile("line (\\d+), column (\\d+)");

    private PipelineCompiler() {}

    public static String resultTopic(PipelineSpec spec, String table) {
        return "sluice." + spec.name() + "." + table;
    }

    /** A job id derived from the pipeline name, so its checkpoints are found again after a restart. */
    public static JobID jobId(String pipelineName) {
        UUID uuid = UUID.nameUUIDFromBytes(("sluice-pipeline:" + pipelineName).getBytes(StandardCharsets.UTF_8));
        return new JobID(uuid.getLeastSignificantBits(), uuid.getMostSignificantBits());
    }

    public static CompiledPipeline compile(PipelineSpec spec, EngineConfig config) {
        StateLocations state = new StateLocations(config.stateDir());
        Optional<URI> restore = state.latestRestorePoint();
        // State from before deployments were recorded has one all the same; its job may have written unmarked results.
        Deployment deployment = state.deployment().orElseGet(() -> Deployment.create(restore.isPresent()));
        Configuration configuration = flinkConfiguration(spec, config, state, restore);
        StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment(configuration);
        StreamTableEnvironment tables = StreamTableEnvironment.create(env, EnvironmentSettings.inStreamingMode());
        tables.getConfig().setLocalTimeZone(ZoneOffset.UTC);

        List<TableDefinition> tableDefinitions = new ArrayList<>();
        for (SourceSpec source : spec.sources()) {
            addSource(spec, source, config, env, tables, deployment);
            tableDefinitions.add(new TableDefinition(spec.name(), DEAD_LETTERS_TABLE, source.deadLetterTopic(spec.name()),
                    RejectedRecord.COLUMNS, List.of(), SinkSpec.Mode.APPEND));
            tableDefinitions.add(new TableDefinition(spec.name(), LATE_EVENTS_TABLE, source.lateTopic(spec.name()),
                    RejectedRecord.COLUMNS, List.of(), SinkSpec.Mode.APPEND));
        }
        for (int i = 0; i < spec.references().size(); i++) {
            addReference(spec.references().get(i), i, tables);
        }
        for (int i = 0; i < spec.views().size(); i++) {
            addView(spec.views().get(i), i, tables);
        }
        List<Output> outputs = new ArrayList<>();
        for (int i = 0; i < spec.sinks().size(); i++) {
            SinkSpec sink = spec.sinks().get(i);
            tableDefinitions.add(addSink(spec, sink, i, config, tables, deployment, outputs));
        }
        for (int i = 0; i < spec.alerts().size(); i++) {
            addAlert(spec, spec.alerts().get(i), i, config, tables, deployment, outputs);
        }
        attach(spec, tables, outputs);
        return new CompiledPipeline(spec, env, configuration, topics(spec), tableDefinitions, state, restore, deployment);
    }

    /**
     * The Kafka topics the pipeline's job needs: per source its topic, dead-letter and late-events topics; a result
     * topic per sink (compacted for upserts, with as many partitions as the widest source); the alerts topic. They follow
     * from the spec alone, so they can be created while the pipeline is still being planned.
     */
    public static List<TopicSpec> topics(PipelineSpec spec) {
        List<TopicSpec> topics = new ArrayList<>();
        int maxPartitions = 1;
        for (SourceSpec source : spec.sources()) {
            topics.add(TopicSpec.of(source.topic(), source.partitions()));
            topics.add(TopicSpec.of(source.deadLetterTopic(spec.name()), source.partitions()));
            topics.add(TopicSpec.of(source.lateTopic(spec.name()), source.partitions()));
            maxPartitions = Math.max(maxPartitions, source.partitions());
        }
        for (SinkSpec sink : spec.sinks()) {
            String topic = resultTopic(spec, sink.table());
            topics.add(sink.mode() == SinkSpec.Mode.UPSERT ? TopicSpec.compacted(topic, maxPartitions) : TopicSpec.of(topic, maxPartitions));
        }
        if (!spec.alerts().isEmpty()) {
            // One partition: every notification of a pipeline in one order, so a key's resolved never overtakes its firing.
            topics.add(TopicSpec.of(spec.alertsTopic(), 1));
        }
        return topics;
    }

    private static Configuration flinkConfiguration(PipelineSpec spec, EngineConfig config, StateLocations state, Optional<URI> restore) {
        Configuration conf = new Configuration();
        conf.set(CoreOptions.DEFAULT_PARALLELISM, config.parallelism());
        conf.set(PipelineOptions.NAME, "sluice-" + spec.name());
        conf.set(PipelineOptions.OBJECT_REUSE, true);
        conf.set(PipelineOptionsInternal.PIPELINE_FIXED_JOB_ID, jobId(spec.name()).toHexString());
        conf.set(CheckpointingOptions.CHECKPOINTING_INTERVAL, config.checkpointInterval());
        conf.set(CheckpointingOptions.CHECKPOINTING_CONSISTENCY_MODE, CheckpointingMode.EXACTLY_ONCE);
        conf.set(CheckpointingOptions.CHECKPOINTING_TIMEOUT, config.timeouts().checkpointTimeout());
        conf.set(CheckpointingOptions.CHECKPOINT_STORAGE, "filesystem");
        conf.set(CheckpointingOptions.CHECKPOINTS_DIRECTORY, state.checkpoints().toString());
        conf.set(CheckpointingOptions.SAVEPOINT_DIRECTORY, state.savepoints().toString());
        conf.set(CheckpointingOptions.EXTERNALIZED_CHECKPOINT_RETENTION, ExternalizedCheckpointRetention.RETAIN_ON_CANCELLATION);
        conf.set(CheckpointingOptions.MAX_RETAINED_CHECKPOINTS, 2);
        if (spec.delivery() == PipelineSpec.Delivery.LOW_LATENCY) {
            conf.set(ExecutionOptions.BUFFER_TIMEOUT, LOW_LATENCY_BUFFER_TIMEOUT);
            conf.set(PipelineOptions.AUTO_WATERMARK_INTERVAL, LOW_LATENCY_WATERMARK_INTERVAL);
        }
        // Nothing outside this JVM may reach the embedded cluster: loopback listeners and a closed REST endpoint.
        LoopbackCluster.configure(conf);
        conf.setString("classloader.check-leaked-classloader", "false");
        conf.setString(LateDropReporter.CONFIG_KEY, LateDropReporter.Factory.class.getName());
        conf.setString(JobMetricsReporter.CONFIG_KEY, JobMetricsReporter.Factory.class.getName());
        restore.ifPresent(p -> conf.set(StateRecoveryOptions.SAVEPOINT_PATH, p.toString()));
        conf.set(TableConfigOptions.MAX_LENGTH_GENERATED_CODE, GENERATED_CODE_MAX_LENGTH);
        config.flinkOptions().forEach(conf::setString);
        return conf;
    }

    private static void addSource(PipelineSpec spec, SourceSpec source, EngineConfig config, StreamExecutionEnvironment env,
            StreamTableEnvironment tables, Deployment deployment) {
        JsonRecordParser parser = JsonRecordParser.forSource(source, Clock.systemUTC());
        RecordSchema schema = parser.schema();
        Properties props = new Properties();
        props.putAll(config.kafkaProperties());
        props.setProperty("isolation.level", "read_committed");
        props.setProperty("partition.discovery.interval.ms", "30000");
        String clientIdPrefix = "sluice-" + spec.name() + "-" + source.name();
        // Lets the watermark generators see how far each partition is from its end (see PartitionWatermarks).
        props.setProperty("metric.reporters", ConsumerLagReporter.class.getName());
        KafkaSource<RowData> kafka = KafkaSource.<RowData>builder()
                .setBootstrapServers(config.bootstrapServers())
                .setTopics(source.topic())
                .setGroupId("sluice-" + spec.name())
                .setClientIdPrefix(clientIdPrefix)
                .setStartingOffsets(OffsetsInitializer.committedOffsets(OffsetResetStrategy.EARLIEST))
                .setDeserializer(new SourceRecords(source.name(), parser))
                .setProperties(props)
                .build();
        PartitionWatermarks watermarks = new PartitionWatermarks(source.topic(), clientIdPrefix, schema.size(),
                parser.eventTimeIndex(), LogicalTypeChecks.getPrecision(schema.type(parser.eventTimeIndex())),
                source.eventTime().maxOutOfOrderness(), SOURCE_IDLE_TIMEOUT, source.partitions(), config.parallelism(),
                clientSettings(config));
        // The router decides lateness after an all-to-all exchange, where its watermark is the lowest over all of the
        // source's subtasks: the same watermark every operator downstream sees, so an event it lets through is never
        // behind the watermark of a window, join or OVER aggregation that receives it.
        // Rows are Flink's internal RowData from the source on: the exchange serialises them without converting, and
        // the Table API takes them as they are.
        SingleOutputStreamOperator<RowData> routed = env.fromSource(kafka, watermarks, "source: " + source.name())
                .uid("source-" + source.name())
                .rebalance()
                .transform("route: " + source.name(), SourceRecords.columnsType(schema),
                        new RecordRouter(source.name(), source.topic(), source.partitions(), SOURCE_IDLE_TIMEOUT, schema.size(),
                                source.onError() == SourceSpec.ErrorPolicy.FAIL))
                .uid("route-" + source.name());
        routed.getSideOutput(RecordRouter.DEAD_LETTERS)
                .sinkTo(kafkaSink(spec, config, "dlq-" + source.name(), new TopicBytesSerializer(source.deadLetterTopic(spec.name()), deployment)))
                .name("dead letters: " + source.deadLetterTopic(spec.name()))
                .uid("dlq-" + source.name());
        routed.getSideOutput(RecordRouter.LATE_EVENTS)
                .sinkTo(kafkaSink(spec, config, "late-" + source.name(), new TopicBytesSerializer(source.lateTopic(spec.name()), deployment)))
                .name("late events: " + source.lateTopic(spec.name()))
                .uid("late-" + source.name());

        DataStream<RowData> rows = routed;
        if (source.eventId() != null) {
            // After the router, so that late events and dead letters are never mistaken for first sightings.
            int idIndex = schema.indexOf(source.eventId().column());
            rows = routed.keyBy(new EventIdKey(idIndex, schema.type(idIndex)))
                    .process(new EventIdDeduplicator(source.eventId().horizon()), routed.getType())
                    .name("deduplicate: " + source.name() + "." + source.eventId().column())
                    .uid("dedup-" + source.name());
        }
        Schema.Builder tableSchema = Schema.newBuilder();
        for (int i = 0; i < schema.size(); i++) {
            tableSchema.column(schema.name(i), schema.dataType(i));
        }
        tableSchema.columnByExpression(PROC_TIME, "PROCTIME()");
        tableSchema.watermark(source.eventTime().column(), "SOURCE_WATERMARK()");
        tables.createTemporaryView(source.name(), tables.fromDataStream(rows, tableSchema.build()));
    }

    /** The Kafka client settings that reach the pipeline's cluster: bootstrap servers and the user's client properties. */
    private static Map<String, String> clientSettings(EngineConfig config) {
        Map<String, String> settings = new TreeMap<>();
        config.kafkaProperties().forEach((k, v) -> settings.put(String.valueOf(k), String.valueOf(v)));
        settings.put("bootstrap.servers", config.bootstrapServers());
        return settings;
    }

    private static void addReference(ReferenceSpec reference, int index, StreamTableEnvironment tables) {
        RecordSchema schema = RecordSchema.of(reference.schema());
        try {
            ReferenceData.load(reference.file(), schema);
        } catch (SluiceException e) {
            throw new SpecException(new SpecProblem(reference.location(), "references[" + index + "].file",
                    e.getMessage()), e);
        }
        Schema.Builder tableSchema = Schema.newBuilder();
        for (int i = 0; i < schema.size(); i++) {
            tableSchema.column(schema.name(i), schema.dataType(i).notNull().nullable());
        }
        tables.createTemporaryTable(reference.name(), TableDescriptor.forConnector(ReferenceTableFactory.IDENTIFIER)
                .schema(tableSchema.build())
                .option(ReferenceTableFactory.PATH, reference.file().toAbsolutePath().toString())
                .build());
    }

    private static void addView(ViewSpec view, int index, StreamTableEnvironment tables) {
        try {
            tables.createTemporaryView(view.name(), tables.sqlQuery(view.sql()));
        } catch (ValidationException | SqlParserException | TableException e) {
            throw new SpecException(new SpecProblem(locate(view, e), "views[" + index + "].sql",
                    "view '" + view.name() + "': " + plannerMessage(e)), e);
        }
    }

    private static TableDefinition addSink(PipelineSpec spec, SinkSpec sink, int index, EngineConfig config,
            StreamTableEnvironment tables, Deployment deployment, List<Output> outputs) {
        String key = "sinks[" + index + "]";
        Table table = tables.from(sink.view());
        ResolvedSchema resolved = table.getResolvedSchema();
        List<String> columnNames = resolved.getColumnNames();
        int[] keyIndexes = new int[sink.primaryKey().size()];
        for (int i = 0; i < keyIndexes.length; i++) {
            keyIndexes[i] = columnNames.indexOf(sink.primaryKey().get(i));
            if (keyIndexes[i] < 0) {
                throw new SpecException(List.of(new SpecProblem(sink.location(), key + ".primary-key",
                        "column '" + sink.primaryKey().get(i) + "' is not produced by view '" + sink.view()
                                + "'; its columns are: " + String.join(", ", columnNames))));
            }
        }
        String topic = resultTopic(spec, sink.table());
        boolean append = sink.mode() == SinkSpec.Mode.APPEND;
        Runnable planAlone = () -> {
            try {
                if (append) {
                    tables.toDataStream(table);
                } else {
                    tables.toChangelogStream(table);
                }
            } catch (TableException | ValidationException e) {
                String message = plannerMessage(e);
                if (message.contains("update changes") || message.contains("doesn't support consuming")) {
                    message = "view '" + sink.view() + "' updates rows it has already emitted (for example a non-windowed "
                            + "aggregation), so it cannot be written with mode: append; use mode: upsert with a primary-key. "
                            + "Flink said: " + message;
                }
                throw new SpecException(new SpecProblem(sink.location(), key, message), e);
            }
        };
        List<Column> columns = resolved.getColumns();
        String[] names = columnNames.toArray(new String[0]);
        ResultSerializer serializer = new ResultSerializer(topic, names, keyIndexes, deployment);
        boolean lowLatency = spec.delivery() == PipelineSpec.Delivery.LOW_LATENCY;
        outputs.add(new Output(table, StreamSinkFactory.register("sink-" + sink.table(), resolved, append, rows -> rows
                .sinkTo(lowLatency ? lowLatencySink(config, serializer) : kafkaSink(spec, config, "sink-" + sink.table(), serializer))
                .name("result: " + topic)
                .uid("sink-" + sink.table())), planAlone));
        List<ColumnSpec> columnSpecs = new ArrayList<>();
        for (Column c : columns) {
            columnSpecs.add(new ColumnSpec(c.getName(), storageType(c.getDataType().getLogicalType()), sink.location()));
        }
        // At-least-once results are replayed after a restart: upserts by key absorb that, appended rows need their ids.
        return new TableDefinition(spec.name(), sink.table(), topic, columnSpecs, sink.primaryKey(), sink.mode(),
                lowLatency && sink.mode() == SinkSpec.Mode.APPEND);
    }

    /**
     * An alert: its SQL, keyed by the key columns into the {@link AlertFunction} state machine, written at-least-once
     * (not transactionally: a notification must not wait for the next checkpoint) to the alerts topic. The notifier
     * drops the duplicates a restart may replay by their deterministic ids.
     */
    private static void addAlert(PipelineSpec spec, AlertSpec alert, int index, EngineConfig config,
            StreamTableEnvironment tables, Deployment deployment, List<Output> outputs) {
        String key = "alerts[" + index + "]";
        Table table;
        try {
            table = tables.sqlQuery(alert.sql());
        } catch (ValidationException | SqlParserException | TableException e) {
            throw new SpecException(new SpecProblem(locate(alert.asView(), e), key + ".sql",
                    "alert '" + alert.name() + "': " + plannerMessage(e)), e);
        }
        ResolvedSchema resolved = table.getResolvedSchema();
        List<String> columnNames = resolved.getColumnNames();
        String columns = String.join(", ", columnNames);
        int[] keyIndexes = new int[alert.key().size()];
        for (int i = 0; i < keyIndexes.length; i++) {
            keyIndexes[i] = columnNames.indexOf(alert.key().get(i));
            if (keyIndexes[i] < 0) {
                throw new SpecException(List.of(new SpecProblem(alert.location(), key + ".key",
                        "alert '" + alert.name() + "': key column '" + alert.key().get(i) + "' is not produced by its SQL; "
                                + "its columns are: " + columns)));
            }
        }
        int timeIndex = columnNames.indexOf(alert.time());
        if (timeIndex < 0) {
            throw new SpecException(List.of(new SpecProblem(alert.location(), key + ".time",
                    "alert '" + alert.name() + "': time column '" + alert.time() + "' is not produced by its SQL; expected a "
                            + "TIMESTAMP column (set time: to one of: " + columns + ")")));
        }
        LogicalTypeRoot timeType = resolved.getColumns().get(timeIndex).getDataType().getLogicalType().getTypeRoot();
        if (timeType != LogicalTypeRoot.TIMESTAMP_WITHOUT_TIME_ZONE && timeType != LogicalTypeRoot.TIMESTAMP_WITH_LOCAL_TIME_ZONE) {
            throw new SpecException(List.of(new SpecProblem(alert.location(), key + ".time",
                    "alert '" + alert.name() + "': time column '" + alert.time() + "' has type "
                            + resolved.getColumns().get(timeIndex).getDataType() + "; expected TIMESTAMP or TIMESTAMP_LTZ")));
        }
        MessageTemplate message;
        try {
            message = MessageTemplate.parse(alert.message());
        } catch (IllegalArgumentException e) {
            throw new SpecException(List.of(new SpecProblem(alert.location(), key + ".message",
                    "alert '" + alert.name() + "': " + e.getMessage())));
        }
        for (String placeholder : message.placeholders()) {
            if (!columnNames.contains(placeholder)) {
                throw new SpecException(List.of(new SpecProblem(alert.location(), key + ".message",
                        "alert '" + alert.name() + "': message placeholder {" + placeholder + "} is not a column of its SQL; "
                                + "its columns are: " + columns)));
            }
        }
        Table alertRows = table;
        Runnable planAlone = () -> {
            try {
                tables.toDataStream(alertRows);
            } catch (TableException | ValidationException e) {
                throw new SpecException(new SpecProblem(alert.location(), key + ".sql", "alert '" + alert.name()
                        + "': its SQL must only insert rows (each row is an alert event), but it updates rows it has already "
                        + "emitted (for example a non-windowed aggregation); use a window or a pattern. Flink said: "
                        + plannerMessage(e)), e);
            }
        };
        outputs.add(new Output(table, StreamSinkFactory.register("alert-" + alert.name(), resolved, true, rows -> rows
                .keyBy(new AlertKeySelector(keyIndexes))
                .process(new AlertFunction(AlertRule.of(spec.name(), alert), columnNames.toArray(new String[0]), timeIndex),
                        Types.TUPLE(Types.STRING, Types.PRIMITIVE_ARRAY(Types.BYTE)))
                .name("alert: " + alert.name())
                .uid("alert-" + alert.name())
                .sinkTo(atLeastOnceSink(config, new AlertSerializer(spec.alertsTopic(), deployment)))
                .name("alerts: " + spec.alertsTopic())
                .uid("alerts-sink-" + alert.name())), planAlone));
    }

    /**
     * Plans every sink and alert of the pipeline in one statement set, so that a view several of them read runs once.
     * Flink's error for the whole set does not say which sink or alert it concerns; planned alone, the one at fault
     * reports itself with its place in the file.
     */
    private static void attach(PipelineSpec spec, StreamTableEnvironment tables, List<Output> outputs) {
        if (outputs.isEmpty()) {
            return;
        }
        try {
            StreamStatementSet set = tables.createStatementSet();
            outputs.forEach(o -> set.add(o.table().insertInto(o.sink().descriptor())));
            set.attachAsDataStream();
        } catch (TableException | ValidationException e) {
            outputs.forEach(o -> o.planAlone().run());
            throw new SpecException(new SpecProblem(new Location(spec.file(), 1, 1), "sinks",
                    "Flink cannot plan the pipeline's sinks and alerts together: " + plannerMessage(e)), e);
        } finally {
            StreamSinkFactory.release(outputs.stream().map(Output::sink).toList());
        }
    }

    /** A sink or alert of the statement set, and how to plan it on its own when the set fails. */
    private record Output(Table table, StreamSinkFactory.Registered sink, Runnable planAlone) {}

    private static <T> KafkaSink<T> atLeastOnceSink(EngineConfig config, KafkaRecordSerializationSchema<T> serializer) {
        Properties props = new Properties();
        props.putAll(config.kafkaProperties());
        props.setProperty("linger.ms", "0");
        props.setProperty("enable.idempotence", "true");
        return KafkaSink.<T>builder()
                .setBootstrapServers(config.bootstrapServers())
                .setKafkaProducerConfig(props)
                .setRecordSerializer(serializer)
                .setDeliveryGuarantee(DeliveryGuarantee.AT_LEAST_ONCE)
                .build();
    }

    /**
     * A result sink for {@code delivery: low-latency}: at-least-once, without transactions, so that the loader sees a row
     * as soon as it is written instead of at the next checkpoint. Records of one key stay in order (idempotent producer,
     * one partition per key); rows written again after a restart are dropped or overwritten by the store.
     */
    private static <T> KafkaSink<T> lowLatencySink(EngineConfig config, KafkaRecordSerializationSchema<T> serializer) {
        Properties props = new Properties();
        props.putAll(config.kafkaProperties());
        props.setProperty("compression.type", "lz4");
        props.setProperty("linger.ms", "1");
        props.setProperty("enable.idempotence", "true");
        return KafkaSink.<T>builder()
                .setBootstrapServers(config.bootstrapServers())
                .setKafkaProducerConfig(props)
                .setRecordSerializer(serializer)
                .setDeliveryGuarantee(DeliveryGuarantee.AT_LEAST_ONCE)
                .build();
    }

    /** The canonical type text the storage layer maps; types it has no column type for are stored as text. */
    static String storageType(LogicalType type) {
        LogicalType nullable = type.copy(true);
        LogicalTypeRoot root = nullable.getTypeRoot();
        return switch (root) {
            case VARCHAR, CHAR -> "STRING";
            case BOOLEAN, TINYINT, SMALLINT, INTEGER, BIGINT, FLOAT, DOUBLE, DECIMAL, DATE, TIME_WITHOUT_TIME_ZONE,
                    TIMESTAMP_WITHOUT_TIME_ZONE, TIMESTAMP_WITH_LOCAL_TIME_ZONE -> nullable.asSerializableString();
            default -> "STRING";
        };
    }

    private static <T> KafkaSink<T> kafkaSink(PipelineSpec spec, EngineConfig config, String name,
            KafkaRecordSerializationSchema<T> serializer) {
        Properties props = new Properties();
        props.putAll(config.kafkaProperties());
        // A transaction prepared by a checkpoint must still be committable when the job restarts after a crash.
        props.setProperty("transaction.timeout.ms", String.valueOf(config.timeouts().transactionTimeout().toMillis()));
        props.setProperty("compression.type", "lz4");
        props.setProperty("linger.ms", "5");
        return KafkaSink.<T>builder()
                .setBootstrapServers(config.bootstrapServers())
                .setKafkaProducerConfig(props)
                .setRecordSerializer(serializer)
                .setDeliveryGuarantee(DeliveryGuarantee.EXACTLY_ONCE)
                .setTransactionalIdPrefix("sluice-" + spec.name() + "-" + name)
                .build();
    }

    private static Location locate(ViewSpec view, Throwable e) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            Matcher m = SQL_POSITION.matcher(String.valueOf(t.getMessage()));
            if (m.find()) {
                return view.locate(Integer.parseInt(m.group(1)), Integer.parseInt(m.group(2)));
            }
        }
        return view.sqlStart();
    }

    /** Flink's message without the long "Was expecting one of" lists and with the root cause's reason. */
    static String plannerMessage(Throwable e) {
        String message = String.valueOf(e.getMessage());
        int expecting = message.indexOf("Was expecting");
        if (expecting > 0) {
            message = message.substring(0, expecting).trim();
        }
        Throwable root = e;
        while (root.getCause() != null && root.getCause() != root) {
            root = root.getCause();
        }
        String rootMessage = String.valueOf(root.getMessage());
        if (root != e && !message.contains(rootMessage) && rootMessage.length() < 500 && !rootMessage.contains("Was expecting")) {
            message = message + ": " + rootMessage;
        }
        return message.replace('\n', ' ').trim();
    }

}
