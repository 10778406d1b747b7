package dev.sluice.spec;

import java.util.List;

/**
 * Writes a view to a storage table. {@link Mode#UPSERT} keeps one row per {@code primaryKey} (the view may
 * update rows); {@link Mode#APPEND} adds every row (the view must be insert-only).
 */
public record SinkSpec(String view, String table, Mode mode, List<String> primaryKey, Location location) {
    public SinkSpec {
        primaryKey = List.copyOf(primaryKey);
    }

    public enum Mode { UPSERT, APPEND }
}
