package dev.sluice.spec;

import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The Flink SQL column types a pipeline spec may use, and their canonical spelling.
 *
 * <p>Schemas are written by people ({@code decimal(12,2)}, {@code integer}, {@code timestamp}); everything after
 * the parser compares types as strings, so {@link #normalize} turns each accepted spelling into exactly one
 * canonical text that Flink also accepts: upper case, no optional parts left implicit, one space after the comma
 * of {@code DECIMAL}.
 *
 * <pre>{@code
 * SqlTypes.normalize("decimal( 12,2 )");   // "DECIMAL(12, 2)"
 * SqlTypes.normalize("timestamp");         // "TIMESTAMP(6)"
 * SqlTypes.isEventTimeType("TIMESTAMP(3)"); // true
 * }</pre>
 */
public final class SqlTypes {

    /** The accepted spellings, as shown to users in error messages. */
    public static final String ALLOWED = "STRING, VARCHAR(n), CHAR(n), BOOLEAN, TINYINT, SMALLINT, INT, INTEGER, "
            + "BIGINT, FLOAT, DOUBLE, DECIMAL(p, s), DECIMAL(p), DATE, TIME, TIME(p), TIMESTAMP, TIMESTAMP(p), "
            + "TIMESTAMP_LTZ, TIMESTAMP_LTZ(p)";

    private static final Pattern TYPE = Pattern.compile(
            "\\s*([A-Za-z_]+)\\s*(?:\\(\\s*([0-9]+)\\s*(?:,\\s*([0-9]+)\\s*)?\\))?\\s*");

    private SqlTypes() {}

    /**
     * Returns the canonical text of a Flink SQL type: {@code INTEGER} becomes {@code INT}, {@code DECIMAL(p)}
     * becomes {@code DECIMAL(p, 0)}, {@code TIME} becomes {@code TIME(0)}, {@code TIMESTAMP} and
     * {@code TIMESTAMP_LTZ} get Flink's default precision 6. Case and whitespace do not matter.
     *
     * @throws IllegalArgumentException if the type is not one of {@link #ALLOWED} or a length, precision or scale
     *                                  is out of range; the message names the type and what is allowed
     */
    public static String normalize(String typeText) {
        if (typeText == null || typeText.isBlank()) {
            throw new IllegalArgumentException("type is empty; allowed types are: " + ALLOWED);
        }
        Matcher m = TYPE.matcher(typeText);
        if (!m.matches()) {
            throw unsupported(typeText);
        }
        String name = m.group(1).toUpperCase(Locale.ROOT);
        String first = m.group(2);
        String second = m.group(3);
        return switch (name) {
            case "STRING", "BOOLEAN", "TINYINT", "SMALLINT", "BIGINT", "FLOAT", "DOUBLE", "DATE" -> {
                noParameters(typeText, name, first);
                yield name;
            }
            case "INT", "INTEGER" -> {
                noParameters(typeText, name, first);
                yield "INT";
            }
            case "VARCHAR", "CHAR" -> {
                if (first == null) {
                    throw invalid(typeText, name + " needs a length, for example " + name
                            + "(255); use STRING for text of any length");
                }
                oneParameter(typeText, name, second);
                yield name + "(" + inRange(typeText, name + " length", first, 1, Integer.MAX_VALUE) + ")";
            }
            case "DECIMAL" -> {
                if (first == null) {
                    throw invalid(typeText, "DECIMAL needs a precision, for example DECIMAL(12, 2) "
                            + "(precision 1 to 38, scale 0 to precision)");
                }
                int precision = inRange(typeText, "DECIMAL precision", first, 1, 38);
                int scale = second == null ? 0 : inRange(typeText, "DECIMAL scale", second, 0, precision);
                yield "DECIMAL(" + precision + ", " + scale + ")";
            }
            case "TIME" -> {
                oneParameter(typeText, name, second);
                yield "TIME(" + (first == null ? 0 : inRange(typeText, "TIME precision", first, 0, 3)) + ")";
            }
            case "TIMESTAMP", "TIMESTAMP_LTZ" -> {
                oneParameter(typeText, name, second);
                yield name + "(" + (first == null ? 6 : inRange(typeText, name + " precision", first, 0, 9)) + ")";
            }
            default -> throw unsupported(typeText);
        };
    }

    /**
     * Whether a column of this canonical type can carry event time: Flink watermarks need millisecond
     * timestamps, {@code TIMESTAMP(3)} or {@code TIMESTAMP_LTZ(3)}.
     */
    public static boolean isEventTimeType(String canonical) {
        return "TIMESTAMP(3)".equals(canonical) || "TIMESTAMP_LTZ(3)".equals(canonical);
    }

    private static void noParameters(String typeText, String name, String first) {
        if (first != null) {
            throw invalid(typeText, name + " takes no length or precision; write " + name);
        }
    }

    private static void oneParameter(String typeText, String name, String second) {
        if (second != null) {
            throw invalid(typeText, name + " takes one parameter, got two");
        }
    }

    private static int inRange(String typeText, String what, String digits, int min, int max) {
        long value = digits.length() > 10 ? Long.MAX_VALUE : Long.parseLong(digits);
        if (value < min || value > max) {
            throw invalid(typeText, what + " must be from " + min + " to " + max + ", got " + digits);
        }
        return (int) value;
    }

    private static IllegalArgumentException invalid(String typeText, String reason) {
        return new IllegalArgumentException("invalid type '" + typeText.strip() + "': " + reason);
    }

    private static IllegalArgumentException unsupported(String typeText) {
        return new IllegalArgumentException(
                "unsupported type '" + typeText.strip() + "'; allowed types are: " + ALLOWED);
    }
}
