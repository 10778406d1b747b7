package dev.sluice.ingest.internal;

import dev.sluice.ingest.EncodedEvent;
import dev.sluice.ingest.Imperfections;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

/**
 * The imperfections every generator shares, around an {@link EventModel}: picks each event's event time (now,
 * a little earlier, or late), sends a share of records twice and replaces a share by broken versions
 * ({@link MalformedPayloads}), as {@link Imperfections} says. Its randomness is separate from the model's, so the
 * valid events a model produces do not depend on the imperfection shares (except for their event times).
 *
 * <p>A duplicate is the same key and value bytes again, 1..{@link Imperfections#MAX_DUPLICATE_DELAY} records
 * later, like a producer retry after a lost acknowledgement. A malformed record keeps its key. Not thread-safe;
 * the counters may be read from any thread.
 */
public final class ImperfectStream {

    private final EventModel model;
    private final Imperfections imperfections;
    private final SplittableRandom random;
    private final JsonObjectWriter json = new JsonObjectWriter();
    /** Share of new events to repeat so that duplicates are {@code imperfections.duplicate()} of all records. */
    private final double repeatProbability;
    /** Events waiting to be sent again, and how many more records each waits. At most a few at a time. */
    private final List<EncodedEvent> pending = new ArrayList<>();
    private final List<Integer> pendingDelays = new ArrayList<>();
    // Written only by the generating thread, read by monitoring threads.
    private volatile long records;
    private volatile long outOfOrder;
    private volatile long late;
    private volatile long duplicates;
    private volatile long malformed;

    /** @param seed seeds the imperfections; pass something derived from the generator's seed */
    public ImperfectStream(EventModel model, Imperfections imperfections, long seed) {
        if (model == null || imperfections == null) {
            throw new IllegalArgumentException("An imperfect stream needs a model and imperfections, got " + model
                    + " and " + imperfections);
        }
        this.model = model;
        this.imperfections = imperfections;
        this.random = new SplittableRandom(seed ^ 0x5DEECE66DL);
        // d repeats per new event make d / (1 + d) of all records duplicates.
        this.repeatProbability = imperfections.duplicate() / (1.0 - imperfections.duplicate());
    }

    /** The next record at wall-clock time {@code nowMillis}. */
    public EncodedEvent next(long nowMillis) {
        records = records + 1;
        for (int i = 0; i < pending.size(); i++) {
            int delay = pendingDelays.get(i) - 1;
            pendingDelays.set(i, delay);
        }
        for (int i = 0; i < pending.size(); i++) {
            if (pendingDelays.get(i) <= 0) {
                pendingDelays.remove(i);
                duplicates = duplicates + 1;
                return pending.remove(i);
            }
        }
        long eventMillis = nowMillis - lagMillis();
        json.begin();
        byte[] key = model.next(nowMillis, eventMillis, json).getBytes(StandardCharsets.UTF_8);
        json.end();
        if (imperfections.malformed() > 0.0 && random.nextDouble() < imperfections.malformed()) {
            malformed = malformed + 1;
            return new EncodedEvent(key, MalformedPayloads.corrupt(json.text(), random));
        }
        EncodedEvent event = new EncodedEvent(key, json.bytes());
        if (repeatProbability > 0.0 && random.nextDouble() < repeatProbability) {
            pending.add(event);
            pendingDelays.add(1 + random.nextInt(Imperfections.MAX_DUPLICATE_DELAY));
        }
        return event;
    }

    /** How far in the past the event time lies: mostly 0, sometimes a little (out of order), rarely a lot (late). */
    private long lagMillis() {
        if (imperfections.late() == 0.0 && imperfections.outOfOrder() == 0.0) {
            return 0;
        }
        double u = random.nextDouble();
        if (u < imperfections.late()) {
            late = late + 1;
            return Imperfections.MIN_LATE_MILLIS
                    + random.nextLong(Imperfections.MAX_LATE_MILLIS - Imperfections.MIN_LATE_MILLIS + 1);
        }
        if (u < imperfections.late() + imperfections.outOfOrder()) {
            outOfOrder = outOfOrder + 1;
            return 1 + random.nextLong(Imperfections.MAX_OUT_OF_ORDER_MILLIS);
        }
        return 0;
    }

    /** Records returned so far, duplicates and malformed ones included. */
    public long records() {
        return records;
    }

    public long outOfOrder() {
        return outOfOrder;
    }

    public long late() {
        return late;
    }

    public long duplicates() {
        return duplicates;
    }

    public long malformed() {
        return malformed;
    }
}
