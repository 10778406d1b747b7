package dev.sluice.cli.faults;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * Compares the stored tables of {@link FaultPipeline} with the {@link Oracle} and reports, by table and key, what was
 * lost, what was duplicated and what is wrong. Large tables are compared by per-key aggregates in SQL first (count,
 * distinct sequence numbers, sum of values); only a key that differs is read row by row, to name the missing or
 * doubled sequence numbers.
 */
final class ResultCheck {
    private static final int MAX_LISTED = 10;

    /** Runs one read-only query against storage and returns its rows. */
    interface Sql {
        List<List<Object>> rows(String sql);
    }

    /** What the check found; {@link #exact()} when nothing. */
    record Report(long lost, long duplicated, long wrong, long deadLetters, long lateEvents, List<String> problems, String summary) {
        boolean exact() {
            return problems.isEmpty();
        }

        @Override
        public String toString() {
            StringBuilder b = new StringBuilder(summary);
            if (!problems.isEmpty()) {
                b.append("\n").append(problems.size()).append(" problem(s): lost ").append(lost).append(" event(s), duplicated ")
                        .append(duplicated).append(", wrong rows ").append(wrong);
                problems.stream().limit(40).forEach(p -> b.append("\n  ").append(p));
                if (problems.size() > 40) {
                    b.append("\n  ... and ").append(problems.size() - 40).append(" more");
                }
            }
            return b.toString();
        }
    }

    private final FaultPipeline pipeline;
    private final Sql sql;
    private final List<String> problems = new ArrayList<>();
    private long lost;
    private long duplicated;
    private long wrong;

    private ResultCheck(FaultPipeline pipeline, Sql sql) {
        this.pipeline = pipeline;
        this.sql = sql;
    }

    static Report check(FaultPipeline pipeline, Sql sql, Oracle oracle) {
        return new ResultCheck(pipeline, sql).run(oracle);
    }

    private Report run(Oracle oracle) {
        Map<String, Oracle.KeyTotals> expected = oracle.perKey();
        // First, as it explains the rest: an event routed as late is missing from every table.
        long late = single("SELECT count(*) FROM " + pipeline.table("late_events"));
        if (late != 0) {
            problems.add("late_events: " + late + " event(s) were routed as late (none is late in this workload), e.g. " + sql.rows(
                    "SELECT kafka_partition, kafka_offset, reason FROM " + pipeline.table("late_events") + " ORDER BY kafka_offset LIMIT 2"));
        }
        checkPerKey(expected);
        checkPerWindow(oracle.perWindow());
        checkAllEvents(expected);
        long deadLetters = checkDeadLetters(oracle.malformed());
        String summary = "expected " + oracle.events() + " events over " + expected.size() + " keys and " + oracle.perWindow().size()
                + " windows, " + oracle.malformed() + " dead letters; stored " + single("SELECT count(*) FROM " + pipeline.table("all_events"))
                + " events, " + single("SELECT count(*) FROM " + pipeline.table("per_window")) + " windows, " + deadLetters + " dead letters";
        return new Report(lost, duplicated, wrong, deadLetters, late, List.copyOf(problems), summary);
    }

    private void checkPerKey(Map<String, Oracle.KeyTotals> expected) {
        Map<String, Oracle.KeyTotals> actual = new TreeMap<>();
        for (List<Object> r : sql.rows("SELECT k, n, max_seq, total FROM " + pipeline.table("per_key"))) {
            actual.put((String) r.get(0), new Oracle.KeyTotals(asLong(r.get(1)), asLong(r.get(2)), asLong(r.get(3))));
        }
        compare("per_key", expected, actual, Oracle.KeyTotals::n);
    }

    private void checkPerWindow(Map<Oracle.WindowKey, Oracle.WindowTotals> expected) {
        Map<Oracle.WindowKey, Oracle.WindowTotals> actual = new TreeMap<>();
        for (List<Object> r : sql.rows("SELECT k, epoch_ms(window_start), n, total FROM " + pipeline.table("per_window"))) {
            actual.put(new Oracle.WindowKey((String) r.get(0), asLong(r.get(1))), new Oracle.WindowTotals(asLong(r.get(2)), asLong(r.get(3))));
        }
        compare("per_window", expected, actual, Oracle.WindowTotals::n);
    }

    /** Missing and surplus counts are lost and duplicated events; equal counts with other differing values are wrong rows. */
    private <K, V> void compare(String table, Map<K, V> expected, Map<K, V> actual, java.util.function.ToLongFunction<V> count) {
        Set<K> all = new TreeSet<>(expected.keySet());
        all.addAll(actual.keySet());
        for (K key : all) {
            V e = expected.get(key);
            V a = actual.get(key);
            if (e != null && e.equals(a)) {
                continue;
            }
            if (a == null) {
                lost += count.applyAsLong(e);
                problems.add(table + " " + key + ": lost, the row is missing (expected " + e + ")");
            } else if (e == null) {
                duplicated += count.applyAsLong(a);
                problems.add(table + " " + key + ": unexpected row " + a);
            } else if (count.applyAsLong(a) < count.applyAsLong(e)) {
                lost += count.applyAsLong(e) - count.applyAsLong(a);
                problems.add(table + " " + key + ": lost " + (count.applyAsLong(e) - count.applyAsLong(a)) + " event(s): expected " + e + ", stored " + a);
            } else if (count.applyAsLong(a) > count.applyAsLong(e)) {
                duplicated += count.applyAsLong(a) - count.applyAsLong(e);
                problems.add(table + " " + key + ": duplicated " + (count.applyAsLong(a) - count.applyAsLong(e)) + " event(s): expected " + e + ", stored " + a);
            } else {
                wrong++;
                problems.add(table + " " + key + ": wrong values: expected " + e + ", stored " + a);
            }
        }
    }

