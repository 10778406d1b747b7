package dev.sluice.ingest.internal;

import java.util.SplittableRandom;

/**
 * Ride hailing in a city: riders request rides, the nearest free driver accepts, drives to the pickup and then to
 * the drop-off, sending its position every few seconds, and completes the ride with a fare. See
 * {@link dev.sluice.ingest.Generators#rides} for the shape.
 */
public final class RidesModel implements EventModel {

    /** The city's bounding box (Berlin, roughly); every position lies inside. */
    public static final double MIN_LAT = 52.40;
    public static final double MAX_LAT = 52.62;
    public static final double MIN_LON = 13.20;
    public static final double MAX_LON = 13.60;
    /** Zones are the cells of a ZONE_GRID x ZONE_GRID grid over the box, {@code z-<row>-<column>} from 0. */
    public static final int ZONE_GRID = 5;
    public static final int DRIVER_COUNT = 1_000;
    public static final int RIDER_COUNT = 50_000;
    /** Driving speed, drawn per position update. */
    public static final double MIN_SPEED_KMH = 15.0;
    public static final double MAX_SPEED_KMH = 50.0;
    public static final long UPDATE_INTERVAL_MILLIS = 4_000;
    public static final double BASE_FARE = 3.90;
    public static final double FARE_PER_KM = 1.50;
    static final double KM_PER_DEGREE_LAT = 111.2;
    /** Free drivers considered for a request; the nearest of them accepts. */
    private static final int DRIVER_SAMPLE = 12;
    /** At most this many rides are under way, so that free drivers remain. */
    private static final int MAX_OPEN_RIDES = DRIVER_COUNT * 3 / 4;

    private enum Phase { REQUESTED, TO_PICKUP, TRIP, ARRIVED }

    private static final class Ride {
        final String id;
        final String riderId;
        final double pickupLat;
        final double pickupLon;
        final double dropoffLat;
        final double dropoffLon;
        Phase phase = Phase.REQUESTED;
        int driver = -1;
        long lastMoveMillis;
        double tripKm;

        Ride(String id, String riderId, double pickupLat, double pickupLon, double dropoffLat, double dropoffLon) {
            this.id = id;
            this.riderId = riderId;
            this.pickupLat = pickupLat;
            this.pickupLon = pickupLon;
            this.dropoffLat = dropoffLat;
            this.dropoffLon = dropoffLon;
        }
    }

    private final SplittableRandom random;
    private final String[] driverIds = new String[DRIVER_COUNT];
    private final double[] driverLat = new double[DRIVER_COUNT];
    private final double[] driverLon = new double[DRIVER_COUNT];
    private final boolean[] busy = new boolean[DRIVER_COUNT];
    private final SessionQueue<Ride> rides = new SessionQueue<>(MAX_OPEN_RIDES);
    private long eventNumber;
    private long rideNumber;

    public RidesModel(long seed) {
        this.random = new SplittableRandom(seed);
        for (int d = 0; d < DRIVER_COUNT; d++) {
            driverIds[d] = PaymentModel.padded("drv-", d + 1, 4);
            driverLat[d] = MIN_LAT + (MAX_LAT - MIN_LAT) * random.nextDouble();
            driverLon[d] = MIN_LON + (MAX_LON - MIN_LON) * random.nextDouble();
        }
    }

    /** The zone of a position: {@code z-<row>-<column>}, rows from south to north, columns from west to east. */
    public static String zoneOf(double lat, double lon) {
        int row = Math.min(ZONE_GRID - 1, (int) ((lat - MIN_LAT) / (MAX_LAT - MIN_LAT) * ZONE_GRID));
        int column = Math.min(ZONE_GRID - 1, (int) ((lon - MIN_LON) / (MAX_LON - MIN_LON) * ZONE_GRID));
        return "z-" + row + "-" + column;
    }

    /** Distance in km between two positions, on a flat map scaled at the box's latitude (good to 0.1% here). */
    public static double distanceKm(double lat1, double lon1, double lat2, double lon2) {
        double dy = (lat2 - lat1) * KM_PER_DEGREE_LAT;
        double dx = (lon2 - lon1) * KM_PER_DEGREE_LAT * Math.cos(Math.toRadians((MIN_LAT + MAX_LAT) / 2));
        return Math.sqrt(dx * dx + dy * dy);
    }

    @Override
    public String next(long nowMillis, long eventMillis, JsonObjectWriter out) {
        Ride ride = rides.pollDue(nowMillis);
        out.string("event_id", PaymentModel.padded("e-", ++eventNumber, 12));
        if (ride == null) {
            ride = request();
            event(out, "requested", ride, null, ride.pickupLat, ride.pickupLon);
            rides.add(ride, nowMillis + 2_000 + random.nextInt(18_001));
        } else {
            switch (ride.phase) {
                case REQUESTED -> accept(out, ride, nowMillis);
                case TO_PICKUP, TRIP -> move(out, ride, nowMillis);
                case ARRIVED -> complete(out, ride);
            }
        }
        out.timestamp("ts", eventMillis);
        return ride.id;
    }

