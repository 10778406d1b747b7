package dev.sluice.spec.internal;

import dev.sluice.spec.AlertSpec;
import dev.sluice.spec.ColumnSpec;
import dev.sluice.spec.DashboardSpec;
import dev.sluice.spec.Location;
import dev.sluice.spec.NotifierSpec;
import dev.sluice.spec.PanelSpec;
import dev.sluice.spec.PipelineSpec;
import dev.sluice.spec.ReferenceSpec;
import dev.sluice.spec.SinkSpec;
import dev.sluice.spec.SourceSpec;
import dev.sluice.spec.SpecProblem;
import dev.sluice.spec.SqlTypes;
import dev.sluice.spec.ViewSpec;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.yaml.snakeyaml.DumperOptions.ScalarStyle;
import org.yaml.snakeyaml.error.Mark;
import org.yaml.snakeyaml.nodes.MappingNode;
import org.yaml.snakeyaml.nodes.Node;
import org.yaml.snakeyaml.nodes.NodeTuple;
import org.yaml.snakeyaml.nodes.ScalarNode;
import org.yaml.snakeyaml.nodes.SequenceNode;
import org.yaml.snakeyaml.nodes.Tag;

/**
 * Turns a composed YAML node tree into spec records: checks the shape (node kinds, required, unknown and
 * duplicate keys) and converts single values (numbers, durations, enum words, SQL types, file paths), reporting
 * every problem with its position instead of stopping at the first.
 *
 * <p>Values that are missing or invalid are left {@code null} in the records it returns (a problem has been
 * reported for each), so {@link SpecValidator} can still check the rest and skip what it cannot judge. The records
 * of a {@link Result} with problems must not leave the parser.
 *
 * <p>Besides the records it returns the position of every value it read, keyed by dotted path
 * ({@code sources[0].event-time.column}), for the validator's messages.
 */
public final class SpecReader {

    /** The key used for problems that concern the file as a whole. */
    public static final String DOCUMENT = "(document)";

    static final List<String> PIPELINE_KEYS =
            List.of("name", "description", "delivery", "sources", "references", "views", "sinks", "alerts", "notifiers", "dashboards");
    static final List<String> SOURCE_KEYS =
            List.of("name", "topic", "partitions", "format", "schema", "event-time", "event-id", "on-error");
    /** Keys read from a source: {@link #SOURCE_KEYS} and {@code required}, which is refused with a hint. */
    private static final List<String> SOURCE_KEYS_READ = concat(SOURCE_KEYS, "required");
    static final List<String> EVENT_ID_KEYS = List.of("column", "horizon");
    static final Duration MAX_EVENT_ID_HORIZON = Duration.ofDays(7);
    static final List<String> EVENT_TIME_KEYS = List.of("column", "max-out-of-orderness", "max-future", "earliest");
    static final List<String> REFERENCE_KEYS = List.of("name", "file", "schema", "primary-key");
    static final List<String> VIEW_KEYS = List.of("name", "sql");
    static final List<String> SINK_KEYS = List.of("view", "table", "mode", "primary-key");
    static final List<String> DASHBOARD_KEYS = List.of("name", "title", "panels");
    static final List<String> PANEL_KEYS = List.of("title", "visual", "sql", "options");
    static final List<String> OPTION_KEYS = List.of("x", "y", "series", "label", "value", "lat", "lon", "limit", "unit", "size");
    static final int MAX_TOP_LIMIT = 1000;
    private static final Pattern DASHBOARD_NAME = Pattern.compile("[a-z][a-z0-9_-]{0,62}");
    private static final Map<String, String> OPTION_MEANINGS = Map.of(
            "x", "the result column on the x axis (a time for timeseries, a category for bar)",
            "y", "the result column (or list of columns) with the values",
            "value", "the result column with the value",
            "label", "the result column with the names",
            "lat", "the result column with the latitude in degrees",
            "lon", "the result column with the longitude in degrees");

    static final List<String> ALERT_KEYS = List.of("name", "sql", "key", "time", "severity", "message", "for", "cooldown",
            "resolve-after", "notify");
    static final List<String> NOTIFIER_KEYS = List.of("name", "type", "url", "secret", "smtp", "allow-private-networks");
    static final List<String> SMTP_KEYS = List.of("host", "port", "from", "to", "starttls", "username", "password");
    static final Duration MAX_ALERT_DURATION = Duration.ofDays(30);
    /** A secret is never written into the file: only a reference to an environment variable. */
    static final Pattern ENV_REFERENCE = Pattern.compile("\\$\\{env:([A-Za-z_][A-Za-z0-9_]*)}");

    static final int MAX_PARTITIONS = 1024;
    static final Duration MAX_OUT_OF_ORDERNESS = Duration.ofHours(24);
    static final Duration MAX_FUTURE = Duration.ofDays(3650);
    /** An event time lies in the years 0000 to 9999 (the range of SQL timestamps), so the earliest one does too. */
    static final Instant MIN_TIME = Instant.parse("0000-01-01T00:00:00Z");
    static final Instant MAX_TIME = Instant.parse("9999-12-31T23:59:59Z");

    private static final Pattern NOT_NULL = Pattern.compile("(?is)(.*?)\\s+NOT\\s+NULL\\s*");
    private static final Pattern PARTITIONS = Pattern.compile("[0-9]{1,9}");
    private static final Pattern DURATION = Pattern.compile("([0-9]{1,9})(ms|s|m|h|d)");
    private static final String DURATION_RULE =
            "expected <integer><unit> with unit ms, s, m, h or d, for example 500ms, 5s, 2m or 1d";
    private static final String TIME_EXPECTED = "an ISO-8601 time with an offset such as 2020-01-01T00:00:00Z, or a "
            + "date such as 2020-01-01 (midnight UTC)";
    private static final String TYPE_EXPECTED = "a Flink SQL type such as STRING, BIGINT, DECIMAL(12, 2) or TIMESTAMP(3)";

