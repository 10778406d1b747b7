package dev.sluice.server.internal;

import dev.sluice.spec.PipelineSpec;
import dev.sluice.spec.ReferenceSpec;
import dev.sluice.spec.SinkSpec;
import dev.sluice.spec.SourceSpec;
import dev.sluice.spec.ViewSpec;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The graph of a pipeline as its file describes it: sources, then views (each reads the sources, references and views
 * its SQL names), then sinks (each writes one view into a table), with each source's dead-letter and late-event
 * outputs. Which names a view reads is found in its SQL after {@code FROM}, {@code JOIN} or {@code TABLE} (also in
 * a comma-separated {@code FROM} list): a name written there inside a string literal or a comment also counts as an
 * input. The graph is for people to look at, not for planning.
 */
public final class PipelineGraph {
    private PipelineGraph() {}

    /** A node: {@code kind} is source, reference, view, sink, dead-letters or late-events; ids are unique. */
    public record Node(String id, String kind, String name, List<String> inputs) {
        public Node {
            inputs = List.copyOf(inputs);
        }
    }

    public static String sourceId(String source) {
        return "source:" + source;
    }

    public static String viewId(String view) {
        return "view:" + view;
    }

    public static String sinkId(String table) {
        return "sink:" + table;
    }

    public static String deadLettersId(String source) {
        return "dead-letters:" + source;
    }

    public static String lateEventsId(String source) {
        return "late-events:" + source;
    }

    public static List<Node> of(PipelineSpec spec) {
        List<Node> nodes = new ArrayList<>();
        List<String[]> known = new ArrayList<>();
        for (SourceSpec s : spec.sources()) {
            nodes.add(new Node(sourceId(s.name()), "source", s.name(), List.of()));
            nodes.add(new Node(deadLettersId(s.name()), "dead-letters", s.deadLetterTopic(spec.name()), List.of(sourceId(s.name()))));
            nodes.add(new Node(lateEventsId(s.name()), "late-events", s.lateTopic(spec.name()), List.of(sourceId(s.name()))));
            known.add(new String[] {s.name(), sourceId(s.name())});
        }
        for (ReferenceSpec r : spec.references()) {
            nodes.add(new Node("reference:" + r.name(), "reference", r.name(), List.of()));
            known.add(new String[] {r.name(), "reference:" + r.name()});
        }
        for (ViewSpec v : spec.views()) {
            Set<String> words = tableNames(v.sql());
            Set<String> inputs = new LinkedHashSet<>();
            for (String[] k : known) {
                if (words.contains(k[0].toLowerCase(Locale.ROOT))) {
                    inputs.add(k[1]);
                }
            }
            nodes.add(new Node(viewId(v.name()), "view", v.name(), List.copyOf(inputs)));
            known.add(new String[] {v.name(), viewId(v.name())});
        }
        for (SinkSpec s : spec.sinks()) {
            nodes.add(new Node(sinkId(s.table()), "sink", s.table(), List.of(viewId(s.view()))));
        }
        return nodes;
    }

    private static final Pattern TABLE_REFERENCE = Pattern.compile(
            "\\b(?:from|join|table)\\s+`?([a-z_][a-z0-9_]*)`?((?:\\s*(?:as\\s+)?[a-z_][a-z0-9_]*)?(?:\\s*,\\s*`?[a-z_][a-z0-9_]*`?(?:\\s+(?:as\\s+)?[a-z_][a-z0-9_]*)?)*)");
    private static final Pattern LISTED = Pattern.compile(",\\s*`?([a-z_][a-z0-9_]*)");

    /** The names a SQL text reads from, lower case: after FROM, JOIN or TABLE, and the rest of a comma-separated FROM list. */
    static Set<String> tableNames(String sql) {
        Set<String> names = new LinkedHashSet<>();
        Matcher m = TABLE_REFERENCE.matcher(sql.toLowerCase(Locale.ROOT));
        while (m.find()) {
            names.add(m.group(1));
            Matcher listed = LISTED.matcher(m.group(2));
            while (listed.find()) {
                names.add(listed.group(1));
            }
        }
        return names;
    }
}
