package dev.sluice.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

class CheckpointHorizonTest {

    @Test
    void answersAtOnceWhileTheClusterIsReadInTheBackground() throws Exception {
        CountDownLatch release = new CountDownLatch(1);
        AtomicLong cluster = new AtomicLong(1_000);
        CheckpointHorizon horizon = new CheckpointHorizon("job", () -> {
            try {
                release.await();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            return cluster.get();
        });

        // The cluster does not answer yet: the loader's thread is not held up.
        assertThat(horizon.getAsLong()).isEqualTo(-1);
        release.countDown();
        await().atMost(Duration.ofSeconds(5)).until(() -> horizon.getAsLong() == 1_000);
    }

    @Test
    void neverMovesBackWhenARestartedJobReportsNoCheckpointYet() {
        AtomicLong cluster = new AtomicLong(5_000);
        CheckpointHorizon horizon = new CheckpointHorizon("job", cluster::get);
        await().atMost(Duration.ofSeconds(5)).until(() -> horizon.getAsLong() == 5_000);

        cluster.set(-1);
        await().pollDelay(Duration.ofMillis(2_500)).atMost(Duration.ofSeconds(5)).until(() -> horizon.getAsLong() == 5_000);
        cluster.set(7_000);
        await().atMost(Duration.ofSeconds(5)).until(() -> horizon.getAsLong() == 7_000);
    }
}
