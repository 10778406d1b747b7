package dev.sluice.server.usecases;

import static dev.sluice.server.usecases.Oracle.MINUTE;
import static dev.sluice.server.usecases.Oracle.row;
import static dev.sluice.server.usecases.Oracle.time;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;

/** The shop's clickstream of {@link LiveDashboards}, read by {@code examples/recommendations/pipeline.yaml}. */
final class Recommendations implements UseCase {
    private final LiveDashboards clicks = new LiveDashboards();

    @Override
    public String example() {
        return "recommendations";
    }

    @Override
    public String pipeline() {
        return "recommendations";
    }

    @Override
    public String topic() {
        return clicks.topic();
    }

    @Override
    public List<Event> events(SplittableRandom random, String prefix, long start) {
        return clicks.events(random, prefix, start);
    }

    @Override
    public Event heartbeat(int p, long ts) {
        return clicks.heartbeat(p, ts);
    }

    @Override
    public Map<String, String> queries() {
        Map<String, String> q = new LinkedHashMap<>();
        q.put("related_items", "SELECT item_id, item_rank, related_item, together FROM related_items");
        q.put("trending_items", "SELECT window_start, window_end, trend_rank, item_id, view_count FROM trending_items");
        q.put("user_interests", "SELECT user_id, interest_rank, category, view_count, last_viewed FROM user_interests");
        return q;
    }

    private record Count(String key, long count, long last) {}

    @Override
    public Map<String, List<List<String>>> expected(List<Event> events, long wm) {
        Oracle.Tables t = new Oracle.Tables();
        queries().keySet().forEach(t::declare);
        List<Event> views = new ArrayList<>();
        for (Event e : events) {
            if ("page_view".equals(e.str("event_type")) && "product".equals(e.str("page")) && e.get("item_id") != null) {
                views.add(e);
            }
        }
        // Items viewed together: ordered pairs of views in one session within 10 minutes, different items.
        Map<String, Map<String, Long>> together = new HashMap<>();
        Map<String, List<Event>> bySession = new HashMap<>();
        views.forEach(v -> bySession.computeIfAbsent(v.str("session_id"), s -> new ArrayList<>()).add(v));
        for (List<Event> session : bySession.values()) {
            for (Event a : session) {
                for (Event b : session) {
                    if (!a.str("item_id").equals(b.str("item_id")) && Math.abs(b.ts() - a.ts()) <= 10 * MINUTE) {
                        together.computeIfAbsent(a.str("item_id"), i -> new HashMap<>()).merge(b.str("item_id"), 1L, Long::sum);
                    }
                }
            }
        }
        together.forEach((item, related) -> {
            List<Count> counts = new ArrayList<>();
            related.forEach((r, c) -> counts.add(new Count(r, c, 0)));
            counts.sort(Comparator.comparingLong(Count::count).reversed().thenComparing(Count::key));
            for (int i = 0; i < Math.min(3, counts.size()); i++) {
                t.add("related_items", row(item, (long) i + 1, counts.get(i).key(), counts.get(i).count()));
            }
        });
        // Trending: views per item per 5-minute window sliding by a minute, the top 5 of each fired window.
        Map<Long, Map<String, Long>> windows = new HashMap<>();
        for (Event v : views) {
            for (long s : Oracle.hops(v.ts(), MINUTE, 5 * MINUTE)) {
                windows.computeIfAbsent(s, x -> new HashMap<>()).merge(v.str("item_id"), 1L, Long::sum);
            }
        }
        windows.forEach((s, items) -> {
            if (!Oracle.fired(s + 5 * MINUTE, wm)) {
                return;
            }
            List<Count> counts = new ArrayList<>();
            items.forEach((i, c) -> counts.add(new Count(i, c, 0)));
            counts.sort(Comparator.comparingLong(Count::count).reversed().thenComparing(Count::key));
            for (int i = 0; i < Math.min(5, counts.size()); i++) {
                t.add("trending_items", row(time(s), time(s + 5 * MINUTE), (long) i + 1, counts.get(i).key(), counts.get(i).count()));
            }
        });
        // Interests: per user and category the views and the last one; the 3 most recent categories per user.
        Map<String, Map<String, long[]>> interests = new HashMap<>();
        for (Event v : views) {
            long[] agg = interests.computeIfAbsent(v.str("user_id"), u -> new HashMap<>())
                    .computeIfAbsent(v.str("category"), c -> new long[] {0, Long.MIN_VALUE});
            agg[0]++;
            agg[1] = Math.max(agg[1], v.ts());
        }
        interests.forEach((user, categories) -> {
            List<Count> counts = new ArrayList<>();
            categories.forEach((c, agg) -> counts.add(new Count(c, agg[0], agg[1])));
            counts.sort(Comparator.comparingLong(Count::last).reversed().thenComparing(Count::key));
            for (int i = 0; i < Math.min(3, counts.size()); i++) {
                Count c = counts.get(i);
                t.add("user_interests", row(user, (long) i + 1, c.key(), c.count(), time(c.last())));
            }
        });
        return t.sortedTables();
    }
}
