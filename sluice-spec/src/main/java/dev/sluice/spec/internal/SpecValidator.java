package dev.sluice.spec.internal;

import dev.sluice.spec.AlertSpec;
import dev.sluice.spec.ColumnSpec;
import dev.sluice.spec.NotifierSpec;
import dev.sluice.spec.Location;
import dev.sluice.spec.PipelineSpec;
import dev.sluice.spec.ReferenceSpec;
import dev.sluice.spec.SinkSpec;
import dev.sluice.spec.SourceSpec;
import dev.sluice.spec.SpecProblem;
import dev.sluice.spec.SqlTypes;
import dev.sluice.spec.ViewSpec;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

/**
 * The rules on names and on how the parts of a pipeline refer to each other: name syntax, reserved names,
 * uniqueness, event-time columns, primary keys, sink views and modes, reference files on disk.
 *
 * <p>Works on what {@link SpecReader} produced: a {@code null} value has already been reported by the reader and is
 * skipped here. Positions come from the reader's map of dotted keys; a key without a position (a default) is
 * reported at its closest parent that has one.
 */
public final class SpecValidator {

    /** The column Sluice adds to every source ({@code proc_time AS PROCTIME()}) for lookup joins. */
    public static final String PROC_TIME = "proc_time";

    static final Pattern PIPELINE_NAME = Pattern.compile("[a-z][a-z0-9_]{0,62}");
    static final java.util.Set<String> RESERVED_PIPELINE_NAMES = java.util.Set.of("main", "temp", "information_schema", "pg_catalog");
    static final Pattern IDENTIFIER = Pattern.compile("[a-z_][a-z0-9_]{0,62}");
    static final Pattern TOPIC = Pattern.compile("[a-zA-Z0-9._-]{1,249}");
    static final Set<String> RESERVED_TABLES =
            Set.of("dead_letters", "late_events", "alert_events", "alert_deliveries", "alert_silences");
    static final String RESERVED_TABLE_PREFIX = "_sluice";

    /** Orders locations as they appear in the file. */
    public static final Comparator<Location> FILE_ORDER =
            Comparator.comparingInt(Location::line).thenComparingInt(Location::column);

    private static final String IDENTIFIER_RULE = "expected a SQL identifier: 1 to 63 lower-case letters, digits and "
            + "underscores, not starting with a digit (^[a-z_][a-z0-9_]{0,62}$)";

    private final PipelineSpec spec;
    private final Map<String, Location> locations;
    private final List<SpecProblem> problems = new ArrayList<>();

    private SpecValidator(PipelineSpec spec, Map<String, Location> locations) {
        this.spec = spec;
        this.locations = locations;
    }

    /** Returns every rule {@code spec} breaks, in no particular order; empty when it breaks none. */
    public static List<SpecProblem> validate(PipelineSpec spec, Map<String, Location> locations) {
        SpecValidator validator = new SpecValidator(spec, locations);
        validator.pipelineName();
        validator.sources();
        validator.references();
        validator.views();
        validator.sharedNamespace();
        validator.sinks();
        validator.alerts();
        return List.copyOf(validator.problems);
    }

    private void pipelineName() {
        String name = spec.name();
        if (name != null && !PIPELINE_NAME.matcher(name).matches()) {
            report("name", "invalid pipeline name " + SpecReader.quote(name) + "; expected 1 to 63 lower-case "
                    + "letters, digits and underscores, starting with a letter (^[a-z][a-z0-9_]{0,62}$), because "
                    + "the name is used in topic names, table names and Kafka transactional ids");
        } else if (name != null && RESERVED_PIPELINE_NAMES.contains(name)) {
            report("name", "pipeline name " + SpecReader.quote(name) + " is reserved: each pipeline's tables live in a storage "
                    + "schema of its name, and " + String.join(", ", RESERVED_PIPELINE_NAMES.stream().sorted().toList())
                    + " are the database's own schemas; choose another name");
        }
    }