    private static final Map<String, SourceSpec.Format> FORMATS = Map.of("json", SourceSpec.Format.JSON);
    private static final Map<String, SourceSpec.ErrorPolicy> ERROR_POLICIES = orderedMap(
            "dead-letter", SourceSpec.ErrorPolicy.DEAD_LETTER, "fail", SourceSpec.ErrorPolicy.FAIL);
    private static final Map<String, AlertSpec.Severity> SEVERITIES = orderedMap3("critical", AlertSpec.Severity.CRITICAL,
            "warning", AlertSpec.Severity.WARNING, "info", AlertSpec.Severity.INFO);
    private static final Map<String, NotifierSpec.Type> NOTIFIER_TYPES = orderedMap3("webhook", NotifierSpec.Type.WEBHOOK,
            "slack", NotifierSpec.Type.SLACK, "email", NotifierSpec.Type.EMAIL);
    private static final Map<String, Boolean> BOOLEANS = orderedMap("true", Boolean.TRUE, "false", Boolean.FALSE);
    private static final Map<String, SinkSpec.Mode> MODES =
            orderedMap("upsert", SinkSpec.Mode.UPSERT, "append", SinkSpec.Mode.APPEND);

    private static final Map<String, PipelineSpec.Delivery> DELIVERIES = orderedMap(
            PipelineSpec.Delivery.EXACTLY_ONCE.word(), PipelineSpec.Delivery.EXACTLY_ONCE,
            PipelineSpec.Delivery.LOW_LATENCY.word(), PipelineSpec.Delivery.LOW_LATENCY);

    private final Path file;
    private final Path directory;
    private final int[] text;
    private final List<SpecProblem> problems = new ArrayList<>();
    private final Map<String, Location> locations = new HashMap<>();

    /**
     * @param file the pipeline file as it should appear in messages; relative reference paths are resolved against
     *             its directory
     * @param text the text the node tree was composed from, to find where block scalars start
     */
    public SpecReader(Path file, String text) {
        this.file = file;
        Path parent = file.toAbsolutePath().normalize().getParent();
        this.directory = parent == null ? file.toAbsolutePath().getRoot() : parent;
        this.text = text.codePoints().toArray();
    }

    /** What {@link #read} found: the records, the position of every value by dotted key, and the problems. */
    public record Result(PipelineSpec spec, Map<String, Location> locations, List<SpecProblem> problems) {
        public Result {
            locations = Map.copyOf(locations);
            problems = List.copyOf(problems);
        }
    }

    /** Reads a composed document; {@code root} is null for a file without content. */
    public Result read(Node root) {
        locations.put("", new Location(file, 1, 1));
        PipelineSpec spec = pipeline(root);
        return new Result(spec, locations, problems);
    }

    private PipelineSpec pipeline(Node root) {
        Path absolute = file.toAbsolutePath().normalize();
        String expected = "a mapping with the keys " + String.join(", ", PIPELINE_KEYS);
        if (root == null) {
            problems.add(new SpecProblem(new Location(file, 1, 1), DOCUMENT,
                    "the file has no content; expected " + expected));
            return new PipelineSpec(null, "", absolute, List.of(), List.of(), List.of(), List.of(), List.of(), List.of(), List.of());
        }
        Map<String, Field> fields = mapping(root, "", expected, PIPELINE_KEYS);
        if (fields == null) {
            return new PipelineSpec(null, "", absolute, List.of(), List.of(), List.of(), List.of(), List.of(), List.of(), List.of());
        }
        String name = requiredScalar(fields, root, "", "name",
                "the pipeline name (lower-case letters, digits and underscores)");
        Field descriptionField = fields.get("description");
        String description = "";
        if (descriptionField != null && !isNull(descriptionField.value())) {
            description = scalar(descriptionField, "a text describing the pipeline");
        }
        PipelineSpec.Delivery delivery = choice(fields.get("delivery"), DELIVERIES, PipelineSpec.Delivery.EXACTLY_ONCE);
        List<SourceSpec> sources = list(fields, root, "", "sources", "source", true, this::source);
        List<ReferenceSpec> references = list(fields, root, "", "references", "reference", false, this::reference);
        List<ViewSpec> views = list(fields, root, "", "views", "view", true, this::view);
        List<SinkSpec> sinks = list(fields, root, "", "sinks", "sink", false, this::sink);
        List<AlertSpec> alerts = list(fields, root, "", "alerts", "alert", false, this::alert);
        List<NotifierSpec> notifiers = list(fields, root, "", "notifiers", "notifier", false, this::notifier);
        List<DashboardSpec> dashboards = list(fields, root, "", "dashboards", "dashboard", false, this::dashboard);
        uniqueDashboardNames(dashboards);
        return new PipelineSpec(name, description == null ? "" : description, absolute,
                sources, references, views, sinks, alerts, notifiers, dashboards,
                delivery == null ? PipelineSpec.Delivery.EXACTLY_ONCE : delivery);
    }

    private DashboardSpec dashboard(Node node, String path) {
        Map<String, Field> fields = mapping(node, path,
                "a dashboard: a mapping with the keys " + String.join(", ", DASHBOARD_KEYS), DASHBOARD_KEYS);
        if (fields == null) {
            return null;
        }
        String name = requiredScalar(fields, node, path, "name",
                "the dashboard's name in URLs: lower-case letters, digits, '-' and '_', starting with a letter");
        if (name != null && !DASHBOARD_NAME.matcher(name).matches()) {
            problem(fields.get("name").value(), fields.get("name").path(), "invalid dashboard name " + quote(name)
                    + "; expected lower-case letters, digits, '-' and '_', starting with a letter, at most 63 characters");
        }
        String title = fields.containsKey("title") ? scalar(fields.get("title"), "the dashboard's heading") : name;
        List<PanelSpec> panels = list(fields, node, path, "panels", "panel", true, this::panel);
        return new DashboardSpec(name, title == null ? name : title, panels, location(node));
    }

    private void uniqueDashboardNames(List<DashboardSpec> dashboards) {
        Map<String, Location> seen = new HashMap<>();
        for (int i = 0; i < dashboards.size(); i++) {
            DashboardSpec d = dashboards.get(i);
            if (d.name() == null) {
                continue;
            }
            Location first = seen.putIfAbsent(d.name(), d.location());
            if (first != null) {
                problems.add(new SpecProblem(d.location(), "dashboards[" + i + "].name", "duplicate dashboard name " + quote(d.name())
                        + "; it is first used at line " + first.line() + ", column " + first.column()));
            }
        }
    }

