package dev.sluice.server.usecases;

import static dev.sluice.server.usecases.Oracle.MINUTE;
import static dev.sluice.server.usecases.Oracle.SECOND;
import static dev.sluice.server.usecases.Oracle.row;
import static dev.sluice.server.usecases.Oracle.time;

import java.math.BigDecimal;
import java.math.RoundingMode;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.SplittableRandom;

/**
 * Rides in the centre of the city box (4 x 5 km, across two zones): a request at the pickup, a free driver accepts and drives there and on to the drop-off,
 * reporting its position every 4 s, then completes; without a free driver the ride is cancelled. The expectation
 * follows each view of {@code examples/ride-tracking/pipeline.yaml}.
 */
final class RideTracking implements UseCase {
    private static final int DRIVERS = 12;
    private static final int RIDES = 30;
    private static final long SPAN = 10 * MINUTE;

    @Override
    public String example() {
        return "ride-tracking";
    }

    @Override
    public String pipeline() {
        return "ride_tracking";
    }

    @Override
    public String topic() {
        return "rides";
    }

    static String zone(double lat, double lon) {
        int row = (int) Math.min(4, Math.max(0, Math.floor((lat - 52.40) / 0.22 * 5)));
        int col = (int) Math.min(4, Math.max(0, Math.floor((lon - 13.20) / 0.40 * 5)));
        return "z-" + row + "-" + col;
    }

    private static double round5(double v) {
        return Math.round(v * 100_000) / 100_000.0;
    }

    /** The views' flat-map distance in km, in the same operation order as the SQL. */
    static double km(double lat, double lon, double fromLat, double fromLon) {
        return Math.sqrt(Math.pow((lat - fromLat) * 111.2, 2) + Math.pow((lon - fromLon) * 111.2 * Math.cos(Math.toRadians(52.51)), 2));
    }

    @Override
    public List<Event> events(SplittableRandom random, String prefix, long start) {
        List<Event> events = new ArrayList<>();
        int[] n = {0};
        double[][] driverAt = new double[DRIVERS][];
        long[] freeAt = new long[DRIVERS];
        for (int d = 0; d < DRIVERS; d++) {
            driverAt[d] = new double[] {round5(52.49 + random.nextDouble() * 0.04), round5(13.36 + random.nextDouble() * 0.08)};
        }
        List<Long> requests = new ArrayList<>();
        for (int r = 0; r < RIDES; r++) {
            requests.add(start + random.nextLong(SPAN - 3 * MINUTE));
        }
        requests.sort(null);
        for (int r = 0; r < RIDES; r++) {
            String ride = prefix + "r-" + (r + 1);
            String rider = prefix + "rider-" + (1 + random.nextInt(20));
            long ts = requests.get(r);
            double[] pickup = {round5(52.49 + random.nextDouble() * 0.04), round5(13.36 + random.nextDouble() * 0.08)};
            double[] dropoff = {round5(52.49 + random.nextDouble() * 0.04), round5(13.36 + random.nextDouble() * 0.08)};
            events.add(ride(prefix, n, "requested", ride, rider, null, pickup, null, null, ts));
            long acceptAt = ts + 2 * SECOND + random.nextLong(18 * SECOND);
            int driver = -1;
            for (int d = 0; d < DRIVERS; d++) {
                if (freeAt[d] <= acceptAt && (driver < 0 || km(driverAt[d][0], driverAt[d][1], pickup[0], pickup[1])
                        < km(driverAt[driver][0], driverAt[driver][1], pickup[0], pickup[1]))) {
                    driver = d;
                }
            }
            if (driver < 0 || random.nextInt(10) == 0) {
                events.add(ride(prefix, n, "cancelled", ride, rider, null, pickup, null, null, acceptAt));
                continue;
            }
            String driverId = prefix + "drv-" + (driver + 1);
            double[] at = driverAt[driver].clone();
            events.add(ride(prefix, n, "accepted", ride, rider, driverId, at, null, null, acceptAt));
            long t = acceptAt;
            double driven = 0;
            for (double[] target : new double[][] {pickup, dropoff}) {
                while (true) {
                    t += 4 * SECOND + random.nextLong(200);
                    double stepKm = (15 + random.nextDouble() * 35) * 4 / 3600.0;
                    double left = km(target[0], target[1], at[0], at[1]);
                    double[] next = left <= stepKm ? target.clone() : new double[] {
                            round5(at[0] + (target[0] - at[0]) * stepKm / left), round5(at[1] + (target[1] - at[1]) * stepKm / left)};
                    driven += km(next[0], next[1], at[0], at[1]);
                    at = next;
                    events.add(ride(prefix, n, "location", ride, rider, driverId, at, null, null, t));
                    if (left <= stepKm) {
                        break;
                    }
                }
            }
            t += SECOND;
            BigDecimal distance = BigDecimal.valueOf(driven).setScale(2, RoundingMode.HALF_UP);
            BigDecimal fare = new BigDecimal("3.90").add(new BigDecimal("1.50").multiply(distance)).setScale(2, RoundingMode.HALF_UP);
            events.add(ride(prefix, n, "completed", ride, rider, driverId, at, distance, fare, t));
            driverAt[driver] = at;
            freeAt[driver] = t;
        }
        events.sort(Comparator.comparingLong(Event::ts));
        return events;
    }

