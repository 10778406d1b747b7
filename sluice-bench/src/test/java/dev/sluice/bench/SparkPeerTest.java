package dev.sluice.bench;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SparkPeerTest {
    @Test
    void readsTheChildsWindowsTimesAndCountsAndAddsTheBrokersCpu(@TempDir Path dir) throws Exception {
        Path out = dir.resolve("windows.tsv");
        Files.writeString(out, "12.500 20.250 3 1004 7 4.125\nm-1\t1700000000000\t5\t1234\nm-2\t1700000010000\t1\t-50\n");

        PeerRun run = SparkPeer.read(out, 1000, 1.5);

        assertThat(run.seconds()).isEqualTo(12.5);
        assertThat(run.cpuSeconds()).isEqualTo(21.75);
        assertThat(run.windows()).hasSize(2);
        assertThat(run.windows().get(List.of("m-1", 1_700_000_000_000L))).containsExactly(5, 1234);
        assertThat(run.windows().get(List.of("m-2", 1_700_000_010_000L))).containsExactly(1, -50);
        assertThat(run.note()).isEqualTo("3 micro-batches, 1,004 records read (1,000 payments + end markers), 7 dropped as"
                + " later than the watermark; Spark session built in 4.1 s; CPU 20.3 s Spark + 1.5 s broker");
    }

    @Test
    void rejectsAWindowEmittedTwice(@TempDir Path dir) throws Exception {
        Path out = dir.resolve("windows.tsv");
        Files.writeString(out, "1 1 1 2 0 1\nm-1\t0\t1\t1\nm-1\t0\t1\t1\n");

        assertThatThrownBy(() -> SparkPeer.read(out, 1, 0)).hasMessageContaining("emitted window m-1 at 0 twice (line 3");
    }

    @Test
    void rejectsAHeaderWithoutItsSixFigures(@TempDir Path dir) throws Exception {
        Path out = dir.resolve("windows.tsv");
        Files.writeString(out, "1.0 2.0\n");

        assertThatThrownBy(() -> SparkPeer.read(out, 1, 0)).hasMessageContaining("starts with '1.0 2.0'");
    }
}
