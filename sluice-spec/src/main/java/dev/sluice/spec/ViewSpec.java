package dev.sluice.spec;

/**
 * A named Flink SQL query over sources, references and earlier views. {@code sqlStart} is where the first
 * character of the SQL text is in the file; {@link #locate} maps a line/column inside the SQL (as Flink's
 * parser reports them, 1-based) back to the file, so planner errors can be reported at {@code file:line:column}.
 *
 * @param location where the view's list item starts
 * @param sqlStart where the first character of {@code sql} is: for a block scalar ({@code |}, {@code >}) the line
 *                 after the indicator at the block's indentation, for a quoted scalar one column after the
 *                 opening quote, for a plain scalar the value itself
 * @param block    true when the SQL was written as a YAML block scalar ({@code |} or {@code >}), whose lines
 *                 start at {@code sqlStart.line()} and are indented by {@code sqlStart.column() - 1}
 */
public record ViewSpec(String name, String sql, Location location, Location sqlStart, boolean block) {

    /**
     * Maps a 1-based position inside {@link #sql()} to the file; values below 1 count as 1.
     *
     * <p>Exact for literal blocks ({@code |}, {@code |-}, {@code |+}), where SQL line {@code n} is file line
     * {@code sqlStart.line() + n - 1}, and for single-line plain or quoted SQL. Folded blocks ({@code >}) and
     * multi-line quoted or plain scalars join or split lines, so there only positions on the first SQL line are
     * exact; after it the result is the best guess (same line offset, block indentation or column 1). Escape
     * sequences in quoted SQL also shift columns after them.
     */
    public Location locate(int sqlLine, int sqlColumn) {
        int line = Math.max(sqlLine, 1);
        int column = Math.max(sqlColumn, 1);
        int fileLine = sqlStart.line() + line - 1;
        if (line == 1 || block) {
            return new Location(sqlStart.file(), fileLine, sqlStart.column() + column - 1);
        }
        return new Location(sqlStart.file(), fileLine, column);
    }
}