    private static Event ride(String prefix, int[] n, String type, String ride, String rider, String driver, double[] at,
            BigDecimal distance, BigDecimal fare, long ts) {
        return Event.of("rides", ride, ts, Event.fields("event_id", prefix + "e-" + (++n[0]), "event_type", type, "ride_id", ride,
                "rider_id", rider, "driver_id", driver, "lat", at[0], "lon", at[1], "zone", zone(at[0], at[1]),
                "distance_km", distance, "fare", fare));
    }

    @Override
    public Event heartbeat(int p, long ts) {
        return Event.of("rides", "heartbeat", ts, Event.fields("event_id", "heartbeat-" + p + "-" + ts, "event_type", "heartbeat",
                "ride_id", "heartbeat-" + p, "rider_id", null, "driver_id", null, "lat", null, "lon", null, "zone", "none",
                "distance_km", null, "fare", null)).onPartition(p);
    }

    @Override
    public Map<String, String> queries() {
        Map<String, String> q = new LinkedHashMap<>();
        q.put("driver_positions", "SELECT driver_id, ride_id, zone, lat, lon, ts FROM driver_positions");
        q.put("ride_status", "SELECT ride_id, rider_id, driver_id, status, zone, ts FROM ride_status");
        q.put("speeds", "SELECT event_id, ride_id, driver_id, zone, ts, distance_km, speed_kmh FROM speeds");
        q.put("zone_demand_supply", "SELECT window_start, window_end, zone, requested, drivers, completed, fares FROM zone_demand_supply");
        q.put("pickup_eta", "SELECT ride_id, driver_id, zone, accepted_at, distance_km, eta_seconds FROM pickup_eta");
        return q;
    }

    @Override
    public Map<String, List<List<String>>> expected(List<Event> events, long wm) {
        Oracle.Tables t = new Oracle.Tables();
        queries().keySet().forEach(t::declare);
        Map<String, Event> newestOfDriver = new HashMap<>();
        Map<String, Event> newestOfRide = new HashMap<>();
        Map<String, List<Event>> positions = new HashMap<>();
        Map<String, Event> requested = new HashMap<>();
        Map<String, Event> accepted = new HashMap<>();
        Map<List<Object>, Object[]> zones = new HashMap<>();
        for (Event e : events) {
            String type = e.str("event_type");
            String driver = e.str("driver_id");
            if (driver != null && Set.of("accepted", "location", "completed").contains(type)) {
                newestOfDriver.merge(driver, e, (a, b) -> b.ts() > a.ts() ? b : a);
            }
            newestOfRide.merge(e.str("ride_id"), e, (a, b) -> b.ts() > a.ts() ? b : a);
            if (type.equals("accepted") || type.equals("location")) {
                positions.computeIfAbsent(e.str("ride_id"), r -> new ArrayList<>()).add(e);
            }
            if (type.equals("requested")) {
                requested.put(e.str("ride_id"), e);
            }
            if (type.equals("accepted")) {
                accepted.put(e.str("ride_id"), e);
            }
            Object[] z = zones.computeIfAbsent(List.of(Oracle.tumble(e.ts(), MINUTE), e.str("zone")),
                    k -> new Object[] {0L, new HashSet<String>(), 0L, BigDecimal.ZERO});
            if (type.equals("requested")) {
                z[0] = (Long) z[0] + 1;
            } else if (type.equals("accepted") || type.equals("location")) {
                @SuppressWarnings("unchecked")
                Set<String> drivers = (Set<String>) z[1];
                drivers.add(driver);
            } else if (type.equals("completed")) {
                z[2] = (Long) z[2] + 1;
                z[3] = ((BigDecimal) z[3]).add((BigDecimal) e.get("fare"));
            }
        }
        newestOfDriver.values().forEach(e -> t.add("driver_positions", row(e.str("driver_id"), e.str("ride_id"), e.str("zone"),
                e.get("lat"), e.get("lon"), time(e.ts()))));
        newestOfRide.values().forEach(e -> t.add("ride_status", row(e.str("ride_id"), e.str("rider_id"), e.str("driver_id"),
                e.str("event_type"), e.str("zone"), time(e.ts()))));
        for (List<Event> ride : positions.values()) {
            ride.sort(Comparator.comparingLong(Event::ts));
            for (int i = 1; i < ride.size(); i++) {
                Event prev = ride.get(i - 1);
                Event e = ride.get(i);
                long seconds = (e.ts() - prev.ts()) / SECOND;
                if (e.ts() > wm || seconds <= 0) {
                    continue;
                }
                double distance = km((Double) e.get("lat"), (Double) e.get("lon"), (Double) prev.get("lat"), (Double) prev.get("lon"));
                t.add("speeds", row(e.str("event_id"), e.str("ride_id"), e.str("driver_id"), e.str("zone"), time(e.ts()), distance,
                        distance * 3600.0 / (double) seconds));
            }
        }
        zones.forEach((k, z) -> {
            long s = (Long) k.get(0);
            if (Oracle.fired(s + MINUTE, wm)) {
                t.add("zone_demand_supply", row(time(s), time(s + MINUTE), k.get(1), z[0], (long) ((Set<?>) z[1]).size(), z[2], z[3]));
            }
        });
        accepted.forEach((ride, a) -> {
            Event r = requested.get(ride);
            if (r != null && a.ts() >= r.ts() && a.ts() <= r.ts() + 2 * MINUTE) {
                double distance = km((Double) a.get("lat"), (Double) a.get("lon"), (Double) r.get("lat"), (Double) r.get("lon"));
                t.add("pickup_eta", row(ride, a.str("driver_id"), r.str("zone"), time(a.ts()), distance, distance * 3600.0 / 25.0));
            }
        });
        return t.sortedTables();
    }
}
