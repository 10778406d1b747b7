package dev.sluice.engine;

import dev.sluice.SluiceException;
import java.time.Duration;
import java.util.Optional;

/**
 * How long the result sinks' Kafka transactions may stay open, and how long a checkpoint may take, chosen so that a
 * transaction is never aborted by the broker before the checkpoint that commits it completes; an aborted transaction
 * would lose the results it held.
 *
 * <p>A transaction opens after one checkpoint and commits when the next one completes, so it must outlive the checkpoint
 * interval plus the checkpoint's own duration (bounded by the checkpoint timeout), plus the time a restarted job needs to
 * commit what the last checkpoint prepared. Sluice asks for 15 minutes, Kafka's default maximum; against a cluster whose
 * {@code transaction.max.timeout.ms} is lower, it takes the cluster's maximum and shortens the checkpoint timeout to
 * fit, and refuses to start when even that leaves less than {@link #MIN_CHECKPOINT_TIMEOUT} for a checkpoint.
 *
 * @param transactionTimeout producer {@code transaction.timeout.ms} of the result sinks
 * @param checkpointTimeout  Flink's {@code execution.checkpointing.timeout}
 */
public record TransactionTimeouts(Duration transactionTimeout, Duration checkpointTimeout) {
    /** What Sluice asks for: Kafka's default {@code transaction.max.timeout.ms}. */
    public static final Duration PREFERRED_TRANSACTION_TIMEOUT = Duration.ofMinutes(15);
    /** Flink's default checkpoint timeout. */
    public static final Duration PREFERRED_CHECKPOINT_TIMEOUT = Duration.ofMinutes(10);
    /** Room for a restarted job to commit what its last checkpoint prepared. */
    public static final Duration RESTART_ROOM = Duration.ofMinutes(1);
    /** A checkpoint timeout shorter than this fails checkpoints of ordinary state on a busy machine. */
    public static final Duration MIN_CHECKPOINT_TIMEOUT = Duration.ofSeconds(30);

    /**
     * The timeouts for {@code checkpointInterval} on a cluster that allows transactions of at most {@code brokerMaximum}
     * (empty when the cluster does not say, e.g. without the right to describe its configuration).
     *
     * @throws SluiceException when the cluster's maximum is too short for the checkpoint interval
     */
    public static TransactionTimeouts choose(Duration checkpointInterval, Optional<Duration> brokerMaximum) {
        Duration transaction = brokerMaximum.filter(max -> max.compareTo(PREFERRED_TRANSACTION_TIMEOUT) < 0)
                .orElse(PREFERRED_TRANSACTION_TIMEOUT);
        Duration room = transaction.minus(checkpointInterval).minus(RESTART_ROOM);
        Duration checkpoint = room.compareTo(PREFERRED_CHECKPOINT_TIMEOUT) < 0 ? room : PREFERRED_CHECKPOINT_TIMEOUT;
        if (checkpoint.compareTo(MIN_CHECKPOINT_TIMEOUT) < 0) {
            Duration needed = checkpointInterval.plus(MIN_CHECKPOINT_TIMEOUT).plus(RESTART_ROOM);
            throw new SluiceException("The Kafka cluster allows transactions of at most " + text(transaction)
                    + " (transaction.max.timeout.ms=" + transaction.toMillis() + "), but exactly-once results with a checkpoint"
                    + " interval of " + text(checkpointInterval) + " need at least " + text(needed) + ": the interval, "
                    + text(MIN_CHECKPOINT_TIMEOUT) + " for a checkpoint and " + text(RESTART_ROOM) + " for a restarted job to"
                    + " commit. Raise transaction.max.timeout.ms on the brokers (Kafka's default is 15 min) or shorten"
                    + " --checkpoint-interval");
        }
        return new TransactionTimeouts(transaction, checkpoint);
    }

    /** Whether the cluster's maximum made Sluice shorten the timeouts it prefers. */
    public boolean shortened() {
        return transactionTimeout.compareTo(PREFERRED_TRANSACTION_TIMEOUT) < 0;
    }

    static String text(Duration d) {
        if (d.toMillis() % 60_000 == 0) {
            return d.toMinutes() + " min";
        }
        if (d.toMillis() % 1000 == 0) {
            return d.toSeconds() + " s";
        }
        return d.toMillis() + " ms";
    }
}