    private void sources() {
        Map<String, String> topics = new HashMap<>();
        for (int i = 0; i < spec.sources().size(); i++) {
            SourceSpec source = spec.sources().get(i);
            String path = "sources[" + i + "]";
            identifier(path + ".name", "source name", source.name());
            if (source.topic() != null) {
                String topicKey = path + ".topic";
                if (locations.containsKey(topicKey)) {
                    topic(topicKey, source.topic());
                }
                String first = topics.putIfAbsent(source.topic(), topicKey);
                if (first != null) {
                    report(topicKey, "topic " + SpecReader.quote(source.topic()) + " is already read by the source at "
                            + lineAndColumn(first) + "; each topic can be read by only one source");
                }
            }
            for (ColumnSpec column : source.schema()) {
                String columnKey = path + ".schema." + column.name();
                if (PROC_TIME.equals(column.name())) {
                    report(columnKey, "column name 'proc_time' is reserved: Sluice adds the column "
                            + "'proc_time AS PROCTIME()' to every source for lookup joins; rename this column");
                } else {
                    identifier(columnKey, "column name", column.name());
                }
            }
            eventTime(path, source);
            eventId(path, source);
        }
    }

    private void eventId(String path, SourceSpec source) {
        SourceSpec.EventId eventId = source.eventId();
        if (eventId == null || eventId.column() == null || source.schema().isEmpty()) {
            return;
        }
        String key = locations.containsKey(path + ".event-id.column") ? path + ".event-id.column" : path + ".event-id";
        ColumnSpec column = source.schema().stream().filter(c -> c.name().equals(eventId.column())).findFirst().orElse(null);
        if (column == null) {
            report(key, "column " + SpecReader.quote(eventId.column()) + " is not in the schema of "
                    + owner("source", source.name()) + "; columns are: " + columnNames(source.schema()));
        }
    }

    private void topic(String key, String topic) {
        if (!TOPIC.matcher(topic).matches() || topic.equals(".") || topic.equals("..")) {
            report(key, "invalid topic " + SpecReader.quote(topic) + "; a Kafka topic name is 1 to 249 characters "
                    + "from a-z, A-Z, 0-9, '.', '_' and '-', and not '.' or '..'");
        } else if (topic.endsWith(".dlq") || topic.endsWith(".late")) {
            report(key, "topic " + SpecReader.quote(topic) + " ends with '"
                    + topic.substring(topic.lastIndexOf('.')) + "'; names ending in .dlq and .late are reserved for "
                    + "Sluice's dead-letter and late-event topics");
        }
    }

    private void eventTime(String path, SourceSpec source) {
        SourceSpec.EventTime eventTime = source.eventTime();
        if (eventTime == null || eventTime.column() == null || source.schema().isEmpty()) {
            return;
        }
        String key = path + ".event-time.column";
        ColumnSpec column = source.schema().stream()
                .filter(c -> c.name().equals(eventTime.column()))
                .findFirst()
                .orElse(null);
        if (column == null) {
            report(key, "column " + SpecReader.quote(eventTime.column()) + " is not in the schema of "
                    + owner("source", source.name()) + "; columns are: " + columnNames(source.schema()));
        } else if (column.type() != null && !SqlTypes.isEventTimeType(column.type())) {
            report(key, "column " + SpecReader.quote(column.name()) + " has type " + column.type()
                    + "; the event-time column must have type TIMESTAMP(3) or TIMESTAMP_LTZ(3)");
        }
    }

    private void references() {
        for (int i = 0; i < spec.references().size(); i++) {
            ReferenceSpec reference = spec.references().get(i);
            String path = "references[" + i + "]";
            identifier(path + ".name", "reference name", reference.name());
            if (reference.file() != null) {
                referenceFile(path + ".file", reference.file());
            }
            for (ColumnSpec column : reference.schema()) {
                identifier(path + ".schema." + column.name(), "column name", column.name());
            }
            if (!reference.schema().isEmpty()) {
                Set<String> seen = new HashSet<>();
                for (int k = 0; k < reference.primaryKey().size(); k++) {
                    String column = reference.primaryKey().get(k);
                    String key = path + ".primary-key[" + k + "]";
                    if (reference.schema().stream().noneMatch(c -> c.name().equals(column))) {
                        report(key, "column " + SpecReader.quote(column) + " is not in the schema of "
                                + owner("reference", reference.name()) + "; columns are: "
                                + columnNames(reference.schema()));
                    } else if (!seen.add(column)) {
                        report(key, "column " + SpecReader.quote(column) + " is listed twice in primary-key");
                    }
                }
            }
        }
    }

    private void referenceFile(String key, Path file) {
        Path directory = spec.file().getParent();
        if (!Files.exists(file)) {
            report(key, "file " + file + " does not exist; a reference file is a CSV file with a header row, its "
                    + "path relative to the directory of the pipeline file (" + directory + ")");
        } else if (!Files.isRegularFile(file)) {
            report(key, "file " + file + " is not a regular file; expected a CSV file with a header row");
        } else if (!Files.isReadable(file)) {
            report(key, "file " + file + " cannot be read; check its permissions");
        }
    }

