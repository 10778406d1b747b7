package dev.sluice.alerts;

import java.io.Serializable;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * An alert message with {@code {column}} placeholders, such as {@code "card {card_id} made {attempts} attempts"}.
 * {@code {{} } and {@code }}} write literal braces. The placeholders are checked against the alert query's columns
 * when the pipeline is compiled, so rendering never meets an unknown name.
 */
public final class MessageTemplate implements Serializable {
    private static final long serialVersionUID = 1L;

    private final String text;
    /** Alternating literal text and column names: even indexes are literals, odd indexes are column names. */
    private final List<String> parts;

    private MessageTemplate(String text, List<String> parts) {
        this.text = text;
        this.parts = List.copyOf(parts);
    }

    /** Parses a template; an unclosed or empty placeholder is an {@link IllegalArgumentException} naming its position. */
    public static MessageTemplate parse(String text) {
        List<String> parts = new ArrayList<>();
        StringBuilder literal = new StringBuilder();
        int i = 0;
        while (i < text.length()) {
            char c = text.charAt(i);
            if (c == '{' && i + 1 < text.length() && text.charAt(i + 1) == '{') {
                literal.append('{');
                i += 2;
            } else if (c == '}' && i + 1 < text.length() && text.charAt(i + 1) == '}') {
                literal.append('}');
                i += 2;
            } else if (c == '{') {
                int end = text.indexOf('}', i);
                if (end < 0) {
                    throw new IllegalArgumentException("the placeholder at character " + (i + 1) + " of message '" + text
                            + "' is not closed; expected {column}, or {{ for a literal brace");
                }
                String name = text.substring(i + 1, end).trim();
                if (name.isEmpty()) {
                    throw new IllegalArgumentException("the placeholder at character " + (i + 1) + " of message '" + text
                            + "' is empty; expected {column}");
                }
                parts.add(literal.toString());
                literal.setLength(0);
                parts.add(name);
                i = end + 1;
            } else {
                literal.append(c);
                i++;
            }
        }
        parts.add(literal.toString());
        return new MessageTemplate(text, parts);
    }

    /** The column names the template refers to, in order of first use. */
    public Set<String> placeholders() {
        Set<String> names = new LinkedHashSet<>();
        for (int i = 1; i < parts.size(); i += 2) {
            names.add(parts.get(i));
        }
        return names;
    }

    /** The message with each placeholder replaced by the column's value ({@code null} for a missing one). */
    public String render(Map<String, String> columns) {
        StringBuilder out = new StringBuilder();
        for (int i = 0; i < parts.size(); i++) {
            out.append(i % 2 == 0 ? parts.get(i) : String.valueOf(columns.get(parts.get(i))));
        }
        return out.toString();
    }

    public String text() {
        return text;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof MessageTemplate other && other.text.equals(text);
    }

    @Override
    public int hashCode() {
        return text.hashCode();
    }

    @Override
    public String toString() {
        return text;
    }
}
