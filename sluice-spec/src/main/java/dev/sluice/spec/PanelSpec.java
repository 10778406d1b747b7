package dev.sluice.spec;

import java.util.Arrays;
import java.util.List;
import java.util.Optional;

/**
 * One panel of a {@link DashboardSpec}, in the manner of Grafana's panel model: a query, a visual, and the visual's
 * options, which name the query's result columns it shows.
 *
 * @param title       the panel's heading
 * @param visual      how the result is shown
 * @param sql         one read-only SELECT over the pipeline's storage tables (the rules of the query API); checked
 *                    against storage when the pipeline is deployed
 * @param options     which columns the visual shows, and how
 * @param location    where the panel starts in the pipeline file
 * @param sqlLocation where the SQL text starts, for problems found in it at deploy time
 */
public record PanelSpec(String title, Visual visual, String sql, Options options, Location location, Location sqlLocation) {

    /** The visuals a panel can have, with the options each needs and takes. */
    public enum Visual {
        /** Lines over time: {@code x} a time column, {@code y} one or more number columns, or one {@code y} split by {@code series}. */
        TIMESERIES("timeseries", List.of("x", "y"), List.of("series", "unit")),
        /** Bars per category: {@code x} the category, {@code y} the values, optionally stacked by {@code series}. */
        BAR("bar", List.of("x", "y"), List.of("series", "unit")),
        /** The rows as a table, all columns in query order. */
        TABLE("table", List.of(), List.of()),
        /** One big number, the {@code value} column of the first row, with its trend against the second row. */
        STAT("stat", List.of("value"), List.of("unit")),
        /** A ranked list of the first {@code limit} rows: {@code label} and {@code value}. */
        TOP("top", List.of("label", "value"), List.of("limit", "unit")),
        /** Points on longitude/latitude axes (no map tiles are needed): {@code lat}, {@code lon}, optionally a {@code label} and a {@code value} for the size. */
        MAP("map", List.of("lat", "lon"), List.of("label", "value"));

        private final String key;
        private final List<String> required;
        private final List<String> optional;

        Visual(String key, List<String> required, List<String> optional) {
            this.key = key;
            this.required = required;
            this.optional = optional;
        }

        /** The word used in the pipeline file and the API. */
        public String key() {
            return key;
        }

        /** Options this visual cannot do without. */
        public List<String> requiredOptions() {
            return required;
        }

        /** Every option this visual takes, {@code size} included. */
        public List<String> allowedOptions() {
            List<String> all = new java.util.ArrayList<>(required);
            all.addAll(optional);
            all.add("size");
            return List.copyOf(all);
        }

        public static Optional<Visual> of(String key) {
            return Arrays.stream(values()).filter(v -> v.key.equals(key)).findFirst();
        }
    }

    /** How much of the dashboard's width a panel takes: a quarter, half, three quarters or all of it. */
    public enum Size {
        SMALL, MEDIUM, LARGE, FULL;

        public String key() {
            return name().toLowerCase(java.util.Locale.ROOT);
        }
    }

    /**
     * The columns a visual shows (by their names in the query's result) and how it shows them; unset options are
     * null (or empty for {@code y}).
     *
     * @param x      time or category column (timeseries, bar)
     * @param y      value columns (timeseries, bar)
     * @param series column whose values split one {@code y} into several lines or stacked bars
     * @param label  name column (top, map)
     * @param value  number column (stat, top; the point size of a map)
     * @param lat    latitude column in degrees (map)
     * @param lon    longitude column in degrees (map)
     * @param limit  how many rows a top list shows (default 10)
     * @param unit   text shown after values, such as {@code EUR} or {@code /s}
     * @param size   the panel's width
     */
    public record Options(String x, List<String> y, String series, String label, String value, String lat, String lon,
            Integer limit, String unit, Size size) {
        public static final int DEFAULT_LIMIT = 10;

        public Options {
            y = y == null ? List.of() : List.copyOf(y);
            size = size == null ? Size.MEDIUM : size;
        }

        /** Every result column the options name, in the order x, y, series, label, value, lat, lon. */
        public List<String> columns() {
            List<String> columns = new java.util.ArrayList<>();
            if (x != null) {
                columns.add(x);
            }
            columns.addAll(y);
            for (String c : new String[] {series, label, value, lat, lon}) {
                if (c != null) {
                    columns.add(c);
                }
            }
            return columns;
        }
    }
}
