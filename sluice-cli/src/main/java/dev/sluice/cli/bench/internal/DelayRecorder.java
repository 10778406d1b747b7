package dev.sluice.cli.bench.internal;

import dev.sluice.cli.bench.BenchReport;
import dev.sluice.storage.RowListener;
import java.time.Instant;
import java.time.LocalDateTime;
import java.time.ZoneOffset;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Measures, for every stored row, the time from its {@link Scenario.Origin} to the commit that made it visible, exactly
 * (every delay kept, percentiles by rank). Also notes when the first row was stored. Fed by the loader thread.
 */
public final class DelayRecorder implements RowListener {
    private final Map<String, Integer> originColumns = new HashMap<>();
    private final Map<String, Scenario.Origin> origins = new HashMap<>();
    private final Map<String, long[]> delays = new HashMap<>();
    private final Map<String, Integer> counts = new HashMap<>();
    private final Map<String, Integer> closedByMarkers = new HashMap<>();
    private final AtomicLong firstStoredAt = new AtomicLong(-1);
    private volatile boolean recording;
    private volatile long markersSentAt = Long.MAX_VALUE;

    /**
     * @param columns per qualified table name, its columns in table order
     * @param byTable per table name, what a row's delay counts from
     */
    public DelayRecorder(Map<String, List<String>> columns, Map<String, Scenario.Origin> byTable) {
        columns.forEach((qualified, names) -> {
            String table = qualified.substring(qualified.indexOf('.') + 1);
            Scenario.Origin origin = byTable.get(table);
            if (origin != null) {
                int index = names.indexOf(origin.column());
                if (index < 0) {
                    throw new IllegalArgumentException("Table " + qualified + " has no column '" + origin.column()
                            + "' to measure delays from; its columns are " + names);
                }
                originColumns.put(qualified, index);
                origins.put(qualified, origin);
            }
        });
    }

    /** From now on, delays are recorded (rows stored before are counted as stored, but not measured). */
    public void startRecording() {
        recording = true;
    }

    /**
     * The end markers were sent at {@code epochMillis}: a row whose origin is later was closed by them (a window or
     * session no event of the stream could close yet), not by the stream, and its delay says nothing; such rows are
     * counted, not measured.
     */
    public void markersSentAt(long epochMillis) {
        markersSentAt = epochMillis;
    }

    @Override
    public synchronized void stored(String table, List<String[]> rows, Instant committedAt) {
        firstStoredAt.compareAndSet(-1, committedAt.toEpochMilli());
        Integer column = originColumns.get(table);
        if (!recording || column == null) {
            return;
        }
        long at = committedAt.toEpochMilli();
        long after = origins.get(table).after().toMillis();
        long[] values = delays.computeIfAbsent(table, t -> new long[1024]);
        int n = counts.getOrDefault(table, 0);
        for (String[] row : rows) {
            String text = row[column];
            if (text == null) {
                continue;
            }
            long origin = parse(text) + after;
            if (origin > markersSentAt) {
                closedByMarkers.merge(table, 1, Integer::sum);
                continue;
            }
            if (n == values.length) {
                values = Arrays.copyOf(values, n * 2);
                delays.put(table, values);
            }
            values[n++] = at - origin;
        }
        counts.put(table, n);
    }

    /** Epoch millis of the first commit that stored a row, or -1. */
    public long firstStoredAtMillis() {
        return firstStoredAt.get();
    }

    /** Per table name, the delay percentiles of the rows recorded so far. */
    public synchronized Map<String, BenchReport.Delays> summary() {
        Map<String, BenchReport.Delays> out = new HashMap<>();
        delays.forEach((qualified, values) -> {
            int n = counts.get(qualified);
            if (n == 0) {
                return;
            }
            long[] sorted = Arrays.copyOf(values, n);
            Arrays.sort(sorted);
            int skipped = closedByMarkers.getOrDefault(qualified, 0);
            String origin = origins.get(qualified).description() + (skipped == 0 ? ""
                    : "; " + skipped + " rows closed by the end markers, not by the stream, are not measured");
            out.put(qualified.substring(qualified.indexOf('.') + 1), new BenchReport.Delays(origin, n,
                    rank(sorted, 50), rank(sorted, 95), rank(sorted, 99), sorted[n - 1]));
        });
        return out;
    }

    /** The value at or below which {@code percent}% of the sorted values lie (nearest rank). */
    static long rank(long[] sorted, double percent) {
        int index = (int) Math.ceil(percent / 100.0 * sorted.length) - 1;
        return sorted[Math.max(0, Math.min(sorted.length - 1, index))];
    }

    /** A TIMESTAMP column's canonical text ({@code 2026-11-24T15:00:00.123} or with a space) as epoch millis, read as UTC. */
    static long parse(String text) {
        return LocalDateTime.parse(text.replace(' ', 'T')).toInstant(ZoneOffset.UTC).toEpochMilli();
    }
}
