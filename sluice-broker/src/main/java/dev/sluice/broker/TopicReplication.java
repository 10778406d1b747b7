package dev.sluice.broker;

import java.util.Optional;

/**
 * How the topics Sluice creates are replicated. {@link #automatic()} (the default) fits the cluster:
 * replication factor {@code min(3, brokers)} and, from three replicas on, {@code min.insync.replicas=2}, so that an
 * {@code acks=all} write survives the loss of one broker and a topic stays writable while one broker is down.
 * Fixed values override either part; topics that already exist are never changed.
 *
 * @param replicationFactor  replicas per partition; empty chooses {@code min(3, brokers)}
 * @param minInsyncReplicas  {@code min.insync.replicas} of created topics; empty chooses 2 from three replicas on, else
 *                           the cluster's default
 */
public record TopicReplication(Optional<Integer> replicationFactor, Optional<Integer> minInsyncReplicas) {
    public TopicReplication {
        replicationFactor.ifPresent(rf -> {
            if (rf < 1 || rf > Short.MAX_VALUE) {
                throw new IllegalArgumentException("topic replication factor must be at least 1, got " + rf);
            }
        });
        minInsyncReplicas.ifPresent(min -> {
            if (min < 1) {
                throw new IllegalArgumentException("topic min.insync.replicas must be at least 1, got " + min);
            }
            replicationFactor.filter(rf -> min > rf).ifPresent(rf -> {
                throw new IllegalArgumentException("topic min.insync.replicas (" + min + ") cannot exceed the replication factor ("
                        + rf + "): no write would ever be acknowledged");
            });
        });
    }

    public static TopicReplication automatic() {
        return new TopicReplication(Optional.empty(), Optional.empty());
    }

    public TopicReplication withReplicationFactor(int value) {
        return new TopicReplication(Optional.of(value), minInsyncReplicas);
    }

    public TopicReplication withMinInsyncReplicas(int value) {
        return new TopicReplication(replicationFactor, Optional.of(value));
    }

    /** The replication factor for a cluster of {@code brokers} brokers. */
    public int replicationFactorFor(int brokers) {
        return replicationFactor.orElse(Math.max(1, Math.min(3, brokers)));
    }

    /** The {@code min.insync.replicas} to set on created topics for a cluster of {@code brokers} brokers, if any. */
    public Optional<Integer> minInsyncReplicasFor(int brokers) {
        if (minInsyncReplicas.isPresent()) {
            return minInsyncReplicas;
        }
        return replicationFactorFor(brokers) >= 3 ? Optional.of(2) : Optional.empty();
    }
}
