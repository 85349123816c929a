package sync.apply;

import org.postgresql.PGConnection;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.Collections;
import java.util.Map;
import java.util.WeakHashMap;
import java.util.regex.Pattern;

/**
 * Echo suppression, PostgreSQL side: every session that applies Salesforce changes is tagged
 * with a replication origin, so its commits carry that origin in the WAL and the
 * PostgreSQL -> Salesforce stream (a slot read with {@code origin=none}) never sees them. An
 * origin can be active in one session at a time, so each physical connection gets its own,
 * {@code <base>_1}, {@code <base>_2}, ...: the first that exists or can be created and is not
 * active elsewhere. Needs a superuser or EXECUTE on the {@code pg_replication_origin_*}
 * functions, and {@code max_active_replication_origins} (PostgreSQL 18; {@code max_replication_slots}
 * before) at least the pool size.
 */
final class ReplicationOrigins {
    static final int MAX_ORIGINS = 64;
    private static final Pattern BASE = Pattern.compile("[a-z][a-z0-9_]{0,40}");
    private static final String OBJECT_IN_USE = "55006";
    private static final String UNIQUE_VIOLATION = "23505";

    private final String base;
    /** Physical connections already tagged, and with which origin. */
    private final Map<Object, String> tagged = Collections.synchronizedMap(new WeakHashMap<>());

    ReplicationOrigins(String base) {
        if (base == null || !BASE.matcher(base).matches()) {
            throw new IllegalArgumentException("'" + base + "' is not a replication origin base name: use 1-41 lower-case"
                    + " letters, digits and _, starting with a letter, e.g. sluice");
        }
        this.base = base;
    }

    /**
     * Tags the session of {@code c} (autocommit on) with an origin unless it is tagged already;
     * returns the origin's name, or null if the session was set up by someone else.
     */
    String ensure(Connection c) throws SQLException {
        Object physical = c.isWrapperFor(PGConnection.class) ? c.unwrap(PGConnection.class) : c;
        String known = tagged.get(physical);
        if (known != null) {
            return known;
        }
        if (isSetUp(c)) {
            return null;
        }
        for (int n = 1; n <= MAX_ORIGINS; n++) {
            String name = base + "_" + n;
            create(c, name);
            try (PreparedStatement ps = c.prepareStatement("SELECT pg_replication_origin_session_setup(?)")) {
                ps.setString(1, name);
                ps.execute();
                tagged.put(physical, name);
                return name;
            } catch (SQLException e) {
                if (!OBJECT_IN_USE.equals(e.getSQLState())) {
                    throw e;
                }
                // active in another session: try the next
            }
        }
        throw new SQLException("all replication origins " + base + "_1.." + base + "_" + MAX_ORIGINS
                + " are active in other sessions: use fewer pooled connections", "53400");
    }

    private static boolean isSetUp(Connection c) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("SELECT pg_replication_origin_session_is_setup()");
             ResultSet rs = ps.executeQuery()) {
            rs.next();
            return rs.getBoolean(1);
        }
    }

    private static void create(Connection c, String name) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("""
                SELECT pg_replication_origin_create(?)
                WHERE NOT EXISTS (SELECT 1 FROM pg_catalog.pg_replication_origin WHERE roname = ?)""")) {
            ps.setString(1, name);
            ps.setString(2, name);
            ps.execute();
        } catch (SQLException e) {
            if (!UNIQUE_VIOLATION.equals(e.getSQLState())) {
                throw e;
            }
            // created concurrently by another session: fine
        }
    }
}
