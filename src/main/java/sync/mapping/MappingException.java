package sync.mapping;

import java.util.List;

/**
 * A mapping that does not fit its table or its Salesforce object. Lists every problem found,
 * one per line, each as {@code mapping '<name>': <what> — <fix>}.
 */
public final class MappingException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    private final transient List<String> problems;

    public MappingException(List<String> problems) {
        super(String.join("\n", problems));
        this.problems = List.copyOf(problems);
    }

    /** Each problem on its own. */
    public List<String> problems() {
        return problems;
    }
}
