package dev.sluice.ingest.internal;

import dev.sluice.ingest.EncodedEvent;
import dev.sluice.ingest.Imperfections;
import java.nio.charset.StandardCharsets;
import java.util.SplittableRandom;

/**
 * The imperfections every generator shares, around an {@link EventModel}: picks each event's event time
 * ({@link EventTimeLag}), sends a share of records twice ({@link DuplicateQueue}) and replaces a share by broken
 * versions ({@link MalformedPayloads}), as {@link Imperfections} says. Its randomness is separate from the model's,
 * so changing a share does not change the model's own random draws.
 * A malformed record keeps its key. Not thread-safe; the counters may be read from any thread.
 */
public final class ImperfectStream {

    private final EventModel model;
    private final double malformedShare;
    private final SplittableRandom random;
    private final JsonObjectWriter json = new JsonObjectWriter();
    private final EventTimeLag lag;
    private final DuplicateQueue duplicates;
    // Written only by the generating thread, read by monitoring threads.
    private volatile long records;
    private volatile long malformed;

    /** @param seed seeds the imperfections; pass something derived from the generator's seed */
    public ImperfectStream(EventModel model, Imperfections imperfections, long seed) {
        if (model == null || imperfections == null) {
            throw new IllegalArgumentException("An imperfect stream needs a model and imperfections, got " + model
                    + " and " + imperfections);
        }
        this.model = model;
        this.malformedShare = imperfections.malformed();
        this.random = new SplittableRandom(seed ^ 0x5DEECE66DL);
        this.lag = new EventTimeLag(imperfections);
        this.duplicates = new DuplicateQueue(imperfections);
    }

    /** The next record at wall-clock time {@code nowMillis}. */
    public EncodedEvent next(long nowMillis) {
        records = records + 1;
        EncodedEvent duplicate = duplicates.due();
        if (duplicate != null) {
            return duplicate;
        }
        long eventMillis = nowMillis - lag.lagMillis(random);
        json.begin();
        byte[] key = model.next(nowMillis, eventMillis, json).getBytes(StandardCharsets.UTF_8);
        json.end();
        if (malformedShare > 0.0 && random.nextDouble() < malformedShare) {
            malformed = malformed + 1;
            return new EncodedEvent(key, MalformedPayloads.corrupt(json.text(), random));
        }
        EncodedEvent event = new EncodedEvent(key, json.bytes());
        duplicates.offer(event, random);
        return event;
    }

    /** Records returned so far, duplicates and malformed ones included. */
    public long records() {
        return records;
    }

    public long outOfOrder() {
        return lag.outOfOrder();
    }

    public long late() {
        return lag.late();
    }

    public long duplicates() {
        return duplicates.duplicates();
    }

    public long malformed() {
        return malformed;
    }
}
