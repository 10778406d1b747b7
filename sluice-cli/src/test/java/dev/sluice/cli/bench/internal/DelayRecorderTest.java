package dev.sluice.cli.bench.internal;

import static org.assertj.core.api.Assertions.assertThat;

import dev.sluice.cli.bench.BenchReport;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class DelayRecorderTest {
    private static final Instant T = Instant.parse("2026-11-29T10:00:00Z");

    @Test
    void windowsClosedByTheEndMarkersAreCountedButNotMeasured() {
        DelayRecorder recorder = new DelayRecorder(Map.of("bench.windows", List.of("k", "window_end")),
                Map.of("windows", new Scenario.Origin("window_end", Duration.ofSeconds(5), "window_end + 5 s")));
        recorder.startRecording();
        recorder.markersSentAt(T.toEpochMilli());

        // Closed by the stream: origin 09:59:55 + 5 s = 10:00:00, not after the markers; stored 300 ms later.
        recorder.stored("bench.windows", List.<String[]>of(new String[] {"a", "2026-11-29T09:59:55"}), T.plusMillis(300));
        // Its origin (10:00:05) is after the markers were sent: only they can have closed it.
        recorder.stored("bench.windows", List.<String[]>of(new String[] {"b", "2026-11-29T10:00:00"}), T.plusMillis(400));

        BenchReport.Delays delays = recorder.summary().get("windows");
        assertThat(delays.rows()).isOne();
        assertThat(delays.max()).isEqualTo(300);
        assertThat(delays.origin()).isEqualTo("window_end + 5 s; 1 rows closed by the end markers, not by the stream, are not measured");
    }
}
