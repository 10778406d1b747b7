package dev.sluice.spec;

import java.nio.file.Path;

/** A position in a pipeline file, 1-based line and column, printed as {@code file:line:column}. */
public record Location(Path file, int line, int column) {
    @Override
    public String toString() {
        return file + ":" + line + ":" + column;
    }
}
