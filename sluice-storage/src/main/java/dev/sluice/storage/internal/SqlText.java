package dev.sluice.storage.internal;

import java.util.Locale;

/**
 * A small lexer over SQL text that knows quotes, comments and dollar-quoted strings. It never decides whether a
 * query may run (DuckDB's parser does that); it only finds the words for messages ("got INSERT", "got 2") and the
 * statement behind an {@code EXPLAIN} prefix.
 */
public final class SqlText {
    private SqlText() {}

    /** True when the text has nothing but whitespace, comments and semicolons. */
    public static boolean isBlank(String sql) {
        return statementCount(sql) == 0;
    }

    /** Statements separated by semicolons outside quotes and comments, not counting empty ones. */
    public static int statementCount(String sql) {
        int count = 0;
        boolean content = false;
        int i = 0;
        int n = sql.length();
        while (i < n) {
            char c = sql.charAt(i);
            int skipped = skipNonCode(sql, i);
            if (skipped > i) {
                if (c == '\'' || c == '"' || c == '$') {
                    content = true;
                }
                i = skipped;
                continue;
            }
            if (c == ';') {
                if (content) {
                    count++;
                }
                content = false;
            } else if (!Character.isWhitespace(c)) {
                content = true;
            }
            i++;
        }
        return content ? count + 1 : count;
    }

    /** The first word of the text in upper case, skipping whitespace and comments; empty when there is none. */
    public static String firstKeyword(String sql) {
        int start = skipSpace(sql, 0);
        int end = start;
        while (end < sql.length() && (Character.isLetter(sql.charAt(end)) || sql.charAt(end) == '_')) {
            end++;
        }
        return sql.substring(start, end).toUpperCase(Locale.ROOT);
    }

    /** The text after the first word (and the whitespace and comments before it). */
    public static String afterFirstKeyword(String sql) {
        int start = skipSpace(sql, 0);
        return sql.substring(start + firstKeyword(sql).length());
    }

    private static int skipSpace(String sql, int from) {
        int i = from;
        while (i < sql.length()) {
            char c = sql.charAt(i);
            if (Character.isWhitespace(c)) {
                i++;
            } else if (c == '-' || c == '/') {
                int skipped = skipNonCode(sql, i);
                if (skipped == i) {
                    return i;
                }
                i = skipped;
            } else {
                return i;
            }
        }
        return i;
    }

    /** The index after a comment or quoted token starting at {@code i}, or {@code i} when there is none. */
    private static int skipNonCode(String sql, int i) {
        int n = sql.length();
        char c = sql.charAt(i);
        if (c == '-' && i + 1 < n && sql.charAt(i + 1) == '-') {
            int end = sql.indexOf('\n', i);
            return end < 0 ? n : end + 1;
        }
        if (c == '/' && i + 1 < n && sql.charAt(i + 1) == '*') {
            int end = sql.indexOf("*/", i + 2);
            return end < 0 ? n : end + 2;
        }
        if (c == '\'' || c == '"') {
            int j = i + 1;
            while (j < n) {
                if (sql.charAt(j) == c) {
                    if (j + 1 < n && sql.charAt(j + 1) == c) {
                        j += 2;
                        continue;
                    }
                    return j + 1;
                }
                j++;
            }
            return n;
        }
        if (c == '$') {
            int close = sql.indexOf('$', i + 1);
            if (close < 0) {
                return i;
            }
            String tag = sql.substring(i, close + 1);
            for (int k = 1; k < tag.length() - 1; k++) {
                char t = tag.charAt(k);
                if (!(Character.isLetterOrDigit(t) || t == '_') || (k == 1 && Character.isDigit(t))) {
                    return i;
                }
            }
            int end = sql.indexOf(tag, close + 1);
            return end < 0 ? n : end + tag.length();
        }
        return i;
    }
}
