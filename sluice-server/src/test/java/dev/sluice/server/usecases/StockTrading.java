package dev.sluice.server.usecases;

import static dev.sluice.server.usecases.Oracle.MINUTE;
import static dev.sluice.server.usecases.Oracle.row;
import static dev.sluice.server.usecases.Oracle.time;

import java.math.BigDecimal;
import java.math.RoundingMode;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;

/**
 * Quotes and trades of a few symbols on a random walk, with one symbol halted for a while. The expectation follows
 * each view of {@code examples/stock-trading/pipeline.yaml}.
 */
final class StockTrading implements UseCase {
    private static final String[] SYMBOLS = {"ACME", "BOLT", "CORE", "DYNA", "EPIC", "FLUX"};
    private static final long SPAN = 12 * MINUTE;

    @Override
    public String example() {
        return "stock-trading";
    }

    @Override
    public String pipeline() {
        return "stock_trading";
    }

    @Override
    public String topic() {
        return "ticks";
    }

    @Override
    public List<Event> events(SplittableRandom random, String prefix, long start) {
        List<Event> events = new ArrayList<>();
        int[] n = {0};
        long[] cents = new long[SYMBOLS.length];
        for (int s = 0; s < SYMBOLS.length; s++) {
            cents[s] = 2_000 + random.nextInt(20_000);
        }
        long haltFrom = start + 4 * MINUTE + random.nextLong(MINUTE);
        long haltTo = haltFrom + MINUTE + random.nextLong(MINUTE);
        boolean halted = false;
        boolean resumed = false;
        for (long ts = start; ts < start + SPAN; ts += 1 + random.nextLong(900)) {
            int s = random.nextInt(SYMBOLS.length);
            String symbol = SYMBOLS[s];
            if (s == 0 && !halted && ts >= haltFrom) {
                halted = true;
                events.add(tick(prefix, n, symbol, "halt", null, null, null, null, ts));
                continue;
            }
            if (s == 0 && halted && !resumed && ts >= haltTo) {
                resumed = true;
                events.add(tick(prefix, n, symbol, "resume", null, null, null, null, ts));
                continue;
            }
            boolean inHalt = s == 0 && halted && !resumed;
            cents[s] = Math.max(100, cents[s] + (inHalt ? 0 : random.nextInt(41) - 20));
            BigDecimal bid = BigDecimal.valueOf(cents[s], 2);
            BigDecimal ask = BigDecimal.valueOf(cents[s] + 1 + random.nextInt(10), 2);
            if (inHalt || random.nextInt(10) < 7) {
                events.add(tick(prefix, n, symbol, "quote", null, null, bid, ask, ts));
            } else {
                long size = 100L * (1 + random.nextInt(5));
                events.add(tick(prefix, n, symbol, "trade", random.nextBoolean() ? bid : ask, size, null, null, ts));
            }
        }
        return events;
    }

    private static Event tick(String prefix, int[] n, String symbol, String type, BigDecimal price, Long size, BigDecimal bid,
            BigDecimal ask, long ts) {
        return Event.of("ticks", symbol, ts, Event.fields("event_id", prefix + "t-" + (++n[0]), "symbol", symbol, "event_type", type,
                "price", price, "size", size, "bid", bid, "ask", ask));
    }

    @Override
    public Event heartbeat(int p, long ts) {
        return Event.of("ticks", "heartbeat", ts, Event.fields("event_id", "heartbeat-" + p + "-" + ts, "symbol", "HEARTBEAT",
                "event_type", "heartbeat", "price", null, "size", null, "bid", null, "ask", null)).onPartition(p);
    }

    @Override
    public Map<String, String> queries() {
        Map<String, String> q = new LinkedHashMap<>();
        q.put("candles", "SELECT window_start, window_end, symbol, open_price, high_price, low_price, close_price, volume,"
                + " trade_count, vwap FROM candles");
        q.put("moving_average_20", "SELECT event_id, symbol, ts, price, trades_in_average, ma_20 FROM moving_average_20");
        q.put("moving_average_1m", "SELECT event_id, symbol, ts, price, volume_1m, ma_1m FROM moving_average_1m");
        q.put("spreads", "SELECT window_start, window_end, symbol, quotes, min_spread, max_spread FROM spreads");
        q.put("halts", "SELECT event_id, symbol, event_type, ts FROM halts");
        return q;
    }

    /** AVG of DECIMAL(12, 2) is a DECIMAL(38, 6), then the view casts it to DECIMAL(12, 4). */
    static BigDecimal average(BigDecimal sum, long count) {
        return sum.divide(BigDecimal.valueOf(count), 6, RoundingMode.HALF_UP).setScale(4, RoundingMode.HALF_UP);
    }

