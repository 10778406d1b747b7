package dev.sluice.spec;

/**
 * A named Flink SQL query over sources, references and earlier views. {@code sqlStart} is where the first
 * character of the SQL text is in the file; {@link #locate} maps a line/column inside the SQL (as Flink's
 * parser reports them, 1-based) back to the file.
 *
 * @param block    true when the SQL was written as a YAML block scalar ({@code |} or {@code >}), whose lines
 *                 start at {@code sqlStart.line()} and are indented by {@code sqlStart.column() - 1}
 */
public record ViewSpec(String name, String sql, Location location, Location sqlStart, boolean block) {

    public Location locate(int sqlLine, int sqlColumn) {
        int line = sqlStart.line() + Math.max(sqlLine, 1) - 1;
        int column = (sqlLine <= 1 ? sqlStart.column() : (block ? sqlStart.column() : 1)) + Math.max(sqlColumn, 1) - 1;
        return new Location(sqlStart.file(), line, column);
    }
}