    private PanelSpec panel(Node node, String path) {
        Map<String, Field> fields = mapping(node, path,
                "a panel: a mapping with the keys " + String.join(", ", PANEL_KEYS), PANEL_KEYS);
        if (fields == null) {
            return null;
        }
        String title = requiredScalar(fields, node, path, "title", "the panel's heading");
        String visualText = requiredScalar(fields, node, path, "visual", "one of: " + visualKeys());
        PanelSpec.Visual visual = null;
        if (visualText != null) {
            visual = PanelSpec.Visual.of(visualText).orElse(null);
            if (visual == null) {
                problem(fields.get("visual").value(), fields.get("visual").path(), "unknown visual " + quote(visualText)
                        + "; allowed values are: " + visualKeys());
            }
        }
        String sql = requiredScalar(fields, node, path, "sql", "one read-only SELECT over the pipeline's storage tables");
        Location sqlStart = location(node);
        if (sql != null) {
            Field sqlField = fields.get("sql");
            sqlStart = sqlStart((ScalarNode) sqlField.value(), sqlField.keyNode().getStartMark().getColumn());
            if (sql.isBlank()) {
                problem(sqlField.value(), sqlField.path(), "expected one read-only SELECT over the pipeline's storage tables, got empty text");
            }
        }
        PanelSpec.Options options = options(fields.get("options"), node, path, visual);
        return new PanelSpec(title, visual, sql, options, location(node), sqlStart);
    }

    private static String visualKeys() {
        return String.join(", ", java.util.Arrays.stream(PanelSpec.Visual.values()).map(PanelSpec.Visual::key).toList());
    }

    private PanelSpec.Options options(Field field, Node panel, String panelPath, PanelSpec.Visual visual) {
        Map<String, Field> fields = Map.of();
        Node at = panel;
        String path = child(panelPath, "options");
        if (field != null && !isNull(field.value())) {
            fields = mapping(field.value(), field.path(), "a mapping with the keys " + String.join(", ", OPTION_KEYS), OPTION_KEYS);
            if (fields == null) {
                return new PanelSpec.Options(null, List.of(), null, null, null, null, null, null, null, null);
            }
            at = field.value();
            locations.put(field.path(), location(at));
        }
        if (visual != null) {
            for (String required : visual.requiredOptions()) {
                if (!fields.containsKey(required)) {
                    problem(at, child(path, required), "the visual '" + visual.key() + "' needs the option " + quote(required) + ": "
                            + OPTION_MEANINGS.get(required));
                }
            }
            for (Field option : fields.values()) {
                if (!visual.allowedOptions().contains(option.key())) {
                    problem(option.keyNode(), option.path(), "the option " + quote(option.key()) + " does not apply to the visual '"
                            + visual.key() + "'; it takes: " + String.join(", ", visual.allowedOptions()));
                }
            }
        }
        List<String> y = List.of();
        Field yField = fields.get("y");
        if (yField != null) {
            if (yField.value() instanceof SequenceNode) {
                List<String> names = columnNames(yField);
                y = names == null ? List.of() : names;
                if (names != null && names.isEmpty()) {
                    problem(yField.value(), yField.path(), "expected at least one column, got an empty list");
                }
            } else {
                String one = scalar(yField, "a result column, or a list of result columns such as [revenue, payments]");
                y = one == null ? List.of() : List.of(one);
            }
        }
        String series = column(fields.get("series"));
        if (series != null && y.size() > 1) {
            problem(fields.get("series").value(), fields.get("series").path(), "'series' splits one y column by the values of "
                    + quote(series) + ", but y names " + y.size() + " columns; name one y column, or leave out series");
        }
        Integer limit = null;
        Field limitField = fields.get("limit");
        if (limitField != null) {
            String text = scalar(limitField, "an integer from 1 to " + MAX_TOP_LIMIT);
            if (text != null) {
                if (PARTITIONS.matcher(text).matches() && Integer.parseInt(text) >= 1 && Integer.parseInt(text) <= MAX_TOP_LIMIT) {
                    limit = Integer.parseInt(text);
                } else {
                    problem(limitField.value(), limitField.path(), "expected an integer from 1 to " + MAX_TOP_LIMIT + ", got " + quote(text));
                }
            }
        }
        Map<String, PanelSpec.Size> sizes = new LinkedHashMap<>();
        for (PanelSpec.Size size : PanelSpec.Size.values()) {
            sizes.put(size.key(), size);
        }
        PanelSpec.Size size = choice(fields.get("size"), sizes, PanelSpec.Size.MEDIUM);
        String unit = fields.containsKey("unit") ? scalar(fields.get("unit"), "a unit such as EUR or /s") : null;
        return new PanelSpec.Options(column(fields.get("x")), y, series, column(fields.get("label")), column(fields.get("value")),
                column(fields.get("lat")), column(fields.get("lon")), limit, unit, size);
    }

    private String column(Field field) {
        return field == null ? null : scalar(field, "the name of a column of the query's result");
    }

    private SourceSpec source(Node node, String path) {
        Map<String, Field> fields = mapping(node, path,
                "a source: a mapping with the keys " + String.join(", ", SOURCE_KEYS), SOURCE_KEYS_READ);
        if (fields == null) {
            return null;
        }
        Field requiredList = fields.get("required");
        if (requiredList != null) {
            problem(requiredList.keyNode(), requiredList.path(), "a 'required:' list is not supported; mark each required "
                    + "column in the schema instead, such as 'merchant: STRING NOT NULL' (the event-time column is always "
                    + "required)");
        }
        String name = requiredScalar(fields, node, path, "name", "a source name");
        String topic = fields.containsKey("topic") ? scalar(fields.get("topic"), "a Kafka topic name") : name;
        int partitions = partitions(fields.get("partitions"));
        SourceSpec.Format format = choice(fields.get("format"), FORMATS, SourceSpec.Format.JSON);
        List<ColumnSpec> schema = schema(fields, node, path, true);
        SourceSpec.EventTime eventTime = eventTime(fields, node, path);
        SourceSpec.ErrorPolicy onError =
                choice(fields.get("on-error"), ERROR_POLICIES, SourceSpec.ErrorPolicy.DEAD_LETTER);
        SourceSpec.EventId eventId = eventId(fields.get("event-id"));
        return new SourceSpec(name, topic, partitions, format == null ? SourceSpec.Format.JSON : format, schema,
                eventTime, onError == null ? SourceSpec.ErrorPolicy.DEAD_LETTER : onError, location(node), eventId);
    }