    @Override
    public Map<String, List<List<String>>> expected(List<Event> events, long wm) {
        Oracle.Tables t = new Oracle.Tables();
        queries().keySet().forEach(t::declare);
        // Events in the order they were written: FIRST_VALUE and LAST_VALUE follow it within a symbol.
        Map<String, List<Event>> tradesBySymbol = new HashMap<>();
        Map<List<Object>, List<Event>> candleTrades = new HashMap<>();
        Map<List<Object>, List<Event>> quotes = new HashMap<>();
        for (Event e : events) {
            String type = e.str("event_type");
            long minute = Oracle.tumble(e.ts(), MINUTE);
            if (type.equals("trade") && e.get("price") != null && (Long) e.get("size") > 0) {
                tradesBySymbol.computeIfAbsent(e.str("symbol"), s -> new ArrayList<>()).add(e);
                candleTrades.computeIfAbsent(List.of(e.str("symbol"), minute), k -> new ArrayList<>()).add(e);
            } else if (type.equals("quote") && e.get("bid") != null && e.get("ask") != null) {
                quotes.computeIfAbsent(List.of(e.str("symbol"), minute), k -> new ArrayList<>()).add(e);
            } else if (type.equals("halt") || type.equals("resume")) {
                t.add("halts", row(e.str("event_id"), e.str("symbol"), type, time(e.ts())));
            }
        }
        candleTrades.forEach((k, trades) -> {
            long s = (Long) k.get(1);
            if (!Oracle.fired(s + MINUTE, wm)) {
                return;
            }
            BigDecimal high = null;
            BigDecimal low = null;
            long volume = 0;
            BigDecimal notional = BigDecimal.ZERO;
            for (Event e : trades) {
                BigDecimal p = (BigDecimal) e.get("price");
                high = high == null || p.compareTo(high) > 0 ? p : high;
                low = low == null || p.compareTo(low) < 0 ? p : low;
                volume += (Long) e.get("size");
                notional = notional.add(p.multiply(BigDecimal.valueOf((Long) e.get("size"))));
            }
            BigDecimal vwap = notional.divide(BigDecimal.valueOf(volume), 6, RoundingMode.HALF_UP).setScale(4, RoundingMode.HALF_UP);
            t.add("candles", row(time(s), time(s + MINUTE), k.get(0), trades.get(0).get("price"), high, low,
                    trades.get(trades.size() - 1).get("price"), volume, (long) trades.size(), vwap));
        });
        quotes.forEach((k, in) -> {
            long s = (Long) k.get(1);
            if (!Oracle.fired(s + MINUTE, wm)) {
                return;
            }
            BigDecimal min = null;
            BigDecimal max = null;
            for (Event e : in) {
                BigDecimal spread = ((BigDecimal) e.get("ask")).subtract((BigDecimal) e.get("bid"));
                min = min == null || spread.compareTo(min) < 0 ? spread : min;
                max = max == null || spread.compareTo(max) > 0 ? spread : max;
            }
            t.add("spreads", row(time(s), time(s + MINUTE), k.get(0), (long) in.size(), min, max));
        });
        // OVER windows in event-time order, for the trades the watermark has passed.
        for (List<Event> trades : tradesBySymbol.values()) {
            List<Event> byTime = new ArrayList<>(trades);
            byTime.sort(Comparator.comparingLong(Event::ts));
            for (int i = 0; i < byTime.size(); i++) {
                Event e = byTime.get(i);
                if (e.ts() > wm) {
                    continue;
                }
                BigDecimal sum = BigDecimal.ZERO;
                int from = Math.max(0, i - 19);
                for (int j = from; j <= i; j++) {
                    sum = sum.add((BigDecimal) byTime.get(j).get("price"));
                }
                long count = i - from + 1;
                t.add("moving_average_20", row(e.str("event_id"), e.str("symbol"), time(e.ts()), e.get("price"), count, average(sum, count)));
                BigDecimal minuteSum = BigDecimal.ZERO;
                long minuteCount = 0;
                long volume = 0;
                for (Event o : byTime) {
                    if (o.ts() >= e.ts() - MINUTE && o.ts() <= e.ts()) {
                        minuteSum = minuteSum.add((BigDecimal) o.get("price"));
                        minuteCount++;
                        volume += (Long) o.get("size");
                    }
                }
                t.add("moving_average_1m", row(e.str("event_id"), e.str("symbol"), time(e.ts()), e.get("price"), volume,
                        average(minuteSum, minuteCount)));
            }
        }
        return t.sortedTables();
    }

}
