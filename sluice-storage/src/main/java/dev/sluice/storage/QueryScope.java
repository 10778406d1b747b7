package dev.sluice.storage;

import java.util.Objects;
import java.util.Optional;
import java.util.Set;

/**
 * Which storage tables a query may read and where unqualified names resolve. A pipeline's queries see its own
 * schema only ({@link #pipeline}); server-wide queries may read every schema with {@code schema.table} names and
 * resolve unqualified names in one default schema ({@link #all}).
 *
 * @param defaultSchema the schema unqualified table names resolve in
 * @param readable      the schemas whose tables may be read; empty means every schema in the store
 */
public record QueryScope(String defaultSchema, Optional<Set<String>> readable) {
    public QueryScope {
        Objects.requireNonNull(defaultSchema, "defaultSchema");
        readable = readable.map(Set::copyOf);
    }

    /** The tables of one schema (a pipeline's), by their plain names or qualified with the schema. */
    public static QueryScope pipeline(String schema) {
        return new QueryScope(schema, Optional.of(Set.of(schema)));
    }

    /** Every schema's tables as {@code schema.table}; unqualified names resolve in {@code defaultSchema}. */
    public static QueryScope all(String defaultSchema) {
        return new QueryScope(defaultSchema, Optional.empty());
    }

    /** Whether a query may read tables of this schema. */
    public boolean reads(String schema) {
        return readable.map(s -> s.contains(schema)).orElse(true);
    }
}
