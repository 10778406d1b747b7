package dev.sluice.server.usecases;

import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;

/**
 * One shipped use case under test: its example pipeline, the input the test sends to its topic, and the tables it
 * must end up with, computed in plain Java from that input.
 */
interface UseCase {
    /** Directory under {@code examples/}. */
    String example();

    /** The pipeline's name in its file. */
    String pipeline();

    String topic();

    /** Events of one phase in event-time order, with ids that start with {@code prefix}, from {@code start} on. */
    List<Event> events(SplittableRandom random, String prefix, long start);

    /** A harmless valid event at {@code ts} on partition {@code p}: moves the watermark, or is late when old. */
    Event heartbeat(int p, long ts);

    /** Table name to the query that reads the columns compared, in the order {@link #expected} gives them. */
    Map<String, String> queries();

    /** Table name to its rows, once the source has been read up to the watermark {@code wm}. */
    Map<String, List<List<String>>> expected(List<Event> events, long wm);
}
