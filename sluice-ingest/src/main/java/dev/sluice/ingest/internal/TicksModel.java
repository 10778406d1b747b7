package dev.sluice.ingest.internal;

import java.util.SplittableRandom;

/**
 * Market data for a handful of invented stocks: quotes and trades around a random-walk price, with bursts of
 * activity and volatility, and trading halts. See {@link dev.sluice.ingest.Generators#ticks} for the shape.
 */
public final class TicksModel implements EventModel {

    public static final String[] SYMBOLS = {"ACME", "BOLT", "CRUX", "DYNA", "EPIC", "FLUX", "GRID", "HALO", "IONX",
        "JOLT", "KITE", "LUMA", "MESA", "NOVA", "ORBT", "PIKE", "QUIL", "RUNE", "SAGA", "TIDE"};
    public static final double TRADE_SHARE = 0.3;
    /** Standard deviation of the log price change per event of a symbol, outside bursts. */
    public static final double VOLATILITY = 0.0004;
    public static final double BURST_VOLATILITY_FACTOR = 5.0;
    /** A price stays between half and twice its opening price. */
    public static final double MAX_PRICE_FACTOR = 2.0;
    /** On average one burst starts every this many events, lasting 10..30 s. */
    public static final int EVENTS_PER_BURST = 5_000;
    /** Share of events that go to the bursting symbol while a burst lasts. */
    public static final double BURST_SHARE = 0.3;
    /** On average one trading halt starts every this many events, lasting 30..120 s. */
    public static final int EVENTS_PER_HALT = 20_000;
    static final double SYMBOL_ZIPF_EXPONENT = 0.8;

    private final SplittableRandom random;
    private final ZipfSampler activity = new ZipfSampler(SYMBOLS.length, SYMBOL_ZIPF_EXPONENT);
    private final double[] openingPrice = new double[SYMBOLS.length];
    private final double[] logReturn = new double[SYMBOLS.length];
    private final long[] haltedUntil = new long[SYMBOLS.length];
    private final boolean[] halted = new boolean[SYMBOLS.length];
    private int burstSymbol = -1;
    private long burstUntil;
    private long eventNumber;

    public TicksModel(long seed) {
        this.random = new SplittableRandom(seed);
        for (int s = 0; s < SYMBOLS.length; s++) {
            openingPrice[s] = Math.round(20.0 + 480.0 * random.nextDouble()) + 0.0;
        }
    }

    /** The price {@code symbol} opened at; it stays within {@link #MAX_PRICE_FACTOR} of it either way. */
    public double openingPrice(String symbol) {
        for (int s = 0; s < SYMBOLS.length; s++) {
            if (SYMBOLS[s].equals(symbol)) {
                return openingPrice[s];
            }
        }
        throw new IllegalArgumentException("Unknown symbol " + symbol);
    }

    @Override
    public String next(long nowMillis, long eventMillis, JsonObjectWriter out) {
        if (burstSymbol >= 0 && nowMillis >= burstUntil) {
            burstSymbol = -1;
        }
        if (burstSymbol < 0 && random.nextInt(EVENTS_PER_BURST) == 0) {
            burstSymbol = activity.sample(random);
            burstUntil = nowMillis + 10_000 + random.nextInt(20_001);
        }
        int s = burstSymbol >= 0 && random.nextDouble() < BURST_SHARE ? burstSymbol : activity.sample(random);
        out.string("event_id", PaymentModel.padded("e-", ++eventNumber, 12)).string("symbol", SYMBOLS[s]);
        if (halted[s]) {
            if (nowMillis >= haltedUntil[s]) {
                halted[s] = false;
                status(out, "resume");
            } else {
                quote(out, s);
            }
        } else if (random.nextInt(EVENTS_PER_HALT) == 0) {
            halted[s] = true;
            haltedUntil[s] = nowMillis + 30_000 + random.nextInt(90_001);
            status(out, "halt");
        } else {
            double sigma = VOLATILITY * (s == burstSymbol ? BURST_VOLATILITY_FACTOR : 1.0);
            logReturn[s] = reflect(logReturn[s] + sigma * Distributions.normal(random));
            if (random.nextDouble() < TRADE_SHARE) {
                long bid = bidCents(s);
                long price = random.nextBoolean() ? bid : bid + spreadCents(s);
                long lots = Distributions.geometric(random, s == burstSymbol ? 10.0 : 3.0);
                out.string("event_type", "trade").decimal("price", price, 2).number("size", 100 * lots)
                        .string("bid", null).string("ask", null);
            } else {
                quote(out, s);
            }
        }
        out.timestamp("ts", eventMillis);
        return SYMBOLS[s];
    }

    private void quote(JsonObjectWriter out, int s) {
        long bid = bidCents(s);
        out.string("event_type", "quote").string("price", null).string("size", null)
                .decimal("bid", bid, 2).decimal("ask", bid + spreadCents(s), 2);
    }

    private static void status(JsonObjectWriter out, String type) {
        out.string("event_type", type).string("price", null).string("size", null).string("bid", null)
                .string("ask", null);
    }

    private double mid(int s) {
        return openingPrice[s] * Math.exp(logReturn[s]);
    }

    /** About 5 basis points of the price, at least one cent. */
    private long spreadCents(int s) {
        return Math.max(1, Math.round(mid(s) * 0.0005 * 100.0));
    }

    private long bidCents(int s) {
        return Math.round(mid(s) * 100.0) - spreadCents(s) / 2 - spreadCents(s) % 2;
    }

    /** Keeps the log return within +-ln(MAX_PRICE_FACTOR) by reflecting at the bounds, like a price band would. */
    private static double reflect(double logReturn) {
        double bound = Math.log(MAX_PRICE_FACTOR) * 0.999;
        if (logReturn > bound) {
            return 2 * bound - logReturn;
        }
        if (logReturn < -bound) {
            return -2 * bound - logReturn;
        }
        return logReturn;
    }
}
