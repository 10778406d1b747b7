package dev.sluice.cli.faults;

import java.util.Map;
import java.util.TreeMap;

/**
 * The reference model: from the valid events that were sent, in plain Java and independent of Flink and SQL, the exact
 * contents the three tables of {@link FaultPipeline} must have once every event is processed and every window of the
 * real events has closed. Flush events ({@link Workload#flushEvents}) count in {@code per_key} and {@code all_events};
 * their own windows never close, so they are not expected in {@code per_window}.
 */
final class Oracle {
    /** Per key: event count, highest sequence number, sum of values. */
    record KeyTotals(long n, long maxSeq, long total) {}

    /** Per key and window start (epoch ms): event count and sum of values. */
    record WindowKey(String key, long windowStart) implements Comparable<WindowKey> {
        @Override
        public int compareTo(WindowKey o) {
            int c = key.compareTo(o.key);
            return c != 0 ? c : Long.compare(windowStart, o.windowStart);
        }
    }

    record WindowTotals(long n, long total) {}

    private final long windowMillis;
    private final Map<String, long[]> keys = new TreeMap<>();
    private final Map<WindowKey, long[]> windows = new TreeMap<>();
    private long events;
    private long malformed;

    Oracle(long windowMillis) {
        this.windowMillis = windowMillis;
    }

    /** A valid event was sent (and acknowledged). */
    void sent(Workload.Event e) {
        long[] k = keys.computeIfAbsent(e.key(), x -> new long[3]);
        k[0]++;
        k[1] = Math.max(k[1], e.seq());
        k[2] += e.value();
        events++;
    }

    /** A real event (not a flush event) also counts in its window. */
    void sentInWindow(Workload.Event e) {
        sent(e);
        long start = Math.floorDiv(e.tsMillis(), windowMillis) * windowMillis;
        long[] w = windows.computeIfAbsent(new WindowKey(e.key(), start), x -> new long[2]);
        w[0]++;
        w[1] += e.value();
    }

    void sentMalformed() {
        malformed++;
    }

    long events() {
        return events;
    }

    long malformed() {
        return malformed;
    }

    Map<String, KeyTotals> perKey() {
        Map<String, KeyTotals> out = new TreeMap<>();
        keys.forEach((k, v) -> out.put(k, new KeyTotals(v[0], v[1], v[2])));
        return out;
    }

    Map<WindowKey, WindowTotals> perWindow() {
        Map<WindowKey, WindowTotals> out = new TreeMap<>();
        windows.forEach((k, v) -> out.put(k, new WindowTotals(v[0], v[1])));
        return out;
    }
}
