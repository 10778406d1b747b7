package dev.sluice.storage;

/**
 * One column of a {@link QueryResult}.
 *
 * @param type the DuckDB type name, e.g. {@code VARCHAR}, {@code BIGINT}, {@code DECIMAL(12,2)}, {@code TIMESTAMP WITH TIME ZONE}
 */
public record ResultColumn(String name, String type) {}