    private void checkAllEvents(Map<String, Oracle.KeyTotals> expected) {
        String table = pipeline.table("all_events");
        Map<String, long[]> actual = new TreeMap<>();
        for (List<Object> r : sql.rows("SELECT k, count(*), count(DISTINCT seq), min(seq), max(seq), sum(v) FROM " + table + " GROUP BY k")) {
            actual.put((String) r.get(0), new long[] {asLong(r.get(1)), asLong(r.get(2)), asLong(r.get(3)), asLong(r.get(4)), asLong(r.get(5))});
        }
        Set<String> keys = new TreeSet<>(expected.keySet());
        keys.addAll(actual.keySet());
        for (String key : keys) {
            Oracle.KeyTotals e = expected.get(key);
            long[] a = actual.get(key);
            long n = e == null ? 0 : e.n();
            if (a == null) {
                lost += n;
                problems.add("all_events " + key + ": lost all " + n + " event(s), seq 1.." + n);
                continue;
            }
            long rows = a[0];
            long distinct = a[1];
            boolean exact = rows == n && distinct == n && a[2] == 1 && a[3] == n && a[4] == e.total();
            if (exact) {
                continue;
            }
            if (e == null) {
                duplicated += rows;
                problems.add("all_events " + key + ": unexpected key with " + rows + " row(s)");
                continue;
            }
            TreeMap<Long, Long> seqs = new TreeMap<>();
            for (List<Object> r : sql.rows("SELECT seq, count(*) FROM " + table + " WHERE k = '" + key + "' GROUP BY seq")) {
                seqs.put(asLong(r.get(0)), asLong(r.get(1)));
            }
            List<Long> missing = new ArrayList<>();
            List<String> doubled = new ArrayList<>();
            long missingCount = 0;
            long doubledCount = 0;
            for (long s = 1; s <= n; s++) {
                Long c = seqs.get(s);
                if (c == null) {
                    missingCount++;
                    if (missing.size() < MAX_LISTED) {
                        missing.add(s);
                    }
                } else if (c > 1) {
                    doubledCount += c - 1;
                    if (doubled.size() < MAX_LISTED) {
                        doubled.add(s + " (" + c + " times)");
                    }
                }
            }
            long beyond = seqs.tailMap(n, false).size();
            lost += missingCount;
            duplicated += doubledCount;
            if (missingCount > 0) {
                problems.add("all_events " + key + ": lost " + missingCount + " of " + n + " event(s), seq " + missing + (missingCount > missing.size() ? " ..." : ""));
            }
            if (doubledCount > 0) {
                problems.add("all_events " + key + ": duplicated " + doubledCount + " event(s), seq " + doubled + (doubledCount > doubled.size() ? " ..." : ""));
            }
            if (beyond > 0) {
                wrong += beyond;
                problems.add("all_events " + key + ": " + beyond + " row(s) with a sequence number above the " + n + " sent");
            }
        }
        String wrongValue = " FROM " + table + " WHERE v <> (seq * 7 + CAST(substr(k, 2) AS BIGINT) * 13) % 1000";
        long wrongValues = single("SELECT count(*)" + wrongValue);
        if (wrongValues > 0) {
            wrong += wrongValues;
            problems.add("all_events: " + wrongValues + " row(s) with a wrong value, e.g. " + sql.rows("SELECT k, seq, v" + wrongValue + " LIMIT 5"));
        }
    }

    private long checkDeadLetters(long expected) {
        String table = pipeline.table("dead_letters");
        List<Object> r = sql.rows("SELECT count(*), count(DISTINCT kafka_partition::BIGINT * 1000000000000 + kafka_offset) FROM " + table).get(0);
        long rows = asLong(r.get(0));
        long distinct = asLong(r.get(1));
        if (rows != distinct) {
            duplicated += rows - distinct;
            problems.add("dead_letters: " + (rows - distinct) + " duplicated dead letter(s) (same partition and offset)");
        }
        if (distinct < expected) {
            lost += expected - distinct;
            problems.add("dead_letters: lost " + (expected - distinct) + " of " + expected + " dead letter(s)");
        } else if (distinct > expected) {
            wrong += distinct - expected;
            problems.add("dead_letters: " + (distinct - expected) + " more than the " + expected + " malformed records sent, e.g. "
                    + sql.rows("SELECT reason, record_value FROM " + table + " LIMIT 3"));
        }
        return rows;
    }

    private long single(String query) {
        return asLong(sql.rows(query).get(0).get(0));
    }

    static long asLong(Object o) {
        if (o instanceof Number n) {
            return n.longValue();
        }
        if (o == null) {
            return 0;
        }
        return Long.parseLong(o.toString());
    }
}
