package dev.sluice.cli.bench.internal;

import java.math.BigDecimal;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/** Compares the rows a query returns with expected rows, both as lists of column values keyed by their first columns. */
final class Expected {
    private static final int SHOWN = 5;

    private Expected() {}

    /**
     * Runs {@code sql}, whose first {@code keyColumns} columns form the key, and compares every row with {@code expected}
     * (key -> the remaining values, numbers compared by value).
     */
    static List<String> compare(Connection c, String table, String sql, int keyColumns, Map<List<Object>, List<Object>> expected)
            throws SQLException {
        Map<List<Object>, List<Object>> actual = new HashMap<>();
        List<String> problems = new ArrayList<>();
        int duplicates = 0;
        try (Statement s = c.createStatement(); ResultSet rs = s.executeQuery(sql)) {
            int columns = rs.getMetaData().getColumnCount();
            while (rs.next()) {
                List<Object> key = new ArrayList<>(keyColumns);
                List<Object> values = new ArrayList<>(columns - keyColumns);
                for (int i = 1; i <= columns; i++) {
                    (i <= keyColumns ? key : values).add(normal(rs.getObject(i)));
                }
                if (actual.put(key, values) != null) {
                    duplicates++;
                }
            }
        }
        if (duplicates > 0) {
            problems.add(table + ": " + duplicates + " keys stored more than once");
        }
        int missing = 0;
        int wrong = 0;
        Map<List<Object>, List<Object>> wanted = new HashMap<>();
        expected.forEach((k, v) -> wanted.put(normalAll(k), normalAll(v)));
        for (Map.Entry<List<Object>, List<Object>> e : wanted.entrySet()) {
            List<Object> got = actual.get(e.getKey());
            List<Object> want = e.getValue();
            if (got == null) {
                if (missing++ < SHOWN) {
                    problems.add(table + ": missing " + e.getKey() + " -> " + want);
                }
            } else if (!got.equals(want)) {
                if (wrong++ < SHOWN) {
                    problems.add(table + ": " + e.getKey() + " is " + got + ", expected " + want);
                }
            }
        }
        int extra = 0;
        for (List<Object> key : actual.keySet()) {
            if (!wanted.containsKey(key) && extra++ < SHOWN) {
                problems.add(table + ": unexpected row " + key + " -> " + actual.get(key));
            }
        }
        if (missing + wrong + extra > 0) {
            problems.add(String.format("%s: %,d rows stored, %,d expected; %,d missing, %,d wrong, %,d unexpected", table,
                    actual.size(), wanted.size(), missing, wrong, extra));
        }
        return problems;
    }

    private static List<Object> normalAll(List<Object> values) {
        List<Object> out = new ArrayList<>(values.size());
        for (Object v : values) {
            out.add(normal(v));
        }
        return out;
    }

    /** Numbers as plain decimals without trailing zeros, so that 12, 12L and 12.00 are equal. */
    static Object normal(Object value) {
        if (value instanceof BigDecimal d) {
            return d.signum() == 0 ? BigDecimal.ZERO : d.stripTrailingZeros();
        }
        if (value instanceof Long || value instanceof Integer || value instanceof Short || value instanceof java.math.BigInteger) {
            return new BigDecimal(value.toString()).stripTrailingZeros();
        }
        return value;
    }
}