    /** {@code event-id: payment_id} or {@code event-id: {column: payment_id, horizon: 1h}}; null when absent or invalid. */
    private SourceSpec.EventId eventId(Field field) {
        if (field == null || isNull(field.value())) {
            return null;
        }
        if (field.value() instanceof ScalarNode) {
            String column = scalar(field, "a column name, or a mapping with the keys " + String.join(", ", EVENT_ID_KEYS));
            return column == null ? null : new SourceSpec.EventId(column, SourceSpec.EventId.DEFAULT_HORIZON);
        }
        locations.put(field.path(), location(field.value()));
        Map<String, Field> fields = mapping(field.value(), field.path(),
                "a column name, or a mapping with the keys " + String.join(", ", EVENT_ID_KEYS), EVENT_ID_KEYS);
        if (fields == null) {
            return null;
        }
        String column = requiredScalar(fields, field.value(), field.path(), "column", "the name of a schema column");
        Duration horizon = duration(fields.get("horizon"), SourceSpec.EventId.DEFAULT_HORIZON, MAX_EVENT_ID_HORIZON, "7d");
        if (horizon.isZero()) {
            problem(fields.get("horizon").value(), fields.get("horizon").path(), "the horizon must be longer than 0");
        }
        return column == null ? null : new SourceSpec.EventId(column, horizon);
    }

    private static List<String> concat(List<String> list, String extra) {
        List<String> all = new ArrayList<>(list);
        all.add(extra);
        return List.copyOf(all);
    }

    private int partitions(Field field) {
        if (field == null) {
            return 1;
        }
        String value = scalar(field, "an integer from 1 to " + MAX_PARTITIONS);
        if (value == null) {
            return 1;
        }
        if (PARTITIONS.matcher(value).matches()) {
            int partitions = Integer.parseInt(value);
            if (partitions >= 1 && partitions <= MAX_PARTITIONS) {
                return partitions;
            }
        }
        problem(field.value(), field.path(),
                "expected an integer from 1 to " + MAX_PARTITIONS + ", got " + quote(value));
        return 1;
    }

    private SourceSpec.EventTime eventTime(Map<String, Field> sourceFields, Node source, String sourcePath) {
        String expected = "a mapping with the keys " + String.join(", ", EVENT_TIME_KEYS);
        Field field = sourceFields.get("event-time");
        if (field == null) {
            missing(source, child(sourcePath, "event-time"), "event-time", expected);
            return null;
        }
        locations.put(field.path(), location(field.value()));
        Map<String, Field> fields = mapping(field.value(), field.path(), expected, EVENT_TIME_KEYS);
        if (fields == null) {
            return null;
        }
        String column = requiredScalar(fields, field.value(), field.path(), "column",
                "the name of a schema column of type TIMESTAMP(3) or TIMESTAMP_LTZ(3)");
        Duration maxOutOfOrderness = duration(fields.get("max-out-of-orderness"), Duration.ZERO,
                MAX_OUT_OF_ORDERNESS, "24h");
        Duration maxFuture = duration(fields.get("max-future"), SourceSpec.EventTime.DEFAULT_MAX_FUTURE,
                MAX_FUTURE, "3650d");
        Instant earliest = time(fields.get("earliest"), SourceSpec.EventTime.DEFAULT_EARLIEST);
        return new SourceSpec.EventTime(column, maxOutOfOrderness, maxFuture, earliest);
    }

    private Duration duration(Field field, Duration absent, Duration max, String maxText) {
        if (field == null) {
            return absent;
        }
        String value = scalar(field, "a duration such as 500ms, 5s, 2m or 1d");
        if (value == null) {
            return absent;
        }
        Matcher m = DURATION.matcher(value);
        if (!m.matches()) {
            problem(field.value(), field.path(), "invalid duration " + quote(value) + "; " + DURATION_RULE);
            return absent;
        }
        long amount = Long.parseLong(m.group(1));
        Duration duration = switch (m.group(2)) {
            case "ms" -> Duration.ofMillis(amount);
            case "s" -> Duration.ofSeconds(amount);
            case "m" -> Duration.ofMinutes(amount);
            case "h" -> Duration.ofHours(amount);
            default -> Duration.ofDays(amount);
        };
        if (duration.compareTo(max) > 0) {
            problem(field.value(), field.path(), "duration " + quote(value) + " is too long; the maximum is " + maxText);
            return absent;
        }
        return duration;
    }

    private Instant time(Field field, Instant absent) {
        if (field == null) {
            return absent;
        }
        String value = scalar(field, TIME_EXPECTED);
        if (value == null) {
            return absent;
        }
        Instant time;
        try {
            time = value.indexOf('T') < 0 && value.indexOf('t') < 0
                    ? LocalDate.parse(value).atStartOfDay(ZoneOffset.UTC).toInstant()
                    : OffsetDateTime.parse(value).toInstant();
        } catch (DateTimeParseException e) {
            problem(field.value(), field.path(), "invalid time " + quote(value) + "; expected " + TIME_EXPECTED);
            return absent;
        }
        if (time.isBefore(MIN_TIME) || time.isAfter(MAX_TIME)) {
            problem(field.value(), field.path(), "time " + quote(value) + " is out of range; event times lie in the "
                    + "years 0000 to 9999");
            return absent;
        }
        return time;
    }

