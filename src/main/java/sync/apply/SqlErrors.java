package sync.apply;

import org.postgresql.util.PSQLException;
import org.postgresql.util.ServerErrorMessage;

import java.sql.SQLException;
import java.sql.SQLRecoverableException;
import java.sql.SQLTransientException;
import java.util.Set;

/**
 * The one place that decides whether a database failure is worth retrying. Transient: the
 * connection (class 08), serialization failures and deadlocks (40001, 40P01, 40003), resources
 * (class 53), the server shutting down or refusing connections (57P01-57P03, 57P05), statement
 * or lock timeouts (57014, 55P03), a read-only standby after a failover (25006), I/O errors
 * (58000, 58030), and failures with no SQLState (the pool, the driver's I/O). Everything else
 * (data exceptions 22, constraint violations 23, undefined or forbidden objects 42, ...) is
 * permanent: the same statement would fail again, so the record is dead-lettered.
 */
public final class SqlErrors {

    private static final Set<String> TRANSIENT_STATES = Set.of("40001", "40P01", "40003", "57P01", "57P02", "57P03", "57P05",
            "57014", "55P03", "25006", "58000", "58030");
    private static final Set<String> TRANSIENT_CLASSES = Set.of("08", "53");
    private static final int MAX_DETAIL = 500;

    private SqlErrors() {
    }

    /** Retry the whole batch, or dead-letter the offending records. */
    public enum Kind { TRANSIENT, PERMANENT }

    public static Kind classify(SQLException e) {
        if (e instanceof SQLTransientException || e instanceof SQLRecoverableException) {
            return Kind.TRANSIENT;
        }
        return classify(e.getSQLState());
    }

    /** Classifies a SQLState; null (no state: pool or driver failure) counts as transient. */
    public static Kind classify(String sqlState) {
        if (sqlState == null || sqlState.length() != 5) {
            return Kind.TRANSIENT;
        }
        return TRANSIENT_STATES.contains(sqlState) || TRANSIENT_CLASSES.contains(sqlState.substring(0, 2))
                ? Kind.TRANSIENT : Kind.PERMANENT;
    }

    public static boolean isTransient(SQLException e) {
        return classify(e) == Kind.TRANSIENT;
    }

    /**
     * The failure for a person: PostgreSQL's message, then the SQLState and, when the server
     * names them, the table, column, constraint and detail.
     */
    public static String describe(SQLException e) {
        StringBuilder out = new StringBuilder();
        ServerErrorMessage server = e instanceof PSQLException p ? p.getServerErrorMessage() : null;
        if (server == null) {
            out.append(e.getMessage()).append(" (SQLState ").append(e.getSQLState()).append(')');
            return out.toString();
        }
        out.append(server.getMessage()).append(" (SQLState ").append(server.getSQLState());
        if (server.getTable() != null) {
            out.append(", table ").append(server.getSchema() == null ? "" : server.getSchema() + ".").append(server.getTable());
        }
        if (server.getColumn() != null) {
            out.append(", column ").append(server.getColumn());
        }
        if (server.getConstraint() != null) {
            out.append(", constraint ").append(server.getConstraint());
        }
        out.append(')');
        if (server.getDetail() != null) {
            String detail = server.getDetail();
            // "Failing row contains (...)" repeats the whole row, long text included
            out.append(". ").append(detail.length() > MAX_DETAIL ? detail.substring(0, MAX_DETAIL) + "..." : detail);
        }
        return out.toString();
    }
}
