package dev.sluice.spec;

import dev.sluice.spec.internal.SpecReader;
import dev.sluice.spec.internal.SpecValidator;
import java.io.IOException;
import java.io.StringReader;
import java.nio.charset.CharacterCodingException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.Yaml;
import org.yaml.snakeyaml.constructor.SafeConstructor;
import org.yaml.snakeyaml.error.Mark;
import org.yaml.snakeyaml.error.MarkedYAMLException;
import org.yaml.snakeyaml.error.YAMLException;
import org.yaml.snakeyaml.nodes.Node;

/**
 * Reads a pipeline file into a {@link PipelineSpec}, or reports everything that is wrong with it at once.
 *
 * <p>The YAML is read as a node tree rather than bound to objects so that every problem can be reported at its
 * {@code file:line:column}: syntax errors, the shape of the document (kinds of values, required, unknown and
 * duplicate keys), single values (SQL types, durations, numbers) and the rules between parts (unique names, the
 * event-time column, sink views and primary keys, reference files). The format is described in
 * {@code docs/pipeline-spec.md}.
 *
 * <pre>{@code
 * try {
 *     PipelineSpec spec = new SpecParser().parse(Path.of("pipeline.yaml"));
 * } catch (SpecException e) {
 *     e.problems().forEach(p -> log.error("{}", p)); // pipeline.yaml:14:15: sources[0].event-time.column: ...
 * }
 * }</pre>
 *
 * <p>Locations name the file as it was passed in (so messages show the path the user typed);
 * {@link PipelineSpec#file()} is its absolute, normalized form. A parser keeps no state between calls and can be
 * shared.
 */
public final class SpecParser {

    private static final Comparator<SpecProblem> FILE_ORDER =
            Comparator.comparing(SpecProblem::location, SpecValidator.FILE_ORDER);

    /** Reads {@code file} as UTF-8 and parses it. */
    public PipelineSpec parse(Path file) {
        String yaml;
        try {
            yaml = Files.readString(file);
        } catch (NoSuchFileException e) {
            throw cannotRead(file, "the file does not exist", e);
        } catch (CharacterCodingException e) {
            throw cannotRead(file, "the file is not UTF-8 text", e);
        } catch (IOException e) {
            throw cannotRead(file, e.toString(), e);
        }
        return parse(yaml, file);
    }

    /**
     * Parses pipeline YAML that was read from {@code file}; the file itself is not read, its path is used in
     * problem locations, as {@link PipelineSpec#file()} and to resolve reference files.
     *
     * @throws SpecException with every problem found, in file order
     */
    public PipelineSpec parse(String yaml, Path file) {
        Node root;
        try {
            root = new Yaml(new SafeConstructor(new LoaderOptions())).compose(new StringReader(yaml));
        } catch (MarkedYAMLException e) {
            throw new SpecException(syntaxProblem(file, e), e);
        } catch (YAMLException e) {
            throw new SpecException(
                    new SpecProblem(new Location(file, 1, 1), SpecReader.DOCUMENT, "invalid YAML: " + e.getMessage()),
                    e);
        }
        SpecReader.Result read = new SpecReader(file, yaml).read(root);
        List<SpecProblem> problems = new ArrayList<>(read.problems());
        problems.addAll(SpecValidator.validate(read.spec(), read.locations()));
        if (!problems.isEmpty()) {
            problems.sort(FILE_ORDER);
            throw new SpecException(problems);
        }
        return read.spec();
    }

    private static SpecProblem syntaxProblem(Path file, MarkedYAMLException e) {
        Mark mark = e.getProblemMark() != null ? e.getProblemMark() : e.getContextMark();
        Location location = mark == null ? new Location(file, 1, 1)
                : new Location(file, mark.getLine() + 1, mark.getColumn() + 1);
        StringBuilder message = new StringBuilder("invalid YAML: ").append(e.getProblem());
        Mark contextMark = e.getContextMark();
        if (e.getContext() != null) {
            message.append(" (").append(e.getContext());
            if (contextMark != null && mark != contextMark) {
                message.append(" at line ").append(contextMark.getLine() + 1)
                        .append(", column ").append(contextMark.getColumn() + 1);
            }
            message.append(')');
        }
        return new SpecProblem(location, SpecReader.DOCUMENT, message.toString());
    }

    private static SpecException cannotRead(Path file, String reason, IOException cause) {
        return new SpecException(new SpecProblem(new Location(file, 1, 1), SpecReader.DOCUMENT,
                "cannot read the pipeline file: " + reason), cause);
    }
}
