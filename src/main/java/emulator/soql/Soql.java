package emulator.soql;

/**
 * Entry point of the emulator's SOQL support.
 *
 * <p>Supported: {@code SELECT f1, f2 ... | COUNT() FROM Obj [WHERE cond] [ORDER BY f [ASC|DESC] [NULLS FIRST|LAST],
 * ...] [LIMIT n]} with =, !=, &lt;&gt;, &lt;, &lt;=, &gt;, &gt;=, LIKE, IN, NOT IN, INCLUDES, EXCLUDES, AND / OR /
 * NOT and parentheses; string, number, boolean, null, date, datetime, time and relative date literals (TODAY,
 * LAST_N_DAYS:n, ...). Everything else (relationship paths, sub-queries, aggregates other than COUNT(), GROUP BY,
 * OFFSET, WITH, FOR, TYPEOF, aliases, bind variables) is rejected as MALFORMED_QUERY.
 */
public final class Soql {

    private Soql() {
    }

    /** Parses; throws SoqlException("MALFORMED_QUERY", ...) for anything unsupported or malformed. */
    public static SoqlQuery parse(String soql) {
        String text = soql == null ? "" : soql;
        try {
            return Parser.parse(text);
        } catch (SoqlException e) {
            throw e;
        } catch (RuntimeException | StackOverflowError e) {
            // defensive: no input may escape as anything but a SoqlException
            throw Errors.malformed(text, 0, "unable to parse query: " + e);
        }
    }
}
