package sync.outbound;

import sync.apply.TransientApplyException;
import sync.debezium.DebeziumSource;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;

/**
 * Waits until the capture has received and queued every PostgreSQL change committed so far.
 * The echo and conflict step passes it before it decides on a batch of Salesforce changes of a
 * two-way mapping: a PostgreSQL change committed before the batch is applied but not queued yet
 * (still in Debezium's hands, or in the capture's buffer, or behind a capture restart) would
 * otherwise be invisible to it, and an older Salesforce value would land over a newer PostgreSQL
 * one while that change goes on to overwrite a newer Salesforce one: both sides keep what the
 * other side lost.
 *
 * <p>"So far" is the WAL insert position when the barrier is entered. When nothing else is being
 * written, a heartbeat row written then (in a session without a replication origin, so that the
 * slot streams it) is what comes back past that position.
 */
public final class CaptureBarrier {
    private static final long BEAT_EVERY_NANOS = TimeUnit.MILLISECONDS.toNanos(500);

    private final OutboundFlow flow;
    private final DebeziumSource source;
    /** A session of its own: the pool's sessions carry replication origins, whose writes the slot skips. */
    private Connection session;

    public CaptureBarrier(OutboundFlow flow) {
        this.flow = flow;
        this.source = flow.source();
    }

    /**
     * Returns once every change committed before the call is queued; throws
     * {@link TransientApplyException} when that takes longer than {@code max} (the capture is
     * stopped, restarting or far behind) or the database cannot be asked: the apply waits.
     */
    public synchronized void await(Duration max) {
        long deadline = System.nanoTime() + max.toNanos();
        try {
            Statement st = session().createStatement();
            try (st) {
                long target;
                try (ResultSet rs = st.executeQuery("SELECT (pg_current_wal_lsn() - '0/0'::pg_lsn)::bigint")) {
                    rs.next();
                    target = rs.getLong(1);
                }
                long nextBeat = System.nanoTime();
                while (!flow.caughtUpTo(target)) {
                    long now = System.nanoTime();
                    if (now > deadline) {
                        throw new TransientApplyException("the PostgreSQL capture has not received the changes committed up to"
                                + " WAL position " + target + " within " + max.toMillis() + " ms", null);
                    }
                    if (now >= nextBeat) {
                        st.execute("INSERT INTO " + DebeziumSource.HEARTBEAT_TABLE + " (id, beat_at) VALUES (1, now()) "
                                + "ON CONFLICT (id) DO UPDATE SET beat_at = EXCLUDED.beat_at");
                        nextBeat = now + BEAT_EVERY_NANOS;
                    }
                    LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(1));
                }
            }
        } catch (SQLException e) {
            close();
            throw new TransientApplyException("cannot ask PostgreSQL how far the capture must read: " + e.getMessage(), e);
        }
        try {
            flow.queue().flush();
        } catch (OutboundUnavailableException e) {
            throw new TransientApplyException("cannot queue the captured PostgreSQL changes: " + e.getMessage(), e);
        }
    }

    private Connection session() throws SQLException {
        if (session == null || session.isClosed()) {
            session = DriverManager.getConnection(source.jdbcUrl(), source.user(), source.password());
        }
        return session;
    }

    public synchronized void close() {
        if (session != null) {
            try {
                session.close();
            } catch (SQLException ignored) {
                // a broken session is reopened on the next call
            }
            session = null;
        }
    }
}
