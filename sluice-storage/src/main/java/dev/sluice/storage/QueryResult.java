package dev.sluice.storage;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/**
 * The rows of a read-only query, ready to serialize as JSON: every value is null, {@link String}, {@link Integer},
 * {@link Long}, {@link Double}, {@link java.math.BigDecimal} or {@link Boolean}. Dates, times and timestamps are ISO
 * text ({@code 2026-11-24}, {@code 15:00:00}, {@code 2026-11-24T15:00:00.123}, and {@code 2026-11-24T15:00:00.123Z}
 * for TIMESTAMPTZ); NaN and infinities are the strings {@code "NaN"}, {@code "Infinity"}, {@code "-Infinity"}; other
 * types are DuckDB's text for them.
 *
 * @param truncated true when the query had more rows than were asked for
 */
public record QueryResult(List<ResultColumn> columns, List<List<Object>> rows, boolean truncated) {
    public QueryResult {
        columns = List.copyOf(columns);
        // Rows may hold nulls, which List.copyOf refuses.
        List<List<Object>> copy = new ArrayList<>(rows.size());
        for (List<Object> row : rows) {
            copy.add(Collections.unmodifiableList(new ArrayList<>(row)));
        }
        rows = Collections.unmodifiableList(copy);
    }
}
