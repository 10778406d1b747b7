package dev.sluice.cli.bench.internal;

import dev.sluice.ingest.Payment;
import java.io.IOException;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Duration;
import java.util.List;
import java.util.Map;

/**
 * One benchmark scenario on the payments stream: its pipeline, and an independent computation of what the pipeline must
 * store, fed with every generated payment. Not thread-safe: {@link #accept} runs on the one thread that generates.
 */
public interface Scenario {
    /** The payments' event-time bound of every scenario pipeline ({@code max-out-of-orderness}). */
    Duration OUT_OF_ORDERNESS = Duration.ofSeconds(5);

    String name();

    /** One line for {@code sluice bench --help}. */
    String description();

    /** Writes the pipeline file (and the reference files it reads) into {@code dir}; returns the pipeline file. */
    Path pipeline(Path dir, Path examplesDir) throws IOException;

    /** Sees every generated payment in the order it was sent (the end markers excluded). */
    void accept(Payment payment);

    /** Per table, how many rows the pipeline stores for the payments seen; the run ends when all are stored. */
    Map<String, Long> expectedRows();

    /**
     * Whether the stored row counts reaching {@link #expectedRows()} means every result is stored: true when each
     * expected row is written once (append tables, windows emitted once); false for upsert tables whose keys are
     * updated again and again, where the run also waits for the checkpoints after the last input record.
     */
    default boolean countsEveryRow() {
        return true;
    }

    /** Per table, what the delay of a stored row is measured from. */
    Map<String, Origin> origins();

    /** Which input the scenario reads: the payments topic, or the three Nexmark topics. */
    enum Workload { PAYMENTS, NEXMARK }

    default Workload workload() {
        return Workload.PAYMENTS;
    }

    /**
     * Called once the input is in its topics and before the job is submitted, outside every measurement: a scenario
     * whose expectation comes from another system computes it here.
     */
    default void prepare(String bootstrapServers, int parallelism) {
    }

    /** Compares the stored tables of {@code schema} with the expectation; the differences, empty when exact. */
    List<String> verify(Connection connection, String schema) throws SQLException;

    /**
     * The moment a row could exist at the earliest: the value of {@code column} (an event time) plus {@code after}. For a
     * per-event row this is its event's time; for a window it is the window's end plus the out-of-orderness bound, when
     * the first event that closes the window arrives.
     */
    record Origin(String column, Duration after, String description) {}
}
