package dev.sluice.engine;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.sluice.SluiceException;
import java.time.Duration;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class TransactionTimeoutsTest {
    @Test
    void takesKafkasDefaultMaximumAndFlinksDefaultCheckpointTimeoutWhenTheClusterAllowsThem() {
        TransactionTimeouts t = TransactionTimeouts.choose(Duration.ofSeconds(2), Optional.of(Duration.ofMinutes(15)));
        assertThat(t).isEqualTo(new TransactionTimeouts(Duration.ofMinutes(15), Duration.ofMinutes(10)));
        assertThat(t.shortened()).isFalse();
        assertThat(TransactionTimeouts.choose(Duration.ofSeconds(2), Optional.empty())).isEqualTo(t);
        assertThat(TransactionTimeouts.choose(Duration.ofSeconds(2), Optional.of(Duration.ofHours(1)))).isEqualTo(t);
    }

    @Test
    void fitsTheCheckpointTimeoutIntoAShorterClusterMaximum() {
        TransactionTimeouts t = TransactionTimeouts.choose(Duration.ofSeconds(2), Optional.of(Duration.ofMinutes(5)));
        assertThat(t).isEqualTo(new TransactionTimeouts(Duration.ofMinutes(5), Duration.ofMinutes(4).minusSeconds(2)));
        assertThat(t.shortened()).isTrue();
    }

    @Test
    void refusesAClusterMaximumTooShortForTheCheckpointInterval() {
        assertThatThrownBy(() -> TransactionTimeouts.choose(Duration.ofSeconds(30), Optional.of(Duration.ofSeconds(90))))
                .isInstanceOf(SluiceException.class)
                .hasMessage("The Kafka cluster allows transactions of at most 90 s (transaction.max.timeout.ms=90000), but"
                        + " exactly-once results with a checkpoint interval of 30 s need at least 2 min: the interval, 30 s for a"
                        + " checkpoint and 1 min for a restarted job to commit. Raise transaction.max.timeout.ms on the brokers"
                        + " (Kafka's default is 15 min) or shorten --checkpoint-interval");
    }
}
