package dev.sluice.server.usecases;

import java.math.BigDecimal;
import java.math.BigInteger;
import java.time.Instant;
import java.time.LocalDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Window arithmetic and row formatting shared by the use cases' expectations. Everything here is plain Java over the
 * events the test sent; nothing runs SQL.
 */
final class Oracle {
    static final long SECOND = 1000;
    static final long MINUTE = 60 * SECOND;
    /** The sources' {@code max-out-of-orderness} (5 s) plus the 1 ms Flink subtracts. */
    static final long OUT_OF_ORDERNESS = 5 * SECOND + 1;

    private Oracle() {}

    /**
     * The watermark a source reaches once every partition has been read: the lowest over the partitions of the largest
     * event time in it, minus the out-of-orderness.
     */
    static long finalWatermark(List<Event> events) {
        long[] max = new long[Event.PARTITIONS];
        Arrays.fill(max, Long.MIN_VALUE);
        for (Event e : events) {
            max[e.partition()] = Math.max(max[e.partition()], e.ts());
        }
        long min = Long.MAX_VALUE;
        for (long m : max) {
            min = Math.min(min, m);
        }
        return min - OUT_OF_ORDERNESS;
    }

    /** Whether a window ending (exclusively) at {@code end} has fired at watermark {@code wm}. */
    static boolean fired(long end, long wm) {
        return end - 1 <= wm;
    }

    static long tumble(long ts, long size) {
        return Math.floorDiv(ts, size) * size;
    }

    /** Starts of the hopping windows of {@code size} sliding by {@code slide} that contain {@code ts}. */
    static List<Long> hops(long ts, long slide, long size) {
        List<Long> starts = new ArrayList<>();
        for (long s = tumble(ts, slide); s > ts - size; s -= slide) {
            starts.add(s);
        }
        return starts;
    }

    static LocalDateTime time(long millis) {
        return LocalDateTime.ofInstant(Instant.ofEpochMilli(millis), ZoneOffset.UTC);
    }

    /** One value as both sides are compared: decimals without trailing zeros, whole numbers as longs. */
    static String text(Object v) {
        if (v == null) {
            return "null";
        }
        if (v instanceof BigDecimal d) {
            return d.signum() == 0 ? "0" : d.stripTrailingZeros().toPlainString();
        }
        if (v instanceof Double || v instanceof Float) {
            return Double.toString(((Number) v).doubleValue());
        }
        if (v instanceof Integer || v instanceof Long || v instanceof Short || v instanceof Byte || v instanceof BigInteger) {
            return v.toString();
        }
        if (v instanceof LocalDateTime t) {
            return java.time.format.DateTimeFormatter.ISO_LOCAL_DATE_TIME.format(t);
        }
        return v.toString();
    }

    static List<String> row(Object... values) {
        List<String> row = new ArrayList<>(values.length);
        for (Object v : values) {
            row.add(text(v));
        }
        return row;
    }

    /** Rows in a fixed order, so that two row sets compare as lists. */
    static List<List<String>> sorted(List<List<String>> rows) {
        List<List<String>> copy = new ArrayList<>(rows);
        copy.sort(Comparator.comparing(r -> String.join("\u0001", r)));
        return copy;
    }

    /** Expected tables of one pipeline: table name to its rows, in a fixed order. */
    static final class Tables {
        private final Map<String, List<List<String>>> tables = new TreeMap<>();

        void add(String table, List<String> row) {
            tables.computeIfAbsent(table, t -> new ArrayList<>()).add(row);
        }

        void declare(String table) {
            tables.computeIfAbsent(table, t -> new ArrayList<>());
        }

        Map<String, List<List<String>>> sortedTables() {
            Map<String, List<List<String>>> out = new TreeMap<>();
            tables.forEach((t, rows) -> out.put(t, sorted(rows)));
            return out;
        }
    }
}
