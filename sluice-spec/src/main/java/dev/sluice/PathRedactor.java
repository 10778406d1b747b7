package dev.sluice;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Takes absolute host paths out of messages that leave the process (HTTP error details): the data directory
 * becomes {@code <data-dir>} and the user's home directory {@code ~}. A caller of the API learns what failed, not
 * where Sluice keeps its files or whose account it runs under.
 *
 * <pre>{@code
 * PathRedactor redactor = PathRedactor.of(Path.of("sluice-data"));
 * redactor.redact("IO Error: cannot open /srv/sluice-data/sluice.duckdb"); // "IO Error: cannot open <data-dir>/sluice.duckdb"
 * }</pre>
 */
public final class PathRedactor {
    private static final PathRedactor NONE = new PathRedactor(Map.of());

    /** Text to replace, longest first, so that a data directory under the home directory is named as such. */
    private final Map<String, String> replacements;

    private PathRedactor(Map<String, String> replacements) {
        this.replacements = replacements;
    }

    /** Redacts {@code dataDir} (as given, absolute and with links resolved) and the home directory. */
    public static PathRedactor of(Path dataDir) {
        List<Map.Entry<String, String>> entries = new ArrayList<>();
        Path absolute = dataDir.toAbsolutePath().normalize();
        entries.add(Map.entry(absolute.toString(), "<data-dir>"));
        if (Files.exists(absolute)) {
            try {
                entries.add(Map.entry(absolute.toRealPath().toString(), "<data-dir>"));
            } catch (IOException e) {
                // The absolute form above still applies.
            }
        }
        String home = System.getProperty("user.home", "");
        // "/" or a one-letter home would turn every message into noise.
        if (home.length() > 1) {
            entries.add(Map.entry(Path.of(home).toAbsolutePath().normalize().toString(), "~"));
        }
        entries.sort(Comparator.comparingInt((Map.Entry<String, String> e) -> e.getKey().length()).reversed());
        Map<String, String> ordered = new LinkedHashMap<>();
        for (Map.Entry<String, String> e : entries) {
            if (e.getKey().length() > 1) {
                ordered.putIfAbsent(e.getKey(), e.getValue());
            }
        }
        return new PathRedactor(ordered);
    }

    /** Leaves messages as they are. */
    public static PathRedactor none() {
        return NONE;
    }

    /** The message with every redacted path replaced; null stays null. */
    public String redact(String message) {
        if (message == null) {
            return null;
        }
        String redacted = message;
        for (Map.Entry<String, String> e : replacements.entrySet()) {
            redacted = redacted.replace(e.getKey(), e.getValue());
        }
        return redacted;
    }
}