    private ReferenceSpec reference(Node node, String path) {
        Map<String, Field> fields = mapping(node, path,
                "a reference: a mapping with the keys " + String.join(", ", REFERENCE_KEYS), REFERENCE_KEYS);
        if (fields == null) {
            return null;
        }
        String name = requiredScalar(fields, node, path, "name", "a reference name");
        String fileText = requiredScalar(fields, node, path, "file",
                "the path of a CSV file, relative to the directory of the pipeline file");
        Path resolved = null;
        if (fileText != null) {
            try {
                resolved = directory.resolve(fileText).toAbsolutePath().normalize();
            } catch (InvalidPathException e) {
                problem(fields.get("file").value(), fields.get("file").path(),
                        "invalid file path " + quote(fileText) + ": " + e.getReason());
            }
        }
        List<ColumnSpec> schema = schema(fields, node, path, false);
        Field keyField = fields.get("primary-key");
        List<String> primaryKey = List.of();
        if (keyField == null) {
            missing(node, child(path, "primary-key"), "primary-key",
                    "a non-empty list of the schema columns that identify a row, such as [merchant_id]");
        } else {
            List<String> columns = columnNames(keyField);
            if (columns != null) {
                primaryKey = columns;
                if (columns.isEmpty() && keyField.value() instanceof SequenceNode seq && seq.getValue().isEmpty()) {
                    problem(keyField.value(), keyField.path(),
                            "expected at least one column that identifies a row, got an empty list");
                }
            }
        }
        return new ReferenceSpec(name, resolved, schema, primaryKey, location(node));
    }

    private ViewSpec view(Node node, String path) {
        Map<String, Field> fields = mapping(node, path,
                "a view: a mapping with the keys " + String.join(", ", VIEW_KEYS), VIEW_KEYS);
        if (fields == null) {
            return null;
        }
        String name = requiredScalar(fields, node, path, "name", "a view name");
        String sql = requiredScalar(fields, node, path, "sql", "the text of a Flink SQL SELECT query");
        Location sqlStart = location(node);
        boolean block = false;
        if (sql != null) {
            Field sqlField = fields.get("sql");
            ScalarNode value = (ScalarNode) sqlField.value();
            block = value.getScalarStyle() == ScalarStyle.LITERAL || value.getScalarStyle() == ScalarStyle.FOLDED;
            sqlStart = sqlStart(value, sqlField.keyNode().getStartMark().getColumn());
        }
        return new ViewSpec(name, sql, location(node), sqlStart, block);
    }

    private SinkSpec sink(Node node, String path) {
        Map<String, Field> fields = mapping(node, path,
                "a sink: a mapping with the keys " + String.join(", ", SINK_KEYS), SINK_KEYS);
        if (fields == null) {
            return null;
        }
        String view = requiredScalar(fields, node, path, "view", "the name of a view");
        String table = fields.containsKey("table") ? scalar(fields.get("table"), "a table name") : view;
        Field keyField = fields.get("primary-key");
        List<String> primaryKey = keyField == null ? List.of() : columnNames(keyField);
        SinkSpec.Mode mode;
        if (fields.containsKey("mode")) {
            mode = choice(fields.get("mode"), MODES, null);
        } else {
            mode = keyField == null ? SinkSpec.Mode.APPEND : SinkSpec.Mode.UPSERT;
        }
        if (primaryKey == null) {
            // The primary-key has been reported as malformed; whether it fits the mode cannot be judged.
            mode = null;
        }
        return new SinkSpec(view, table, mode, primaryKey == null ? List.of() : primaryKey, location(node));
    }

    private AlertSpec alert(Node node, String path) {
        Map<String, Field> fields = mapping(node, path,
                "an alert: a mapping with the keys " + String.join(", ", ALERT_KEYS), ALERT_KEYS);
        if (fields == null) {
            return null;
        }
        String name = requiredScalar(fields, node, path, "name", "an alert name");
        String sql = requiredScalar(fields, node, path, "sql",
                "the text of a Flink SQL SELECT query whose rows are alert events");
        Location sqlStart = location(node);
        boolean block = false;
        if (sql != null) {
            Field sqlField = fields.get("sql");
            ScalarNode value = (ScalarNode) sqlField.value();
            block = value.getScalarStyle() == ScalarStyle.LITERAL || value.getScalarStyle() == ScalarStyle.FOLDED;
            sqlStart = sqlStart(value, sqlField.keyNode().getStartMark().getColumn());
        }
        List<String> key = fields.containsKey("key") ? columnNames(fields.get("key")) : List.of();
        String time = fields.containsKey("time") ? scalar(fields.get("time"), "the name of a TIMESTAMP column of the query")
                : AlertSpec.DEFAULT_TIME;
        AlertSpec.Severity severity = choice(fields.get("severity"), SEVERITIES, AlertSpec.Severity.WARNING);
        String message = requiredScalar(fields, node, path, "message",
                "a message template such as 'card {card_id} made {attempts} attempts'");
        Duration forDuration = duration(fields.get("for"), Duration.ZERO, MAX_ALERT_DURATION, "30d");
        Duration cooldown = duration(fields.get("cooldown"), Duration.ZERO, MAX_ALERT_DURATION, "30d");
        Duration resolveAfter = duration(fields.get("resolve-after"), AlertSpec.DEFAULT_RESOLVE_AFTER, MAX_ALERT_DURATION, "30d");
        if (fields.containsKey("resolve-after") && resolveAfter.isZero()) {
            problem(fields.get("resolve-after").value(), fields.get("resolve-after").path(),
                    "resolve-after must be longer than 0s: it is how long without a row before the alert resolves");
        }
        List<String> notify = fields.containsKey("notify") ? columnNamesOf(fields.get("notify"), "a list of notifier names such as [ops_webhook]") : List.of();
        return new AlertSpec(name, sql, location(node), sqlStart, block, key == null ? List.of() : key, time,
                severity == null ? AlertSpec.Severity.WARNING : severity, message, forDuration, cooldown, resolveAfter,
                notify == null ? List.of() : notify);
    }

