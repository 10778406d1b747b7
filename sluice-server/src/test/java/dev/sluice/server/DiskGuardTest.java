package dev.sluice.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class DiskGuardTest {
    private static final long MB = 1L << 20;
    private final ScheduledExecutorService executor = Executors.newSingleThreadScheduledExecutor();
    private long free = 500 * MB;
    private final List<DiskStatus> changes = new ArrayList<>();

    @AfterEach
    void stop() {
        executor.shutdownNow();
    }

    private DiskGuard guard(DiskLevels levels) {
        DiskGuard.SpaceProbe probe = new DiskGuard.SpaceProbe() {
            @Override
            public long freeBytes() {
                return free;
            }

            @Override
            public long totalBytes() {
                return 1000 * MB;
            }
        };
        return new DiskGuard(Path.of("/data"), levels, probe, changes::add, executor);
    }

    @Test
    void warnsThenStopsInputThenResumesAboveTheMidpointOfTheLevels() {
        DiskGuard guard = guard(new DiskLevels(SpaceThreshold.ofBytes(200 * MB), SpaceThreshold.ofBytes(100 * MB)));
        assertThat(guard.status().level()).isEqualTo(DiskStatus.Level.OK);

        free = 150 * MB;
        guard.check();
        assertThat(guard.status().level()).isEqualTo(DiskStatus.Level.LOW);
        assertThat(guard.admitsInput()).isTrue();

        free = 99 * MB;
        guard.check();
        assertThat(guard.status().level()).isEqualTo(DiskStatus.Level.INPUT_STOPPED);
        assertThat(guard.admitsInput()).isFalse();
        assertThat(guard.status().detail()).isEqualTo("The disk of the data directory /data has 99 MB free of 1000 MB, below the"
                + " stop level of 100 MB: new input is refused until 150 MB are free again; accepted events are still processed"
                + " and queries answer.");

        free = 140 * MB; // above the stop level, below the midpoint: stays stopped
        guard.check();
        assertThat(guard.status().level()).isEqualTo(DiskStatus.Level.INPUT_STOPPED);

        free = 160 * MB;
        guard.check();
        assertThat(guard.status().level()).isEqualTo(DiskStatus.Level.LOW);
        free = 600 * MB;
        guard.check();
        guard.check();

        assertThat(changes).extracting(DiskStatus::level).containsExactly(DiskStatus.Level.LOW, DiskStatus.Level.INPUT_STOPPED,
                DiskStatus.Level.LOW, DiskStatus.Level.OK);
    }

    @Test
    void defaultLevelsAreTheSmallerOfAShareAndASize() {
        assertThat(DiskLevels.DEFAULT_WARN.bytesOf(400 * MB)).isEqualTo(40 * MB);
        assertThat(DiskLevels.DEFAULT_STOP.bytesOf(400 * MB)).isEqualTo(20 * MB);
        assertThat(DiskLevels.DEFAULT_WARN.bytesOf(4L << 40)).isEqualTo(2L << 30);
        assertThat(DiskLevels.DEFAULT_STOP.bytesOf(4L << 40)).isEqualTo(1L << 30);
        assertThat(DiskLevels.DEFAULT_STOP).hasToString("the smaller of 5% and 1 GB");
    }

    @Test
    void aZeroStopLevelNeverRefusesInput() {
        DiskGuard guard = guard(new DiskLevels(SpaceThreshold.parse("0"), SpaceThreshold.parse("0")));
        free = 0;
        guard.check();
        assertThat(guard.status().level()).isEqualTo(DiskStatus.Level.OK);
    }

    @Test
    void parsesSharesAndSizes() {
        assertThat(SpaceThreshold.parse("10%").bytesOf(1000)).isEqualTo(100);
        assertThat(SpaceThreshold.parse("2.5%").bytesOf(1000)).isEqualTo(25);
        assertThat(SpaceThreshold.parse("500MB").bytesOf(Long.MAX_VALUE)).isEqualTo(500 * MB);
        assertThat(SpaceThreshold.parse("2gb").bytesOf(Long.MAX_VALUE)).isEqualTo(2L << 30);
        assertThat(SpaceThreshold.parse("4096").bytesOf(Long.MAX_VALUE)).isEqualTo(4096);
        assertThatThrownBy(() -> SpaceThreshold.parse("lots")).isInstanceOf(IllegalArgumentException.class)
                .hasMessage("'lots' is not an amount of free space; expected a percentage of the filesystem such as 10% or a"
                        + " size such as 500MB or 2GB");
        assertThatThrownBy(() -> SpaceThreshold.parse("100%")).isInstanceOf(IllegalArgumentException.class);
    }
}
