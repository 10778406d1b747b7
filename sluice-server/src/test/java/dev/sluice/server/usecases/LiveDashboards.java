package dev.sluice.server.usecases;

import static dev.sluice.server.usecases.Oracle.MINUTE;
import static dev.sluice.server.usecases.Oracle.SECOND;
import static dev.sluice.server.usecases.Oracle.row;
import static dev.sluice.server.usecases.Oracle.time;

import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.TreeMap;

/**
 * Shop sessions: users land, browse categories and products (a few items far more popular than the rest, items
 * viewed after their companions), add to the cart and sometimes buy. The expectation follows each view of
 * {@code examples/live-dashboards/pipeline.yaml}; {@link Recommendations} reads the same events.
 */
final class LiveDashboards implements UseCase {
    static final int ITEMS = 30;
    private static final int USERS = 60;
    private static final long SPAN = 15 * MINUTE;

    @Override
    public String example() {
        return "live-dashboards";
    }

    @Override
    public String pipeline() {
        return "live_dashboards";
    }

    @Override
    public String topic() {
        return "clickstream";
    }

    static String item(int i) {
        return String.format("i-%03d", i);
    }

    static String category(int item) {
        return "cat-" + (item % 5);
    }

    static BigDecimal price(int item) {
        return BigDecimal.valueOf(500 + item * 137L, 2);
    }

    @Override
    public List<Event> events(SplittableRandom random, String prefix, long start) {
        List<Event> events = new ArrayList<>();
        int[] n = {0};
        int sessions = 0;
        for (int u = 1; u <= USERS; u++) {
            String user = prefix + "u-" + u;
            long ts = start + random.nextLong(3 * MINUTE);
            int visits = 1 + random.nextInt(3);
            for (int v = 0; v < visits && ts < start + SPAN; v++) {
                String session = prefix + "s-" + (++sessions);
                List<Integer> cart = new ArrayList<>();
                int steps = 3 + random.nextInt(8);
                int previousItem = -1;
                events.add(click(prefix, n, user, session, "page_view", random.nextInt(2) == 0 ? "home" : "category", null, ts));
                for (int s = 0; s < steps; s++) {
                    ts += 1 + random.nextLong(20 * SECOND);
                    int item = previousItem > 0 && random.nextInt(2) == 0 ? companion(previousItem) : popular(random);
                    events.add(click(prefix, n, user, session, "page_view", "product", item, ts));
                    previousItem = item;
                    if (random.nextInt(4) == 0) {
                        ts += 1 + random.nextLong(5 * SECOND);
                        events.add(click(prefix, n, user, session, "add_to_cart", "product", item, ts));
                        cart.add(item);
                    }
                }
                if (!cart.isEmpty() && random.nextInt(2) == 0) {
                    ts += 1 + random.nextLong(10 * SECOND);
                    events.add(click(prefix, n, user, session, "page_view", "checkout", null, ts));
                    for (int item : cart) {
                        ts += 1 + random.nextLong(2 * SECOND);
                        events.add(click(prefix, n, user, session, "purchase", "checkout", item, ts));
                    }
                }
                ts += 31 * SECOND + random.nextLong(2 * MINUTE);
            }
        }
        events.sort(Comparator.comparingLong(Event::ts));
        return events;
    }

    /** Item 1 is the most popular, then 2, ... (roughly 1/i). */
    private static int popular(SplittableRandom random) {
        double r = random.nextDouble() * 4.0;
        int i = 1;
        double acc = 1.0;
        while (acc < r && i < ITEMS) {
            i++;
            acc += 1.0 / i;
        }
        return i;
    }

    private static int companion(int item) {
        return item % ITEMS + 1;
    }

    private static Event click(String prefix, int[] n, String user, String session, String type, String page, Integer item, long ts) {
        return Event.of("clickstream", user, ts, Event.fields("event_id", prefix + "e-" + (++n[0]), "user_id", user,
                "session_id", session, "event_type", type, "page", page,
                "item_id", item == null ? null : item(item),
                "category", item == null ? (page.equals("category") ? "cat-0" : null) : category(item),
                "price", item == null ? null : price(item)));
    }

    @Override
    public Event heartbeat(int p, long ts) {
        return Event.of("clickstream", "heartbeat", ts, Event.fields("event_id", "heartbeat-" + p + "-" + ts, "user_id", "heartbeat-" + p,
                "session_id", "heartbeat-" + p, "event_type", "heartbeat", "page", null, "item_id", null, "category", null,
                "price", null)).onPartition(p);
    }

