package dev.sluice.ingest.internal;

import java.util.SplittableRandom;

/**
 * Industrial IoT sensors reporting temperature and vibration in turn. Most devices are healthy; some drift (their
 * temperature and vibration rise steadily), some fail: a stuck sensor repeats its last reading forever, a device
 * that drops out stops reporting. See {@link dev.sluice.ingest.Generators#sensors} for the shape.
 */
public final class SensorsModel implements EventModel {

    /** What a device does over time. */
    public enum Behaviour { HEALTHY, DRIFTING, STUCK, DROPPING_OUT }

    public static final int DEVICE_COUNT = 1_000;
    public static final int SITE_COUNT = 20;
    public static final double DRIFTING_SHARE = 0.05;
    public static final double STUCK_SHARE = 0.015;
    public static final double DROPPING_OUT_SHARE = 0.015;
    /** How fast a drifting device heats up, and how far at most. */
    public static final double DRIFT_DEGREES_PER_MINUTE = 0.5;
    public static final double MAX_DRIFT_DEGREES = 40.0;
    /** A failing device fails between 2 and 10 minutes after the first reading of the stream. */
    public static final long MIN_FAILURE_MILLIS = 120_000;
    public static final long MAX_FAILURE_MILLIS = 600_000;
    public static final double TEMPERATURE_NOISE = 0.3;
    public static final double VIBRATION_NOISE = 0.1;

    private final SplittableRandom random;
    private final String[] deviceIds = new String[DEVICE_COUNT];
    private final String[] sites = new String[SITE_COUNT];
    private final Behaviour[] behaviours = new Behaviour[DEVICE_COUNT];
    private final double[] baseTemperature = new double[DEVICE_COUNT];
    private final double[] baseVibration = new double[DEVICE_COUNT];
    private final long[] failureOffsetMillis = new long[DEVICE_COUNT];
    private final double[] lastTemperature = new double[DEVICE_COUNT];
    private final double[] lastVibration = new double[DEVICE_COUNT];
    private long startMillis = Long.MIN_VALUE;
    private int cursor = -1;
    private long eventNumber;

    public SensorsModel(long seed) {
        this.random = new SplittableRandom(seed);
        for (int s = 0; s < SITE_COUNT; s++) {
            sites[s] = PaymentModel.padded("site-", s + 1, 2);
        }
        for (int d = 0; d < DEVICE_COUNT; d++) {
            deviceIds[d] = PaymentModel.padded("d-", d + 1, 4);
            double u = random.nextDouble();
            behaviours[d] = u < DRIFTING_SHARE ? Behaviour.DRIFTING
                    : u < DRIFTING_SHARE + STUCK_SHARE ? Behaviour.STUCK
                    : u < DRIFTING_SHARE + STUCK_SHARE + DROPPING_OUT_SHARE ? Behaviour.DROPPING_OUT
                    : Behaviour.HEALTHY;
            baseTemperature[d] = 20.0 + 40.0 * random.nextDouble();
            baseVibration[d] = 0.5 + 2.5 * random.nextDouble();
            failureOffsetMillis[d] = MIN_FAILURE_MILLIS + random.nextLong(MAX_FAILURE_MILLIS - MIN_FAILURE_MILLIS + 1);
        }
    }

    /** The behaviour of device {@code d-0001} .. {@code d-1000}, for checks of the generated stream. */
    public Behaviour behaviourOf(String deviceId) {
        return behaviours[Integer.parseInt(deviceId.substring(2)) - 1];
    }

    @Override
    public String next(long nowMillis, long eventMillis, JsonObjectWriter out) {
        if (startMillis == Long.MIN_VALUE) {
            startMillis = nowMillis;
        }
        long elapsed = nowMillis - startMillis;
        int device = nextReportingDevice(elapsed);
        double temperature;
        double vibration;
        if (behaviours[device] == Behaviour.STUCK && elapsed >= failureOffsetMillis[device]
                && lastTemperature[device] != 0.0) {
            temperature = lastTemperature[device];
            vibration = lastVibration[device];
        } else {
            temperature = baseTemperature[device] + TEMPERATURE_NOISE * Distributions.normal(random);
            vibration = baseVibration[device] + VIBRATION_NOISE * Distributions.normal(random);
            if (behaviours[device] == Behaviour.DRIFTING) {
                double minutes = elapsed / 60_000.0;
                temperature += Math.min(MAX_DRIFT_DEGREES, DRIFT_DEGREES_PER_MINUTE * minutes);
                vibration *= 1.0 + Math.min(2.0, 0.02 * minutes);
            }
            temperature = Math.round(temperature * 100.0) / 100.0;
            vibration = Math.max(0.0, Math.round(vibration * 100.0) / 100.0);
            lastTemperature[device] = temperature;
            lastVibration[device] = vibration;
        }
        out.string("event_id", PaymentModel.padded("e-", ++eventNumber, 12))
                .string("device_id", deviceIds[device])
                .string("site", sites[device % SITE_COUNT])
                .decimal("temperature", temperature, 2)
                .decimal("vibration", vibration, 2)
                .timestamp("ts", eventMillis);
        return deviceIds[device];
    }

    /** Devices report in turn; a device that dropped out is skipped from its failure on. */
    private int nextReportingDevice(long elapsed) {
        for (int tries = 0; tries < DEVICE_COUNT; tries++) {
            cursor = (cursor + 1) % DEVICE_COUNT;
            if (behaviours[cursor] != Behaviour.DROPPING_OUT || elapsed < failureOffsetMillis[cursor]) {
                return cursor;
            }
        }
        throw new IllegalStateException("Every sensor has dropped out, which the model never configures");
    }
}
