package sync.config;

import java.util.Optional;

/**
 * One thing wrong with the configuration.
 *
 * @param mapping the mapping it belongs to, if any
 * @param key     the full configuration key, e.g. {@code sync.mappings.account.table}
 * @param problem what is wrong, quoting the offending value (never a secret)
 * @param fix     what to do about it
 */
public record ConfigProblem(Optional<String> mapping, String key, String problem, String fix) {

    /** One line for a person: mapping, key, problem, fix. */
    public String message() {
        return mapping.map(m -> "mapping '" + m + "': ").orElse("") + key + ": " + problem + ". Fix: " + fix;
    }

    @Override
    public String toString() {
        return message();
    }
}