    private void views() {
        for (int i = 0; i < spec.views().size(); i++) {
            ViewSpec view = spec.views().get(i);
            String path = "views[" + i + "]";
            identifier(path + ".name", "view name", view.name());
            if (view.sql() != null && view.sql().isBlank()) {
                report(path + ".sql", "the SQL text is empty; expected a Flink SQL SELECT query");
            }
        }
    }

    /** Sources, references and views are all tables to Flink SQL, so one name cannot mean two of them. */
    private void sharedNamespace() {
        record Named(String kind, String name, String key) {}
        List<Named> named = new ArrayList<>();
        for (int i = 0; i < spec.sources().size(); i++) {
            named.add(new Named("source", spec.sources().get(i).name(), "sources[" + i + "].name"));
        }
        for (int i = 0; i < spec.references().size(); i++) {
            named.add(new Named("reference", spec.references().get(i).name(), "references[" + i + "].name"));
        }
        for (int i = 0; i < spec.views().size(); i++) {
            named.add(new Named("view", spec.views().get(i).name(), "views[" + i + "].name"));
        }
        named.removeIf(n -> n.name() == null);
        named.sort(Comparator.comparing(n -> at(n.key()), FILE_ORDER));
        Map<String, Named> first = new HashMap<>();
        for (Named n : named) {
            Named earlier = first.putIfAbsent(n.name(), n);
            if (earlier != null) {
                report(n.key(), "name " + SpecReader.quote(n.name()) + " is already used by the " + earlier.kind()
                        + " defined at " + lineAndColumn(earlier.key()) + "; sources, references and views share "
                        + "one SQL namespace, so their names must be unique");
            }
        }
    }

    private void sinks() {
        Map<String, String> tables = new HashMap<>();
        List<String> viewNames =
                spec.views().stream().map(ViewSpec::name).filter(n -> n != null).distinct().toList();
        for (int i = 0; i < spec.sinks().size(); i++) {
            SinkSpec sink = spec.sinks().get(i);
            String path = "sinks[" + i + "]";
            if (sink.view() != null && !viewNames.contains(sink.view())) {
                report(path + ".view", unknownView(sink.view(), viewNames));
            }
            if (sink.table() != null) {
                table(path, sink.table(), tables);
            }
            mode(path, sink);
        }
    }

    private String unknownView(String view, List<String> viewNames) {
        String views = viewNames.isEmpty() ? "(none)" : String.join(", ", viewNames);
        for (SourceSpec source : spec.sources()) {
            if (view.equals(source.name())) {
                return SpecReader.quote(view) + " is a source, not a view; a sink writes a view, and the views are: "
                        + views;
            }
        }
        for (ReferenceSpec reference : spec.references()) {
            if (view.equals(reference.name())) {
                return SpecReader.quote(view) + " is a reference, not a view; a sink writes a view, and the views "
                        + "are: " + views;
            }
        }
        return "no view named " + SpecReader.quote(view) + "; the views are: " + views;
    }

    private void table(String path, String table, Map<String, String> tables) {
        String key = path + ".table";
        boolean explicit = locations.containsKey(key);
        // A default table name is the view's name, whose syntax is checked (and reported) where the view is.
        if (explicit && !IDENTIFIER.matcher(table).matches()) {
            report(key, "invalid table name " + SpecReader.quote(table) + "; " + IDENTIFIER_RULE);
            return;
        }
        if (table.startsWith(RESERVED_TABLE_PREFIX) || RESERVED_TABLES.contains(table)) {
            report(key, "table name " + SpecReader.quote(table) + " is reserved: Sluice keeps its own tables "
                    + "dead_letters, late_events, alert_events, alert_deliveries, alert_silences and those starting with _sluice; "
                    + (explicit ? "choose another table name" : "the table name defaults to the view name, so set "
                    + "'table' to another name"));
            return;
        }
        String first = tables.putIfAbsent(table, key);
        if (first != null) {
            report(key, "table " + SpecReader.quote(table) + " is already written by the sink at "
                    + lineAndColumn(first) + "; each table can have only one sink");
        }
    }

