package dev.sluice.storage.internal;

/** SQL text helpers shared by the store and the query service. */
public final class Sql {
    private Sql() {}

    /** A DuckDB identifier in double quotes, with embedded quotes doubled. */
    public static String quote(String identifier) {
        return '"' + identifier.replace("\"", "\"\"") + '"';
    }

    /** A SQL string literal in single quotes, with embedded quotes doubled. */
    public static String literal(String text) {
        return '\'' + text.replace("'", "''") + '\'';
    }
}
