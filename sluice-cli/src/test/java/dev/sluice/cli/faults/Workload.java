package dev.sluice.cli.faults;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;

/**
 * The events of one scenario, generated on demand and the same for the same seed: {@code total} valid events spread
 * over {@code keys} keys chosen at random, each with the next sequence number of its key, a value that is a fixed
 * function of key and sequence ({@link #value}), and event times one millisecond apart in production order (so
 * every partition is in event-time order and no event is late). A share of malformed records (not JSON, a text
 * sequence number, a missing event time, a wrong time) is mixed in between them; they carry no key.
 *
 * <p>After the last event, {@link #flushEvents} gives one event per partition far enough ahead to close every window.
 */
final class Workload {
    private final long total;
    private final int keys;
    private final double malformedShare;
    private final long t0Millis;
    private final Random random;
    private final long[] nextSeq;
    private long produced;
    private long malformed;

    /** One record to send: a key (null for malformed ones), the JSON text, and the event for the oracle (null when malformed). */
    record Record(String key, String json, Event event) {}

    /** A valid event. */
    record Event(String key, long seq, long value, long tsMillis) {}

    Workload(long total, int keys, double malformedShare, long seed, Instant now) {
        this.total = total;
        this.keys = keys;
        this.malformedShare = malformedShare;
        this.random = new Random(seed);
        this.nextSeq = new long[keys];
        // Event times end well before the wall clock: the source refuses times more than max-future ahead of it.
        this.t0Millis = now.toEpochMilli() - total - 600_000;
    }

    static String key(int index) {
        return "k%03d".formatted(index);
    }

    /** The value of an event, the same function the checker applies in SQL ({@link ResultCheck}). */
    static long value(int keyIndex, long seq) {
        return (seq * 7 + keyIndex * 13L) % 1000;
    }

    boolean hasNext() {
        return produced < total;
    }

    long validProduced() {
        return produced;
    }

    long malformedProduced() {
        return malformed;
    }

    long total() {
        return total;
    }

    Record next() {
        if (malformedShare > 0 && random.nextDouble() < malformedShare) {
            malformed++;
            return new Record(null, malformedJson(malformed), null);
        }
        int k = random.nextInt(keys);
        long seq = ++nextSeq[k];
        long ts = t0Millis + produced;
        produced++;
        Event e = new Event(key(k), seq, value(k, seq), ts);
        return new Record(e.key(), json(e), e);
    }

    private String malformedJson(long n) {
        return switch ((int) (n % 4)) {
            case 0 -> "not json " + n + " {";
            case 1 -> "{\"k\":\"bad\",\"seq\":\"seq-" + n + "\",\"v\":1,\"ts\":\"" + Instant.ofEpochMilli(t0Millis + produced) + "\"}";
            case 2 -> "{\"k\":\"bad\",\"seq\":" + n + ",\"v\":1}";
            default -> "{\"k\":\"bad\",\"seq\":" + n + ",\"v\":1,\"ts\":\"yesterday-" + n + "\"}";
        };
    }

    /**
     * One event per partition, with an event time beyond the last event by two windows, so that the watermark of every
     * partition passes the end of every window of the real events. Keys {@code k900}, {@code k901}, ...
     */
    List<Event> flushEvents(int partitions, long windowMillis) {
        long ts = (t0Millis + total) / windowMillis * windowMillis + 2 * windowMillis + windowMillis / 2;
        List<Event> events = new ArrayList<>();
        for (int p = 0; p < partitions; p++) {
            events.add(new Event(key(900 + p), 1, value(900 + p, 1), ts));
        }
        return events;
    }

    static String json(Event e) {
        return "{\"k\":\"" + e.key() + "\",\"seq\":" + e.seq() + ",\"v\":" + e.value() + ",\"ts\":\"" + Instant.ofEpochMilli(e.tsMillis()) + "\"}";
    }
}
