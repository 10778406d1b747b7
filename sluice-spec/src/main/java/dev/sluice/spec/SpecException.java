package dev.sluice.spec;

import dev.sluice.SluiceException;
import java.util.List;
import java.util.stream.Collectors;

/** A pipeline file that cannot be run; carries every problem found, each with its file:line:column. */
public class SpecException extends SluiceException {
    private final List<SpecProblem> problems;

    public SpecException(List<SpecProblem> problems) {
        super(problems.stream().map(SpecProblem::toString).collect(Collectors.joining("\n")));
        this.problems = List.copyOf(problems);
    }

    public SpecException(SpecProblem problem, Throwable cause) {
        super(problem.toString(), cause);
        this.problems = List.of(problem);
    }

    public List<SpecProblem> problems() {
        return problems;
    }
}
