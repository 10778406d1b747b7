package dev.sluice.spec;

import java.nio.file.Path;
import java.util.List;

/**
 * Reference data for enrichment joins, loaded from a CSV file with a header row (path resolved against the
 * pipeline file's directory). Joined with {@code FOR SYSTEM_TIME AS OF <source>.proc_time} as a lookup table
 * keyed by {@code primaryKey}.
 */
public record ReferenceSpec(String name, Path file, List<ColumnSpec> schema, List<String> primaryKey, Location location) {
    public ReferenceSpec {
        schema = List.copyOf(schema);
        primaryKey = List.copyOf(primaryKey);
    }
}
