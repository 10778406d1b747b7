package dev.sluice.cli;

import java.nio.file.Path;

/** Finds {@code --data-dir} in raw arguments, before picocli runs, so logging can be set up first. */
final class DataDirArgument {
    static final String DEFAULT = "sluice-data";

    private DataDirArgument() {}

    static Path find(String[] args) {
        for (int i = 0; i < args.length; i++) {
            if (args[i].equals("--data-dir") && i + 1 < args.length) {
                return Path.of(args[i + 1]);
            }
            if (args[i].startsWith("--data-dir=")) {
                return Path.of(args[i].substring("--data-dir=".length()));
            }
        }
        return Path.of(DEFAULT);
    }
}
