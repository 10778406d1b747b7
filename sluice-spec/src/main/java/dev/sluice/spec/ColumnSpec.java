package dev.sluice.spec;

/**
 * A typed column. {@code type} is a Flink SQL type in canonical upper-case form, for example {@code STRING},
 * {@code BIGINT}, {@code DECIMAL(12, 2)}, {@code TIMESTAMP(3)} (see {@link SqlTypes}).
 */
public record ColumnSpec(String name, String type, Location location) {}