    private void mode(String path, SinkSpec sink) {
        String key = path + ".primary-key";
        boolean modeGiven = locations.containsKey(path + ".mode");
        if (sink.mode() == SinkSpec.Mode.UPSERT && sink.primaryKey().isEmpty()) {
            if (modeGiven) {
                // Without a primary-key the mistake is at the mode that asks for upsert.
                Location where = locations.containsKey(key) ? at(key) : at(path + ".mode");
                report(key, where, "mode upsert needs a primary-key: list the columns that identify a row of view "
                        + SpecReader.quote(String.valueOf(sink.view())) + ", such as [merchant_id, window_start], "
                        + "or use mode: append");
            } else {
                report(key, "primary-key is empty; a sink with a primary-key writes in mode upsert, which needs at "
                        + "least one key column; list them, or remove primary-key to append every row");
            }
        } else if (sink.mode() == SinkSpec.Mode.APPEND && !sink.primaryKey().isEmpty()) {
            report(key, "primary-key is not allowed with mode append, which adds every row; remove it, "
                    + "or use mode: upsert to keep one row per key");
        }
        Set<String> seen = new HashSet<>();
        for (int k = 0; k < sink.primaryKey().size(); k++) {
            String column = sink.primaryKey().get(k);
            if (!seen.add(column)) {
                report(key + "[" + k + "]", "column " + SpecReader.quote(column) + " is listed twice in primary-key");
            }
        }
    }

    /** Alert and notifier names are unique and identifiers; an alert notifies only notifiers that exist. */
    private void alerts() {
        Map<String, String> notifiers = new HashMap<>();
        for (int i = 0; i < spec.notifiers().size(); i++) {
            NotifierSpec notifier = spec.notifiers().get(i);
            String path = "notifiers[" + i + "]";
            identifier(path + ".name", "notifier name", notifier.name());
            if (notifier.name() != null) {
                String first = notifiers.putIfAbsent(notifier.name(), path + ".name");
                if (first != null) {
                    report(path + ".name", "notifier name " + SpecReader.quote(notifier.name()) + " is already used at "
                            + lineAndColumn(first) + "; notifier names must be unique");
                }
            }
        }
        Map<String, String> alerts = new HashMap<>();
        for (int i = 0; i < spec.alerts().size(); i++) {
            AlertSpec alert = spec.alerts().get(i);
            String path = "alerts[" + i + "]";
            identifier(path + ".name", "alert name", alert.name());
            if (alert.name() != null) {
                String first = alerts.putIfAbsent(alert.name(), path + ".name");
                if (first != null) {
                    report(path + ".name", "alert name " + SpecReader.quote(alert.name()) + " is already used at "
                            + lineAndColumn(first) + "; alert names must be unique");
                }
            }
            if (alert.sql() != null && alert.sql().isBlank()) {
                report(path + ".sql", "the SQL text is empty; expected a Flink SQL SELECT query whose rows are alert events");
            }
            for (int k = 0; k < alert.notifiers().size(); k++) {
                String target = alert.notifiers().get(k);
                if (!notifiers.containsKey(target)) {
                    report(path + ".notify[" + k + "]", "unknown notifier " + SpecReader.quote(target) + "; "
                            + (notifiers.isEmpty() ? "the pipeline declares no notifiers"
                                    : "declared notifiers are: " + String.join(", ", new java.util.TreeSet<>(notifiers.keySet()))));
                }
            }
        }
    }

    private void identifier(String key, String what, String name) {
        if (name != null && !IDENTIFIER.matcher(name).matches()) {
            report(key, "invalid " + what + " " + SpecReader.quote(name) + "; " + IDENTIFIER_RULE);
        }
    }

    private static String owner(String kind, String name) {
        return name == null ? "this " + kind : kind + " " + SpecReader.quote(name);
    }

    private static String columnNames(List<ColumnSpec> schema) {
        return schema.stream().map(ColumnSpec::name).collect(Collectors.joining(", "));
    }

    private void report(String key, String message) {
        report(key, at(key), message);
    }

    private void report(String key, Location location, String message) {
        problems.add(new SpecProblem(location, key, message));
    }

    private String lineAndColumn(String key) {
        Location location = at(key);
        return "line " + location.line() + ", column " + location.column();
    }

    /** The position of a key, or of its closest parent with one ({@code a.b[2].c} -> {@code a.b[2]} -> ...). */
    private Location at(String key) {
        String k = key;
        while (!locations.containsKey(k)) {
            int cut = Math.max(k.lastIndexOf('.'), k.lastIndexOf('['));
            k = cut < 0 ? "" : k.substring(0, cut);
        }
        return locations.get(k);
    }
}
