package dev.sluice.ingest;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.sluice.spec.ColumnSpec;
import dev.sluice.spec.PipelineSpec;
import dev.sluice.spec.SpecParser;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Checks a generated record against the first source schema of an example pipeline, independently of the
 * generators: strict JSON, exactly the schema's fields in its order, each value of its column's type.
 */
final class SchemaConformance {

    private static final ObjectMapper MAPPER = new ObjectMapper()
            .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
            .enable(DeserializationFeature.USE_BIG_DECIMAL_FOR_FLOATS)
            .enable(JsonParser.Feature.STRICT_DUPLICATE_DETECTION);
    private static final Pattern DECIMAL = Pattern.compile("DECIMAL\\((\\d+), (\\d+)\\)");

    private final List<ColumnSpec> schema;
    private final String timeColumn;

    private SchemaConformance(List<ColumnSpec> schema, String timeColumn) {
        this.schema = schema;
        this.timeColumn = timeColumn;
    }

    /** The schema of the first source of {@code examples/<example>/pipeline.yaml}. */
    static SchemaConformance ofExample(String example) {
        PipelineSpec spec = new SpecParser().parse(Path.of("..", "examples", example, "pipeline.yaml"));
        return new SchemaConformance(spec.sources().get(0).schema(), spec.sources().get(0).eventTime().column());
    }

    List<String> columns() {
        List<String> names = new ArrayList<>();
        schema.forEach(c -> names.add(c.name()));
        return names;
    }

    /** Why the record does not fit the schema, or empty if it does. */
    Optional<String> problem(byte[] value) {
        JsonNode node;
        try {
            node = MAPPER.readTree(value);
        } catch (IOException e) {
            return Optional.of("not JSON: " + e.getMessage());
        }
        if (node == null || !node.isObject()) {
            return Optional.of("not a JSON object");
        }
        Iterator<String> names = node.fieldNames();
        for (ColumnSpec column : schema) {
            if (!names.hasNext()) {
                return Optional.of("missing field " + column.name());
            }
            String name = names.next();
            if (!name.equals(column.name())) {
                return Optional.of("field " + name + " where " + column.name() + " was expected");
            }
            Optional<String> problem = typeProblem(column, node.get(name));
            if (problem.isPresent()) {
                return problem;
            }
        }
        return names.hasNext() ? Optional.of("extra field " + names.next()) : Optional.empty();
    }

    /** The event time of a conforming record. */
    Instant eventTime(byte[] value) throws IOException {
        return Instant.parse(MAPPER.readTree(value).get(timeColumn).asText());
    }

    private Optional<String> typeProblem(ColumnSpec column, JsonNode value) {
        if (value.isNull()) {
            return column.name().equals(timeColumn) ? Optional.of("null event time") : Optional.empty();
        }
        String type = column.type();
        boolean ok;
        Matcher decimal = DECIMAL.matcher(type);
        if (decimal.matches()) {
            int precision = Integer.parseInt(decimal.group(1));
            int scale = Integer.parseInt(decimal.group(2));
            ok = value.isNumber() && value.decimalValue().scale() <= scale
                    && value.decimalValue().precision() - value.decimalValue().scale() <= precision - scale;
        } else {
            ok = switch (type) {
                case "STRING" -> value.isTextual();
                case "BOOLEAN" -> value.isBoolean();
                case "INT" -> value.isIntegralNumber() && value.canConvertToInt();
                case "BIGINT" -> value.isIntegralNumber() && value.canConvertToLong();
                case "DOUBLE" -> value.isNumber();
                case "TIMESTAMP(3)" -> value.isTextual() && isInstant(value.asText());
                default -> throw new IllegalStateException("Type " + type + " of column " + column.name()
                        + " is not handled by this test");
            };
        }
        return ok ? Optional.empty() : Optional.of("field " + column.name() + " is not " + type + ": " + value);
    }

    private static boolean isInstant(String text) {
        try {
            Instant.parse(text);
            return text.length() == 24;
        } catch (DateTimeParseException e) {
            return false;
        }
    }
}
