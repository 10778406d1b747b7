package dev.sluice.ingest;

import dev.sluice.ingest.internal.EventModel;
import dev.sluice.ingest.internal.ImperfectStream;
import java.time.Clock;

/**
 * A generator made of a model of one stream (shopping sessions, sensors, market data, rides) and the shared
 * {@link Imperfections}; create one with {@link Generators}. Each call to {@link #nextEvent()} reads
 * {@link Clock#instant()} exactly once, so the output is a function of the seed and the sequence of clock
 * readings. Not thread-safe; the counters may be read from any thread.
 */
public final class SyntheticGenerator implements EventGenerator {

    private final String name;
    private final Clock clock;
    private final ImperfectStream stream;

    SyntheticGenerator(String name, Clock clock, EventModel model, Imperfections imperfections, long seed) {
        if (clock == null) {
            throw new IllegalArgumentException("The " + name + " generator needs a clock, got null");
        }
        this.name = name;
        this.clock = clock;
        this.stream = new ImperfectStream(model, imperfections, seed);
    }

    @Override
    public String name() {
        return name;
    }

    @Override
    public EncodedEvent nextEvent() {
        return stream.next(clock.instant().toEpochMilli());
    }

    /** Records produced so far, duplicates and malformed ones included. */
    public long records() {
        return stream.records();
    }

    /** Records whose event time was set a little in the past. */
    public long outOfOrder() {
        return stream.outOfOrder();
    }

    /** Records whose event time was set 20..60 s in the past. */
    public long late() {
        return stream.late();
    }

    /** Records sent a second time. */
    public long duplicates() {
        return stream.duplicates();
    }

    /** Records replaced by a broken version. */
    public long malformed() {
        return stream.malformed();
    }
}
