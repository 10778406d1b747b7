package dev.sluice.broker;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Optional;
import org.junit.jupiter.api.Test;

class TopicReplicationTest {
    @Test
    void automaticReplicatesThreeTimesWithTwoInSyncOnThreeOrMoreBrokers() {
        TopicReplication auto = TopicReplication.automatic();
        assertThat(auto.replicationFactorFor(1)).isEqualTo(1);
        assertThat(auto.minInsyncReplicasFor(1)).isEmpty();
        assertThat(auto.replicationFactorFor(2)).isEqualTo(2);
        assertThat(auto.minInsyncReplicasFor(2)).isEmpty();
        assertThat(auto.replicationFactorFor(3)).isEqualTo(3);
        assertThat(auto.minInsyncReplicasFor(3)).contains(2);
        assertThat(auto.replicationFactorFor(7)).isEqualTo(3);
        assertThat(auto.minInsyncReplicasFor(7)).contains(2);
    }

    @Test
    void fixedValuesWin() {
        TopicReplication fixed = TopicReplication.automatic().withReplicationFactor(4).withMinInsyncReplicas(3);
        assertThat(fixed.replicationFactorFor(9)).isEqualTo(4);
        assertThat(fixed.minInsyncReplicasFor(9)).contains(3);
        assertThat(TopicReplication.automatic().withReplicationFactor(2).minInsyncReplicasFor(5)).isEmpty();
        assertThat(TopicReplication.automatic().withMinInsyncReplicas(1).minInsyncReplicasFor(3)).contains(1);
    }

    @Test
    void rejectsImpossibleValues() {
        assertThatThrownBy(() -> new TopicReplication(Optional.of(0), Optional.empty()))
                .hasMessage("topic replication factor must be at least 1, got 0");
        assertThatThrownBy(() -> new TopicReplication(Optional.empty(), Optional.of(0)))
                .hasMessage("topic min.insync.replicas must be at least 1, got 0");
        assertThatThrownBy(() -> new TopicReplication(Optional.of(2), Optional.of(3)))
                .hasMessage("topic min.insync.replicas (3) cannot exceed the replication factor (2): no write would ever be acknowledged");
    }
}
