package dev.sluice.ingest;

import dev.sluice.ingest.internal.ClickstreamModel;
import dev.sluice.ingest.internal.RidesModel;
import dev.sluice.ingest.internal.SensorsModel;
import dev.sluice.ingest.internal.TicksModel;
import java.time.Clock;
import java.util.List;

/**
 * The built-in generators, one per use case, by name. Each is deterministic for a seed and a sequence of clock
 * readings, stamps its events with the clock's time (or, for the configured {@link Imperfections}, a little or a
 * lot earlier), and writes one flat JSON object per record whose event time is the field {@code ts}. The fields
 * and shapes are described in {@code docs/generators.md}.
 *
 * <pre>{@code
 * EventGenerator generator = Generators.create("clickstream", 42, Clock.systemUTC(), Imperfections.typical());
 * try (GeneratorRunner runner = GeneratorRunner.start("localhost:9092", new Properties(),
 *         GeneratorSettings.to(generator.name()).withEventsPerSecond(1_000), generator)) { ... }
 * }</pre>
 */
public final class Generators {

    /** Names accepted by {@link #create}; each is also the generator's default topic. */
    public static final List<String> NAMES = List.of("clickstream", "sensors", "ticks", "rides", "payments");

    private Generators() {}

    /**
     * The generator called {@code name}.
     *
     * @throws IllegalArgumentException for a name not in {@link #NAMES}
     */
    public static EventGenerator create(String name, long seed, Clock clock, Imperfections imperfections) {
        return switch (name) {
            case "clickstream" -> clickstream(seed, clock, imperfections);
            case "sensors" -> sensors(seed, clock, imperfections);
            case "ticks" -> ticks(seed, clock, imperfections);
            case "rides" -> rides(seed, clock, imperfections);
            case "payments" -> new PaymentsGenerator(seed, clock, imperfections, 0);
            default -> throw new IllegalArgumentException("There is no generator called '" + name
                    + "'; the generators are " + String.join(", ", NAMES));
        };
    }

    /**
     * Shoppers on a web shop, keyed by {@code user_id}: 20,000 users open sessions (about 8 steps, 12 s apart on
     * average), land on the home page or a product, browse products, categories and search, put 20% of the products
     * they view in the cart, and half of the sessions with a full cart check out and buy it (one {@code purchase}
     * per item). 2,000 items with Zipf popularity; a product viewed after another is often one of its four
     * "viewed together" companions, and a trending long-tail item takes 10% of product views for five minutes.
     */
    public static SyntheticGenerator clickstream(long seed, Clock clock, Imperfections imperfections) {
        return new SyntheticGenerator("clickstream", clock, new ClickstreamModel(seed), imperfections, seed);
    }

    /**
     * IoT sensors, keyed by {@code device_id}: 1,000 devices on 20 sites report temperature (20..60 °C) and
     * vibration (0.5..3 mm/s) in turn, with a little noise. 5% of the devices drift (+0.5 °C per minute, up to
     * +40 °C, vibration rising too); 1.5% get stuck 2..10 minutes into the stream (the same reading over and over) and
     * 1.5% drop out then (no readings any more).
     */
    public static SyntheticGenerator sensors(long seed, Clock clock, Imperfections imperfections) {
        return new SyntheticGenerator("sensors", clock, new SensorsModel(seed), imperfections, seed);
    }

    /**
     * Market data, keyed by {@code symbol}: 20 invented stocks with Zipf-distributed activity; 70% quotes (bid and
     * ask about 5 basis points apart) and 30% trades at the bid or the ask, in lots of 100, around a random-walk
     * price that stays within half and twice the opening price. About every 5,000 events a 10..30 s burst sends 30%
     * of the events to one symbol at five times the volatility and larger sizes; about every 20,000 events a symbol
     * is halted for 30..120 s ({@code halt} ... {@code resume}, quotes only, no trades in between).
     */
    public static SyntheticGenerator ticks(long seed, Clock clock, Imperfections imperfections) {
        return new SyntheticGenerator("ticks", clock, new TicksModel(seed), imperfections, seed);
    }

    /**
     * Ride hailing in a city box (lat 52.40..52.62, lon 13.20..13.60), keyed by {@code ride_id}: riders request rides
     * (40% around the centre), the nearest of a dozen sampled free drivers (1,000 in all) accepts 2..20 s later,
     * drives to the pickup and on to the drop-off at 15..50 km/h sending its position every 4 s, and completes the
     * ride with its distance and a fare of 3.90 + 1.50 per km. Each position carries its zone ({@code z-<row>-<col>}
     * of a 5 x 5 grid).
     */
    public static SyntheticGenerator rides(long seed, Clock clock, Imperfections imperfections) {
        return new SyntheticGenerator("rides", clock, new RidesModel(seed), imperfections, seed);
    }
}