    private NotifierSpec notifier(Node node, String path) {
        Map<String, Field> fields = mapping(node, path,
                "a notifier: a mapping with the keys " + String.join(", ", NOTIFIER_KEYS), NOTIFIER_KEYS);
        if (fields == null) {
            return null;
        }
        String name = requiredScalar(fields, node, path, "name", "a notifier name");
        NotifierSpec.Type type;
        if (fields.containsKey("type")) {
            type = choice(fields.get("type"), NOTIFIER_TYPES, null);
        } else {
            missing(node, child(path, "type"), "type", "one of: " + String.join(", ", NOTIFIER_TYPES.keySet()));
            type = null;
        }
        String url = null;
        if (type == NotifierSpec.Type.WEBHOOK || type == NotifierSpec.Type.SLACK) {
            url = requiredScalar(fields, node, path, "url",
                    "an http or https URL, or ${env:NAME} to take it from an environment variable");
            if (url != null && !ENV_REFERENCE.matcher(url).matches() && !url.startsWith("https://") && !url.startsWith("http://")) {
                problem(fields.get("url").value(), fields.get("url").path(), "invalid notifier url " + quote(url)
                        + "; expected an http:// or https:// URL, or ${env:NAME} to take it from an environment variable");
            }
        } else if (fields.containsKey("url")) {
            problem(fields.get("url").keyNode(), fields.get("url").path(), "key 'url' applies to webhook and slack notifiers only");
        }
        Optional<String> secret = Optional.empty();
        if (fields.containsKey("secret")) {
            if (type != NotifierSpec.Type.WEBHOOK) {
                problem(fields.get("secret").keyNode(), fields.get("secret").path(), "key 'secret' applies to webhook notifiers only");
            }
            secret = Optional.ofNullable(envReference(fields.get("secret"), "the webhook secret"));
        }
        Optional<NotifierSpec.Smtp> smtp = Optional.empty();
        if (type == NotifierSpec.Type.EMAIL) {
            Field smtpField = fields.get("smtp");
            if (smtpField == null) {
                missing(node, child(path, "smtp"), "smtp", "a mapping with the keys " + String.join(", ", SMTP_KEYS));
            } else {
                smtp = Optional.ofNullable(smtp(smtpField));
            }
        } else if (fields.containsKey("smtp")) {
            problem(fields.get("smtp").keyNode(), fields.get("smtp").path(), "key 'smtp' applies to email notifiers only");
        }
        Boolean allowPrivate = choice(fields.get("allow-private-networks"), BOOLEANS, Boolean.FALSE);
        return new NotifierSpec(name, type, url, secret, smtp, Boolean.TRUE.equals(allowPrivate), location(node));
    }

    private NotifierSpec.Smtp smtp(Field field) {
        Map<String, Field> fields = mapping(field.value(), field.path(),
                "a mapping with the keys " + String.join(", ", SMTP_KEYS), SMTP_KEYS);
        if (fields == null) {
            return null;
        }
        locations.put(field.path(), location(field.value()));
        String host = requiredScalar(fields, field.value(), field.path(), "host", "the SMTP server's host name");
        int port = 587;
        if (fields.containsKey("port")) {
            String text = scalar(fields.get("port"), "a TCP port from 1 to 65535");
            if (text != null && text.matches("[0-9]{1,5}") && Integer.parseInt(text) >= 1 && Integer.parseInt(text) <= 65535) {
                port = Integer.parseInt(text);
            } else if (text != null) {
                problem(fields.get("port").value(), fields.get("port").path(), "expected a TCP port from 1 to 65535, got " + quote(text));
            }
        }
        String from = requiredScalar(fields, field.value(), field.path(), "from", "the sender's e-mail address");
        List<String> to = List.of();
        if (fields.containsKey("to")) {
            List<String> addresses = columnNamesOf(fields.get("to"), "a list of e-mail addresses");
            to = addresses == null ? List.of() : addresses;
        } else {
            missing(field.value(), child(field.path(), "to"), "to", "a list of e-mail addresses");
        }
        Boolean starttls = choice(fields.get("starttls"), BOOLEANS, Boolean.TRUE);
        Optional<String> username = fields.containsKey("username")
                ? Optional.ofNullable(scalar(fields.get("username"), "the SMTP user name")) : Optional.empty();
        Optional<String> password = fields.containsKey("password")
                ? Optional.ofNullable(envReference(fields.get("password"), "the SMTP password")) : Optional.empty();
        if (host == null || from == null) {
            return null;
        }
        return new NotifierSpec.Smtp(host, port, from, to, !Boolean.FALSE.equals(starttls), username, password);
    }

    /** A secret's value: only {@code ${env:NAME}} is accepted, so secrets never sit in pipeline files. */
    private String envReference(Field field, String what) {
        String value = scalar(field, "${env:NAME}, the environment variable that holds " + what);
        if (value == null) {
            return null;
        }
        if (!ENV_REFERENCE.matcher(value).matches()) {
            // The value itself is not quoted: it may be the secret.
            problem(field.value(), field.path(), what + " must be written as ${env:NAME} (an environment variable that "
                    + "holds it), not as a literal value in the pipeline file");
            return null;
        }
        return value;
    }

    /** A list of names with an own expectation text (same shape as column names). */
    private List<String> columnNamesOf(Field field, String expected) {
        if (!(field.value() instanceof SequenceNode)) {
            wrongKind(field.value(), field.path(), expected);
            return null;
        }
        return columnNames(field);
    }

    private List<ColumnSpec> schema(Map<String, Field> ownerFields, Node owner, String ownerPath, boolean notNullAllowed) {
        String expected = "a mapping of column names to Flink SQL types, such as {id: STRING, ts: TIMESTAMP(3)}";
        Field field = ownerFields.get("schema");
        if (field == null) {
            missing(owner, child(ownerPath, "schema"), "schema", expected);
            return List.of();
        }
        Map<String, Field> columns = mapping(field.value(), field.path(), expected, null);
        if (columns == null) {
            return List.of();
        }
        locations.put(field.path(), location(field.value()));
        if (columns.isEmpty() && ((MappingNode) field.value()).getValue().isEmpty()) {
            problem(field.value(), field.path(), "expected at least one column, got an empty mapping");
        }
        List<ColumnSpec> schema = new ArrayList<>();
        for (Field column : columns.values()) {
            Location at = location(column.keyNode());
            String typeText = scalar(column, TYPE_EXPECTED);
            locations.put(column.path(), at);
            String type = null;
            boolean required = false;
            Matcher notNull = typeText == null ? null : NOT_NULL.matcher(typeText);
            if (notNull != null && notNull.matches()) {
                if (notNullAllowed) {
                    required = true;
                    typeText = notNull.group(1);
                } else {
                    problem(column.value(), column.path(), "NOT NULL applies to source columns only; a reference "
                            + "column is null when the file's cell is empty; remove NOT NULL from " + quote(typeText));
                    typeText = notNull.group(1);
                }
            }
            if (typeText != null) {
                try {
                    type = SqlTypes.normalize(typeText);
                } catch (IllegalArgumentException e) {
                    problem(column.value(), column.path(), e.getMessage() + flowCommaHint(column.value(), typeText));
                }
            }
            schema.add(new ColumnSpec(column.key(), type, at, required));
        }
        return schema;
    }

