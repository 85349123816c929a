package sync.debezium;

import org.jboss.logging.Logger;
import sync.sql.Identifiers;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;

/**
 * The publication Sluice's slot reads: exactly the mapped tables plus {@code sync.heartbeat}.
 * Managed: created when missing and altered to that set of tables when mappings change (needs
 * ownership of the tables or superuser). Unmanaged: only checked, and a missing table is
 * reported with the statement a DBA runs.
 */
public final class Publication {
    private static final Logger LOG = Logger.getLogger(Publication.class);

    private Publication() {
    }

    /** Makes (or checks) the publication; throws with the fix when it cannot be used. */
    public static void ensure(Connection c, String name, List<String> tables, boolean manage) throws SQLException {
        Set<String> wanted = new TreeSet<>(tables);
        wanted.add(DebeziumSource.HEARTBEAT_TABLE);
        String list = String.join(", ", wanted.stream().map(Identifiers::qualified).toList());
        Set<String> current = current(c, name);
        if (current == null) {
            if (!manage) {
                throw new SQLException("publication " + name + " does not exist; a DBA creates it with: CREATE PUBLICATION "
                        + name + " FOR TABLE " + list + "  (or set sync.outbound.manage-publication=true)");
            }
            try (Statement st = c.createStatement()) {
                st.execute("CREATE PUBLICATION " + name + " FOR TABLE " + list);
            }
            LOG.infof("created publication %s for %s", name, wanted);
            return;
        }
        if (current.equals(wanted)) {
            return;
        }
        if (!manage) {
            Set<String> missing = new TreeSet<>(wanted);
            missing.removeAll(current);
            if (!missing.isEmpty()) {
                throw new SQLException("publication " + name + " lacks " + missing + "; a DBA adds them with: ALTER PUBLICATION "
                        + name + " ADD TABLE " + String.join(", ", missing.stream().map(Identifiers::qualified).toList()));
            }
            return;
        }
        try (Statement st = c.createStatement()) {
            st.execute("ALTER PUBLICATION " + name + " SET TABLE " + list);
        }
        LOG.infof("publication %s now covers %s (was %s)", name, wanted, current);
    }

    /** The tables of the publication as schema.table, or null when it does not exist. */
    private static Set<String> current(Connection c, String name) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("SELECT 1 FROM pg_publication WHERE pubname = ?")) {
            ps.setString(1, name);
            try (ResultSet rs = ps.executeQuery()) {
                if (!rs.next()) {
                    return null;
                }
            }
        }
        Set<String> out = new TreeSet<>();
        try (PreparedStatement ps = c.prepareStatement("SELECT schemaname, tablename FROM pg_publication_tables WHERE pubname = ?")) {
            ps.setString(1, name);
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    out.add(rs.getString(1) + "." + rs.getString(2));
                }
            }
        }
        return out;
    }

    /** Bytes of WAL the slot retains beyond its confirmed position; -1 when the slot does not exist yet. */
    public static long slotLagBytes(Connection c, String slot) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("SELECT pg_wal_lsn_diff(pg_current_wal_lsn(), confirmed_flush_lsn)::bigint "
                + "FROM pg_replication_slots WHERE slot_name = ?")) {
            ps.setString(1, slot);
            try (ResultSet rs = ps.executeQuery()) {
                return rs.next() ? rs.getLong(1) : -1;
            }
        }
    }

    /** Major version of the server, e.g. 15 or 18. */
    public static int serverMajor(Connection c) throws SQLException {
        try (Statement st = c.createStatement(); ResultSet rs = st.executeQuery("SHOW server_version_num")) {
            rs.next();
            return Integer.parseInt(rs.getString(1)) / 10_000;
        }
    }
}
