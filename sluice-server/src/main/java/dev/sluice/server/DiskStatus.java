package dev.sluice.server;

import java.util.Locale;

/**
 * Free space on the data directory's filesystem and what Sluice does about it.
 *
 * @param level      {@code OK}, {@code LOW} (below the warning level) or {@code INPUT_STOPPED} (below the stop level)
 * @param freeBytes  usable bytes left
 * @param totalBytes size of the filesystem
 * @param warnBytes  the warning level in bytes
 * @param stopBytes  the stop level in bytes
 * @param detail     a sentence for people
 */
public record DiskStatus(Level level, long freeBytes, long totalBytes, long warnBytes, long stopBytes, String detail) {

    /** How low free space is. */
    public enum Level { OK, LOW, INPUT_STOPPED }

    /** {@code 1.5 GB}, {@code 320 MB}, {@code 12 KB}: sizes as people read them (powers of 1024). */
    static String size(long bytes) {
        String[] units = {"B", "KB", "MB", "GB", "TB"};
        double value = bytes;
        int unit = 0;
        while (value >= 1024 && unit < units.length - 1) {
            value /= 1024;
            unit++;
        }
        return unit == 0 ? bytes + " B"
                : String.format(Locale.ROOT, value >= 100 || value == Math.rint(value) ? "%.0f %s" : "%.1f %s", value, units[unit]);
    }
}