    /** In {@code {amount: DECIMAL(12, 2)}} YAML ends the value at the comma; say so where that happened. */
    private static String flowCommaHint(Node value, String typeText) {
        boolean cut = typeText.contains("(") && !typeText.contains(")");
        if (cut && value instanceof ScalarNode s && s.isPlain()) {
            return " (inside {...} a comma ends the value: quote a type that contains a comma, such as "
                    + "\"DECIMAL(12, 2)\", or write the schema one column per line)";
        }
        return "";
    }

    /** A list of column names, or null (reported) when the value is not a list of names. */
    private List<String> columnNames(Field field) {
        if (!(field.value() instanceof SequenceNode seq)) {
            wrongKind(field.value(), field.path(), "a list of column names such as [merchant_id]");
            return null;
        }
        locations.put(field.path(), location(seq));
        List<String> names = new ArrayList<>();
        boolean valid = true;
        List<Node> items = seq.getValue();
        for (int i = 0; i < items.size(); i++) {
            Node item = items.get(i);
            String itemPath = field.path() + "[" + i + "]";
            if (item instanceof ScalarNode s && !isNull(s)) {
                locations.put(itemPath, location(item));
                names.add(s.getValue());
            } else {
                wrongKind(item, itemPath, "a column name");
                valid = false;
            }
        }
        return valid ? names : null;
    }

    private <E> E choice(Field field, Map<String, E> allowed, E absent) {
        if (field == null) {
            return absent;
        }
        String value = scalar(field, "one of: " + String.join(", ", allowed.keySet()));
        if (value == null) {
            return null;
        }
        E choice = allowed.get(value);
        if (choice == null) {
            problem(field.value(), field.path(), "unknown " + field.key() + " " + quote(value)
                    + "; allowed values are: " + String.join(", ", allowed.keySet()));
        }
        return choice;
    }

    private interface ItemReader<T> {
        T read(Node item, String path);
    }

    private <T> List<T> list(Map<String, Field> fields, Node parent, String parentPath, String key, String noun,
            boolean required, ItemReader<T> reader) {
        Field field = fields.get(key);
        String expected = required ? "a list of at least one " + noun : "a list of " + noun + "s";
        if (field == null) {
            if (required) {
                missing(parent, child(parentPath, key), key, expected);
            }
            return List.of();
        }
        if (!required && isNull(field.value())) {
            return List.of();
        }
        if (!(field.value() instanceof SequenceNode seq)) {
            wrongKind(field.value(), field.path(), expected);
            return List.of();
        }
        locations.put(field.path(), location(seq));
        if (required && seq.getValue().isEmpty()) {
            problem(seq, field.path(), "expected at least one " + noun + ", got an empty list");
        }
        List<T> result = new ArrayList<>();
        List<Node> items = seq.getValue();
        for (int i = 0; i < items.size(); i++) {
            String itemPath = field.path() + "[" + i + "]";
            locations.put(itemPath, location(items.get(i)));
            T item = reader.read(items.get(i), itemPath);
            if (item != null) {
                result.add(item);
            }
        }
        return result;
    }

    /** A key of a mapping with its value node; {@code path} is the dotted key of the value. */
    private record Field(String key, String path, ScalarNode keyNode, Node value) {}

    /**
     * The keys of a mapping in file order, or null (reported) when the node is not a mapping. Duplicate and
     * unknown keys are reported and left out; {@code allowed} null means any key is allowed.
     */
    private Map<String, Field> mapping(Node node, String path, String expected, List<String> allowed) {
        if (!(node instanceof MappingNode mapping)) {
            wrongKind(node, path, expected);
            return null;
        }
        Map<String, Field> fields = new LinkedHashMap<>();
        Map<String, Node> seen = new HashMap<>();
        for (NodeTuple tuple : mapping.getValue()) {
            if (!(tuple.getKeyNode() instanceof ScalarNode keyNode) || isNull(tuple.getKeyNode())) {
                problem(tuple.getKeyNode(), label(path), "expected a key name, got " + describe(tuple.getKeyNode()));
                continue;
            }
            String key = keyNode.getValue();
            String keyPath = child(path, key);
            Node first = seen.putIfAbsent(key, keyNode);
            if (first != null) {
                Mark mark = first.getStartMark();
                problem(keyNode, keyPath, "duplicate key " + quote(key) + "; it is first defined at line "
                        + (mark.getLine() + 1) + ", column " + (mark.getColumn() + 1));
                continue;
            }
            if (allowed != null && !allowed.contains(key)) {
                problem(keyNode, keyPath, unknownKey(key, allowed));
                continue;
            }
            fields.put(key, new Field(key, keyPath, keyNode, tuple.getValueNode()));
        }
        return fields;
    }

    private static String unknownKey(String key, List<String> allowed) {
        String suggestion = "";
        for (String candidate : allowed == SOURCE_KEYS_READ ? SOURCE_KEYS : allowed) {
            if (editDistance(key, candidate) <= Math.min(2, candidate.length() / 3)) {
                suggestion = " (did you mean '" + candidate + "'?)";
                break;
            }
        }
        List<String> listed = allowed == SOURCE_KEYS_READ ? SOURCE_KEYS : allowed;
        return "unknown key " + quote(key) + suggestion + "; allowed keys are: " + String.join(", ", listed);
    }

    private String requiredScalar(Map<String, Field> fields, Node parent, String parentPath, String key,
            String expected) {
        Field field = fields.get(key);
        if (field == null) {
            missing(parent, child(parentPath, key), key, expected);
            return null;
        }
        return scalar(field, expected);
    }

