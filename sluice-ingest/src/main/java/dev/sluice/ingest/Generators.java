package dev.sluice.ingest;

import dev.sluice.ingest.internal.ClickstreamModel;
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
    public static final List<String> NAMES = List.of("clickstream", "payments");

    private Generators() {}

    /**
     * The generator called {@code name}.
     *
     * @throws IllegalArgumentException for a name not in {@link #NAMES}
     */
    public static EventGenerator create(String name, long seed, Clock clock, Imperfections imperfections) {
        return switch (name) {
            case "clickstream" -> clickstream(seed, clock, imperfections);
            case "payments" -> new PaymentsGenerator(seed, clock, imperfections.malformed());
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
}