    @Override
    public Map<String, String> queries() {
        Map<String, String> q = new LinkedHashMap<>();
        q.put("page_view_counts", "SELECT window_start, window_end, page, page_views FROM page_view_counts");
        q.put("active_users", "SELECT window_start, window_end, users, sessions FROM active_users");
        q.put("funnel", "SELECT window_start, window_end, product_views, carts, purchases, revenue FROM funnel");
        q.put("user_sessions", "SELECT window_start, window_end, user_id, events, page_views, purchases, revenue FROM user_sessions");
        return q;
    }

    @Override
    public Map<String, List<List<String>>> expected(List<Event> events, long wm) {
        Oracle.Tables t = new Oracle.Tables();
        queries().keySet().forEach(t::declare);
        Map<List<Object>, Long> pageViews = new HashMap<>();
        Map<Long, Set<String>> users = new TreeMap<>();
        Map<Long, Set<String>> sessions = new TreeMap<>();
        Map<Long, Object[]> funnel = new TreeMap<>();
        Map<String, List<Event>> byUser = new HashMap<>();
        for (Event e : events) {
            String type = e.str("event_type");
            long tenSeconds = Oracle.tumble(e.ts(), 10 * SECOND);
            if (type.equals("page_view")) {
                pageViews.merge(List.of(tenSeconds, e.str("page")), 1L, Long::sum);
            }
            users.computeIfAbsent(tenSeconds, w -> new HashSet<>()).add(e.str("user_id"));
            sessions.computeIfAbsent(tenSeconds, w -> new HashSet<>()).add(e.str("session_id"));
            Object[] f = funnel.computeIfAbsent(Oracle.tumble(e.ts(), MINUTE), w -> new Object[] {0L, 0L, 0L, BigDecimal.ZERO});
            if (type.equals("page_view") && "product".equals(e.str("page"))) {
                f[0] = (Long) f[0] + 1;
            } else if (type.equals("add_to_cart")) {
                f[1] = (Long) f[1] + 1;
            } else if (type.equals("purchase")) {
                f[2] = (Long) f[2] + 1;
                f[3] = ((BigDecimal) f[3]).add((BigDecimal) e.get("price"));
            }
            byUser.computeIfAbsent(e.str("user_id"), u -> new ArrayList<>()).add(e);
        }
        pageViews.forEach((k, count) -> {
            long s = (Long) k.get(0);
            if (Oracle.fired(s + 10 * SECOND, wm)) {
                t.add("page_view_counts", row(time(s), time(s + 10 * SECOND), k.get(1), count));
            }
        });
        users.forEach((s, u) -> {
            if (Oracle.fired(s + 10 * SECOND, wm)) {
                t.add("active_users", row(time(s), time(s + 10 * SECOND), (long) u.size(), (long) sessions.get(s).size()));
            }
        });
        funnel.forEach((s, f) -> {
            if (Oracle.fired(s + MINUTE, wm)) {
                t.add("funnel", row(time(s), time(s + MINUTE), f[0], f[1], f[2], f[3]));
            }
        });
        for (List<Event> mine : byUser.values()) {
            mine.sort(Comparator.comparingLong(Event::ts));
            List<Event> visit = new ArrayList<>();
            for (Event e : mine) {
                if (!visit.isEmpty() && e.ts() >= visit.get(visit.size() - 1).ts() + 30 * SECOND) {
                    session(visit, wm, t);
                    visit = new ArrayList<>();
                }
                visit.add(e);
            }
            session(visit, wm, t);
        }
        return t.sortedTables();
    }

    /** SESSION window with a 30 s gap: from the first event to 30 s after the last. */
    private static void session(List<Event> visit, long wm, Oracle.Tables t) {
        long start = visit.get(0).ts();
        long end = visit.get(visit.size() - 1).ts() + 30 * SECOND;
        if (!Oracle.fired(end, wm)) {
            return;
        }
        long views = 0;
        long purchases = 0;
        BigDecimal revenue = BigDecimal.ZERO;
        for (Event e : visit) {
            if (e.str("event_type").equals("page_view")) {
                views++;
            } else if (e.str("event_type").equals("purchase")) {
                purchases++;
                revenue = revenue.add((BigDecimal) e.get("price"));
            }
        }
        t.add("user_sessions", row(time(start), time(end), visit.get(0).str("user_id"), (long) visit.size(), views, purchases, revenue));
    }
}
