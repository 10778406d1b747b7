package dev.sluice.spec;

/**
 * A typed column. {@code type} is a Flink SQL type in canonical upper-case form, for example {@code STRING},
 * {@code BIGINT}, {@code DECIMAL(12, 2)}, {@code TIMESTAMP(3)} (see {@link SqlTypes}).
 *
 * <p>A source column is {@code required} when its schema says so ({@code merchant: STRING NOT NULL}): a record in
 * which the field is missing or null is then rejected by the HTTP ingest API and is a dead letter in the Flink job,
 * with a reason that names the field. Without {@code NOT NULL} a missing field is a NULL value.
 */
public record ColumnSpec(String name, String type, Location location, boolean required) {

    /** A column that may be null. */
    public ColumnSpec(String name, String type, Location location) {
        this(name, type, location, false);
    }
}
