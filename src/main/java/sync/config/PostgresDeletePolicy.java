package sync.config;

import java.util.Locale;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * What a Salesforce delete does to the mapped PostgreSQL row: {@code hard} deletes it,
 * {@code soft(<column>)} sets a boolean column to true, {@code ignore} leaves it alone.
 *
 * @param kind   the policy
 * @param column the flag column of {@link Kind#SOFT}, empty otherwise
 */
public record PostgresDeletePolicy(Kind kind, Optional<String> column) {

    private static final Pattern SOFT = Pattern.compile("soft\\(\\s*([^()\\s]*)\\s*\\)", Pattern.CASE_INSENSITIVE);

    /** The three delete policies. */
    public enum Kind { HARD, SOFT, IGNORE }

    public PostgresDeletePolicy {
        if ((kind == Kind.SOFT) != column.isPresent()) {
            throw new IllegalArgumentException("a soft delete policy, and only that, names a column");
        }
    }

    /**
     * Parses {@code hard}, {@code ignore} or {@code soft(<column>)} (case-insensitive keyword).
     * The column is not checked here: {@link ConfigValidator} reports an invalid one with the
     * mapping's name.
     */
    public static PostgresDeletePolicy parse(String text) {
        String value = text.strip();
        if (value.equalsIgnoreCase("hard")) {
            return new PostgresDeletePolicy(Kind.HARD, Optional.empty());
        }
        if (value.equalsIgnoreCase("ignore")) {
            return new PostgresDeletePolicy(Kind.IGNORE, Optional.empty());
        }
        Matcher soft = SOFT.matcher(value);
        if (soft.matches()) {
            return new PostgresDeletePolicy(Kind.SOFT, Optional.of(soft.group(1)));
        }
        throw new IllegalArgumentException("'" + text + "' is not a delete policy: use hard, ignore or soft(<boolean column>), e.g. soft(is_deleted)");
    }

    @Override
    public String toString() {
        return kind == Kind.SOFT ? "soft(" + column.orElseThrow() + ")" : kind.name().toLowerCase(Locale.ROOT);
    }

    /** SmallRye converter for {@code sync.mappings.*.deletes.in-postgres}. */
    public static final class Converter implements org.eclipse.microprofile.config.spi.Converter<PostgresDeletePolicy> {
        private static final long serialVersionUID = 1L;

        @Override
        public PostgresDeletePolicy convert(String value) {
            return value == null || value.isBlank() ? null : parse(value);
        }
    }
}
