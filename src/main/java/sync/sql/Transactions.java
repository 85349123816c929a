package sync.sql;

import java.sql.Connection;
import java.sql.SQLException;

/** Runs work in one transaction on a connection: committed when it returns, rolled back when it throws. */
public final class Transactions {
    private Transactions() {
    }

    /** Work on a connection inside a transaction. */
    @FunctionalInterface
    public interface Work<T> {
        T run(Connection c) throws SQLException;
    }

    /** Work without a result. */
    @FunctionalInterface
    public interface Step {
        void run(Connection c) throws SQLException;
    }

    /** Runs {@code work} in a transaction and returns its result; the connection is back in autocommit afterwards. */
    public static <T> T call(Connection c, Work<T> work) throws SQLException {
        c.setAutoCommit(false);
        try {
            T result = work.run(c);
            c.commit();
            return result;
        } catch (SQLException | RuntimeException e) {
            c.rollback();
            throw e;
        } finally {
            c.setAutoCommit(true);
        }
    }

    /** Runs {@code step} in a transaction; the connection is back in autocommit afterwards. */
    public static void run(Connection c, Step step) throws SQLException {
        call(c, conn -> {
            step.run(conn);
            return null;
        });
    }
}
