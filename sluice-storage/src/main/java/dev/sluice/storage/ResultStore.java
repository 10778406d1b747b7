package dev.sluice.storage;

import java.sql.Connection;
import java.sql.SQLException;
import java.time.Instant;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import org.apache.kafka.common.TopicPartition;

/**
 * The storage contract the loader, the query service, the alert notifier and the server rely on, whichever database
 * holds the rows: {@link DuckDbStore} (embedded, the default) or {@link PostgresStore} (scale-out).
 *
 * <p>What every store guarantees:
 * <ul>
 *   <li>{@link #write} applies a {@link LoadBatch} (rows, tombstones, rejected records and the next offsets) in one
 *       database transaction, with one set-based statement per table; so a restart that resumes from
 *       {@link #committedOffsets()} neither loses nor duplicates rows;</li>
 *   <li>a table must be created or checked with {@link #ensureTable} before it is written; a table that exists with
 *       another schema is refused, never altered;</li>
 *   <li>Sluice's own tables ({@code _sluice_offsets}, {@code _sluice_rejected}) live in the schema
 *       {@value TableDefinition#DEFAULT_SCHEMA}; each pipeline's tables in a schema of its own;</li>
 *   <li>readers ({@link QueryService}) never wait for the writer and can never change anything.</li>
 * </ul>
 * The interface is sealed: the query service runs its read-only checks in each database's own way.
 *
 * <pre>{@code
 * try (ResultStore store = DuckDbStore.open(Path.of("sluice-data/sluice.duckdb"))) {
 *     store.ensureTable(salesTable);
 *     store.write(LoadBatch.builder().row("sales", "m-1", "12.50").nextOffset(new TopicPartition("sales-results", 0), 1).build());
 *     Map<TopicPartition, Long> resumeAt = store.committedOffsets();
 * }
 * }</pre>
 */
public sealed interface ResultStore extends AutoCloseable permits DuckDbStore, PostgresStore {

    /** Where the data is, for messages and logs: a file path or a database URL, never with a password. */
    String location();

    /**
     * Creates the table if it does not exist, or checks that the existing one has the same columns, types and
     * primary key. Must be called for every table before {@link #write} touches it.
     *
     * @throws StorageException when the table exists with a different schema; the message lists both
     */
    void ensureTable(TableDefinition table);

    /**
     * Checks, without creating anything, that {@link #ensureTable} would accept the table.
     *
     * @throws StorageException when the table exists with a different schema; the message lists both
     */
    void checkTable(TableDefinition table);

    /**
     * Applies the batch in one transaction: rows and tombstones per table (in batch order, last change per key
     * wins), rejected records, and the next offsets. On any failure nothing of it is visible.
     *
     * @throws StorageException when the batch could not be written; it was rolled back and may be retried
     */
    void write(LoadBatch batch);

    /**
     * Tells the store that rows of these deduplicated append tables stored before {@code before} can no longer be
     * written again by a replay (see {@link ResultLoader#replayHorizon}), so their ids need not be kept to drop
     * replays. {@link DuckDbStore} then forgets them (its deduplication keeps only the ids a replay can reach);
     * {@link PostgresStore} keeps every id in its primary-key index and ignores this. Tables that are not deduplicated
     * are ignored.
     *
     * @throws StorageException when the store could not forget them; nothing changed, and a later call may retry
     */
    default void forgetRowIds(Collection<String> qualifiedTables, Instant before) {
    }

    /** The next offset to consume per topic partition, as of the last committed {@link #write}. */
    Map<TopicPartition, Long> committedOffsets();

    /**
     * Empties {@code cleared} and sets the next offsets to load to {@code offsets}, in one transaction.
     *
     * @throws StorageException when it could not be done; then nothing changed
     */
    void startOver(List<TableDefinition> cleared, Map<TopicPartition, Long> offsets);

    /** The tables of the default schema {@value TableDefinition#DEFAULT_SCHEMA}, sorted, Sluice's own included. */
    default List<String> tables() {
        return tables(TableDefinition.DEFAULT_SCHEMA);
    }

    /** The tables of one schema (a pipeline's), sorted; empty when there is no such schema. */
    default List<String> tables(String schema) {
        return allTables().getOrDefault(schema, List.of());
    }

    /** Every schema that holds tables, each with its tables, sorted by schema and table. */
    Map<String, List<String>> allTables();

    /**
     * Runs {@code work} on the writer connection in one transaction (committed when it returns, rolled back when it
     * throws), between the loader's batches. For components that keep small tables of their own next to the loaded
     * ones, such as the alert notifier's; keep the work short and its SQL portable, the loader waits for it.
     */
    <T> T inTransaction(String what, SqlWork<T> work);

    /**
     * For fault injection only (see {@link WriteFaults}): installs a hook around the commit of every later
     * {@link #write}. Production never calls this.
     */
    void injectFaults(WriteFaults hook);

    @Override
    void close();

    /** Work on the writer connection inside one transaction; see {@link #inTransaction}. */
    @FunctionalInterface
    interface SqlWork<T> {
        T run(Connection connection) throws SQLException;
    }
}
