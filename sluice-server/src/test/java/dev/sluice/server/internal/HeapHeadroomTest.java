package dev.sluice.server.internal;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class HeapHeadroomTest {
    private static final long GB = 1L << 30;

    @Test
    void aHeapWithRoomTakesAnotherPipeline() {
        assertThat(HeapHeadroom.shortfall(GB, 3 * GB)).isEmpty();
        assertThat(HeapHeadroom.shortfall((long) (0.85 * 4 * GB), 4 * GB)).isEmpty();
    }

    @Test
    void aNearlyFullHeapSaysWhatIsShort() {
        assertThat(HeapHeadroom.shortfall((long) (2.7 * GB), 3 * GB)).hasValueSatisfying(message -> assertThat(message)
                .contains("the heap is short", "2,764 MB of its 3,072 MB", "more than 85%", "-Xmx", "Remove a pipeline"));
    }
}
