package dev.sluice.storage.internal;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.Test;

class ReplayWindowTest {
    private static final UUID A = new UUID(0, 1);
    private static final UUID B = new UUID(0, 2);
    private static final UUID C = new UUID(0, 3);

    @Test
    void forgetsWholeBatchesStoredBeforeTheHorizon() {
        ReplayWindow window = new ReplayWindow();
        window.add(1_000, List.of(A, B));
        window.add(2_000, List.of(C));

        assertThat(window.forgetBefore(1_000)).isZero();
        assertThat(window.forgetBefore(1_001)).isEqualTo(2);
        assertThat(window.contains(A)).isFalse();
        assertThat(window.contains(C)).isTrue();
        assertThat(window.size()).isOne();
    }

    @Test
    void anIdStoredAgainAfterItWasForgottenIsKeptWithItsNewBatch() {
        ReplayWindow window = new ReplayWindow();
        window.add(1_000, List.of(A));
        window.forgetBefore(1_500);
        window.add(2_000, List.of(A));

        assertThat(window.forgetBefore(1_999)).isZero();
        assertThat(window.contains(A)).isTrue();
        assertThat(window.forgetBefore(2_001)).isOne();
        assertThat(window.size()).isZero();
    }

    @Test
    void aBatchNeverCountsAsOlderThanOneStoredBeforeIt() {
        ReplayWindow window = new ReplayWindow();
        window.add(2_000, List.of(A));
        // The wall clock stepped back between two commits.
        window.add(1_000, List.of(B));

        assertThat(window.forgetBefore(1_500)).isZero();
        assertThat(window.contains(B)).isTrue();
        assertThat(window.forgetBefore(2_001)).isEqualTo(2);
    }
}