    /** The text of a scalar value, or null (reported) when the value is empty or not a scalar. */
    private String scalar(Field field, String expected) {
        if (!(field.value() instanceof ScalarNode s) || isNull(s)) {
            wrongKind(field.value(), field.path(), expected);
            return null;
        }
        locations.put(field.path(), location(s));
        return s.getValue();
    }

    private void missing(Node parent, String path, String key, String expected) {
        problem(parent, path, "missing required key " + quote(key) + "; expected " + expected);
    }

    private void wrongKind(Node node, String path, String expected) {
        problem(node, label(path), "expected " + expected + ", got " + describe(node));
    }

    private void problem(Node node, String path, String message) {
        problems.add(new SpecProblem(location(node), path, message));
    }

    private Location location(Node node) {
        Mark mark = node.getStartMark();
        return new Location(file, mark.getLine() + 1, mark.getColumn() + 1);
    }

    /**
     * Where the first character of a SQL scalar's text is. The node's mark is where its anchor, tag or indicator
     * starts; block scalar text starts on the line after the {@code |}/{@code >} header, at the block's
     * indentation, and quoted text one column after the opening quote.
     */
    private Location sqlStart(ScalarNode node, int keyColumn) {
        Mark mark = node.getStartMark();
        Cursor at = new Cursor(mark.getIndex(), mark.getLine(), mark.getColumn());
        while (at.index < text.length && (text[at.index] == '&' || text[at.index] == '!')) {
            while (at.index < text.length && !isSpace(text[at.index]) && !isBreak(text[at.index])) {
                at.advance();
            }
            while (at.index < text.length && (isSpace(text[at.index]) || isBreak(text[at.index]))) {
                at.advance();
            }
        }
        ScalarStyle style = node.getScalarStyle();
        if (style == ScalarStyle.LITERAL || style == ScalarStyle.FOLDED) {
            return blockStart(at, keyColumn);
        }
        int column = at.column + (style == ScalarStyle.PLAIN ? 1 : 2);
        return new Location(file, at.line + 1, column);
    }

    private Location blockStart(Cursor at, int keyColumn) {
        int explicitIndent = 0;
        at.advance();
        while (at.index < text.length && !isBreak(text[at.index])) {
            int c = text[at.index];
            if (c >= '1' && c <= '9' && explicitIndent == 0) {
                explicitIndent = c - '0';
            } else if (c != '+' && c != '-') {
                break;
            }
            at.advance();
        }
        int contentLine = at.line + 1;
        int indent;
        if (explicitIndent > 0) {
            indent = keyColumn + explicitIndent;
        } else {
            while (at.index < text.length && !isBreak(text[at.index])) {
                at.advance();
            }
            indent = keyColumn + 1;
            while (at.index < text.length) {
                at.advance();
                int spaces = 0;
                while (at.index < text.length && text[at.index] == ' ') {
                    spaces++;
                    at.advance();
                }
                if (at.index < text.length && !isBreak(text[at.index])) {
                    // A less indented line ends an empty block; the text would have started one column in.
                    indent = spaces > keyColumn ? spaces : keyColumn + 1;
                    break;
                }
            }
        }
        return new Location(file, contentLine + 1, indent + 1);
    }

    /** A position in the text that follows YAML's line breaks the way SnakeYAML's marks count them. */
    private final class Cursor {
        int index;
        int line;
        int column;

        Cursor(int index, int line, int column) {
            this.index = index;
            this.line = line;
            this.column = column;
        }

        void advance() {
            int c = text[index++];
            if (c == '\r' && index < text.length && text[index] == '\n') {
                index++;
            }
            if (isBreak(c)) {
                line++;
                column = 0;
            } else {
                column++;
            }
        }
    }

    private static boolean isBreak(int c) {
        return c == '\n' || c == '\r' || c == '\u0085' || c == '\u2028' || c == '\u2029';
    }

    private static boolean isSpace(int c) {
        return c == ' ' || c == '\t';
    }

    private static boolean isNull(Node node) {
        return node instanceof ScalarNode && Tag.NULL.equals(node.getTag());
    }

    private static String describe(Node node) {
        if (node instanceof MappingNode) {
            return "a mapping";
        }
        if (node instanceof SequenceNode) {
            return "a list";
        }
        if (isNull(node)) {
            return "an empty value";
        }
        return "a scalar " + quote(((ScalarNode) node).getValue());
    }

    /** The value in single quotes, shortened to one line of at most 60 characters. */
    static String quote(String value) {
        String line = value.strip().replaceAll("\\s+", " ");
        return "'" + (line.length() > 60 ? line.substring(0, 57) + "..." : line) + "'";
    }

    private static String child(String path, String key) {
        return path.isEmpty() ? key : path + "." + key;
    }

    private static String label(String path) {
        return path.isEmpty() ? DOCUMENT : path;
    }

    private static <E> Map<String, E> orderedMap3(String k1, E v1, String k2, E v2, String k3, E v3) {
        Map<String, E> map = orderedMap(k1, v1, k2, v2);
        map.put(k3, v3);
        return map;
    }

    private static <E> Map<String, E> orderedMap(String k1, E v1, String k2, E v2) {
        Map<String, E> map = new LinkedHashMap<>();
        map.put(k1, v1);
        map.put(k2, v2);
        return map;
    }

    /** Edits (insert, delete, replace, swap two neighbours) that turn {@code a} into {@code b}. */
    private static int editDistance(String a, String b) {
        int[][] d = new int[a.length() + 1][b.length() + 1];
        for (int i = 0; i <= a.length(); i++) {
            d[i][0] = i;
        }
        for (int j = 0; j <= b.length(); j++) {
            d[0][j] = j;
        }
        for (int i = 1; i <= a.length(); i++) {
            for (int j = 1; j <= b.length(); j++) {
                int cost = a.charAt(i - 1) == b.charAt(j - 1) ? 0 : 1;
                d[i][j] = Math.min(Math.min(d[i - 1][j] + 1, d[i][j - 1] + 1), d[i - 1][j - 1] + cost);
                if (i > 1 && j > 1 && a.charAt(i - 1) == b.charAt(j - 2) && a.charAt(i - 2) == b.charAt(j - 1)) {
                    d[i][j] = Math.min(d[i][j], d[i - 2][j - 2] + 1);
                }
            }
        }
        return d[a.length()][b.length()];
    }
}
