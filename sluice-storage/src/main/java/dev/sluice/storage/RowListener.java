package dev.sluice.storage;

import java.time.Instant;
import java.util.List;

/**
 * Hears of every row a {@link ResultLoader} made visible in storage, with the commit that did it, so that a benchmark
 * can measure the delay from an event to the row it produced exactly (the loader's own {@link DelayHistogram} starts
 * from the result record's Kafka timestamp, which is not the source event's arrival).
 *
 * <p>Called on the loader thread right after the database commit, once per table of the batch: it must return at once.
 * Adding a listener makes the loader keep the rows of each batch until its commit; without one nothing is kept. An
 * exception it throws is logged and does not stop the loader.
 */
@FunctionalInterface
public interface RowListener {
    /**
     * @param table       the table, as {@link TableDefinition#qualifiedName()}
     * @param rows        the rows the batch stored (tombstones excluded), as canonical text per column in table order
     * @param committedAt when the commit that made them visible returned
     */
    void stored(String table, List<String[]> rows, Instant committedAt);
}
