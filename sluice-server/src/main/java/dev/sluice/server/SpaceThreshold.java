package dev.sluice.server;

import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * An amount of free disk space, as a share of the filesystem's size ({@code 10%}), as a size ({@code 2GB}), or as the
 * smaller of both: {@code 10%} of a 400 MB filesystem is 40 MB, and on a 4 TB disk {@code 2GB} keeps the level from
 * reserving hundreds of gigabytes.
 *
 * @param percent share of the filesystem's size, or a negative value for none
 * @param bytes   size in bytes, or a negative value for none
 */
public record SpaceThreshold(double percent, long bytes) {
    private static final Pattern PERCENT = Pattern.compile("([0-9]{1,2}(?:\\.[0-9]+)?)%");
    private static final Pattern SIZE = Pattern.compile("([0-9]{1,12})\\s*(B|KB|MB|GB|TB)?", Pattern.CASE_INSENSITIVE);

    public SpaceThreshold {
        if (percent < 0 && bytes < 0) {
            throw new IllegalArgumentException("a space threshold needs a percentage or a size");
        }
        if (percent >= 100) {
            throw new IllegalArgumentException("a space threshold must be below 100% of the filesystem, got " + percent + "%");
        }
    }

    public static SpaceThreshold ofBytes(long bytes) {
        return new SpaceThreshold(-1, bytes);
    }

    public static SpaceThreshold ofPercent(double percent) {
        return new SpaceThreshold(percent, -1);
    }

    /** The smaller of {@code percent} of the filesystem and {@code bytes}. */
    public static SpaceThreshold smallerOf(double percent, long bytes) {
        return new SpaceThreshold(percent, bytes);
    }

    /**
     * Reads {@code 10%}, {@code 500MB}, {@code 2GB} or a plain number of bytes (units are powers of 1024).
     *
     * @throws IllegalArgumentException naming the text and the expected forms
     */
    public static SpaceThreshold parse(String text) {
        String t = text.strip();
        Matcher percent = PERCENT.matcher(t);
        if (percent.matches()) {
            return ofPercent(Double.parseDouble(percent.group(1)));
        }
        Matcher size = SIZE.matcher(t);
        if (size.matches()) {
            long n = Long.parseLong(size.group(1));
            String unit = size.group(2) == null ? "B" : size.group(2).toUpperCase(Locale.ROOT);
            int shift = switch (unit) {
                case "KB" -> 10;
                case "MB" -> 20;
                case "GB" -> 30;
                case "TB" -> 40;
                default -> 0;
            };
            return ofBytes(n << shift);
        }
        throw new IllegalArgumentException("'" + text + "' is not an amount of free space; expected a percentage of the "
                + "filesystem such as 10% or a size such as 500MB or 2GB");
    }

    /** The threshold in bytes on a filesystem of {@code totalBytes}. */
    public long bytesOf(long totalBytes) {
        long ofPercent = percent < 0 ? Long.MAX_VALUE : (long) (totalBytes * percent / 100);
        long ofBytes = bytes < 0 ? Long.MAX_VALUE : bytes;
        return Math.min(ofPercent, ofBytes);
    }

    @Override
    public String toString() {
        if (percent >= 0 && bytes >= 0) {
            return "the smaller of " + percentText() + " and " + DiskStatus.size(bytes);
        }
        return percent >= 0 ? percentText() : DiskStatus.size(bytes);
    }

    private String percentText() {
        return (percent == Math.rint(percent) ? String.valueOf((long) percent) : String.valueOf(percent)) + "%";
    }
}