    private Ride request() {
        double[] pickup = position(0.4);
        double[] dropoff = position(0.2);
        return new Ride(PaymentModel.padded("r-", ++rideNumber, 10), PaymentModel.padded("rider-", 1 + random.nextInt(RIDER_COUNT), 5),
                pickup[0], pickup[1], dropoff[0], dropoff[1]);
    }

    /** A position in the box: near the centre with probability {@code central}, else anywhere. */
    private double[] position(double central) {
        if (random.nextDouble() < central) {
            double lat = (MIN_LAT + MAX_LAT) / 2 + 0.02 * Distributions.normal(random);
            double lon = (MIN_LON + MAX_LON) / 2 + 0.03 * Distributions.normal(random);
            return new double[] {clamp(lat, MIN_LAT, MAX_LAT), clamp(lon, MIN_LON, MAX_LON)};
        }
        return new double[] {MIN_LAT + (MAX_LAT - MIN_LAT) * random.nextDouble(),
            MIN_LON + (MAX_LON - MIN_LON) * random.nextDouble()};
    }

    private void accept(JsonObjectWriter out, Ride ride, long nowMillis) {
        int best = -1;
        double bestKm = Double.MAX_VALUE;
        for (int i = 0; i < DRIVER_SAMPLE; i++) {
            int d = random.nextInt(DRIVER_COUNT);
            double km = distanceKm(driverLat[d], driverLon[d], ride.pickupLat, ride.pickupLon);
            if (!busy[d] && km < bestKm) {
                best = d;
                bestKm = km;
            }
        }
        if (best < 0) {
            event(out, "cancelled", ride, null, ride.pickupLat, ride.pickupLon);
            return;
        }
        busy[best] = true;
        ride.driver = best;
        ride.phase = Phase.TO_PICKUP;
        ride.lastMoveMillis = nowMillis;
        event(out, "accepted", ride, driverIds[best], driverLat[best], driverLon[best]);
        rides.add(ride, nowMillis + UPDATE_INTERVAL_MILLIS);
    }

    private void move(JsonObjectWriter out, Ride ride, long nowMillis) {
        int d = ride.driver;
        boolean toPickup = ride.phase == Phase.TO_PICKUP;
        double targetLat = toPickup ? ride.pickupLat : ride.dropoffLat;
        double targetLon = toPickup ? ride.pickupLon : ride.dropoffLon;
        double speed = MIN_SPEED_KMH + (MAX_SPEED_KMH - MIN_SPEED_KMH) * random.nextDouble();
        double reach = speed * Math.max(0, nowMillis - ride.lastMoveMillis) / 3_600_000.0;
        double left = distanceKm(driverLat[d], driverLon[d], targetLat, targetLon);
        double travelled;
        if (reach >= left) {
            travelled = left;
            driverLat[d] = targetLat;
            driverLon[d] = targetLon;
            ride.phase = toPickup ? Phase.TRIP : Phase.ARRIVED;
        } else {
            travelled = reach;
            double f = reach / left;
            driverLat[d] += (targetLat - driverLat[d]) * f;
            driverLon[d] += (targetLon - driverLon[d]) * f;
        }
        if (!toPickup) {
            ride.tripKm += travelled;
        }
        ride.lastMoveMillis = nowMillis;
        event(out, "location", ride, driverIds[d], driverLat[d], driverLon[d]);
        rides.add(ride, nowMillis + (ride.phase == Phase.ARRIVED ? 1_000 : UPDATE_INTERVAL_MILLIS));
    }

    private void complete(JsonObjectWriter out, Ride ride) {
        int d = ride.driver;
        busy[d] = false;
        event(out, "completed", ride, driverIds[d], driverLat[d], driverLon[d]);
        out.decimal("distance_km", ride.tripKm, 2);
        out.decimal("fare", BASE_FARE + FARE_PER_KM * ride.tripKm, 2);
    }

    private void event(JsonObjectWriter out, String type, Ride ride, String driverId, double exactLat, double exactLon) {
        double lat = Math.round(exactLat * 100_000.0) / 100_000.0;
        double lon = Math.round(exactLon * 100_000.0) / 100_000.0;
        out.string("event_type", type).string("ride_id", ride.id).string("rider_id", ride.riderId)
                .string("driver_id", driverId).decimal("lat", lat, 5).decimal("lon", lon, 5)
                .string("zone", zoneOf(lat, lon));
        if (!type.equals("completed")) {
            out.string("distance_km", null).string("fare", null);
        }
    }

    private static double clamp(double value, double min, double max) {
        return Math.max(min, Math.min(max, value));
    }
}
