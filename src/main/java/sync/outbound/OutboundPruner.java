package sync.outbound;

import org.jboss.logging.Logger;
import sync.sql.Identifiers;

import javax.sql.DataSource;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Deletes the settled history of {@code sync.outbound_change}: changes sent to Salesforce longer
 * ago than the echo window, and failed changes whose dead letter is closed (resolved or ignored)
 * captured that long ago. Pending and sending changes, and failed ones of open dead letters, are
 * never touched. What the writer still needs stays too: per row key, the newest change that
 * carries the record's Salesforce Id, while the writer might look it up there (it reads the Id
 * from the row first, then from this history):
 * <ul>
 *   <li>always when the table does not log full before images (REPLICA IDENTITY DEFAULT): a
 *   later delete names only the key, and this is the only place its Id is left;</li>
 *   <li>with full before images, while the row has no Id in its Id column (or is gone and its
 *   delete is not sent yet).</li>
 * </ul>
 * Once a delete of the record was sent the Id is needed no more. Rows are deleted in batches of
 * {@value #BATCH}, each its own short transaction, so no lock is held for long; settled rows are
 * never written by the writer or the echo guard, so pruning waits on neither.
 */
public final class OutboundPruner {
    private static final Logger LOG = Logger.getLogger(OutboundPruner.class);
    static final int BATCH = 1_000;

    private final DataSource dataSource;
    private final Duration window;
    /** Per mapping: one DELETE for sent changes, one for failed ones. */
    private final Map<String, String[]> statements = new LinkedHashMap<>();

    public OutboundPruner(DataSource dataSource, Map<String, OutboundMapping> mappings, Duration window) {
        this.dataSource = dataSource;
        this.window = window;
        mappings.forEach((name, m) -> statements.put(name, new String[] {
                delete(m, "o.status = 'sent' AND o.sent_at < now() - make_interval(secs => ?)"),
                delete(m, """
                        o.status = 'failed' AND o.captured_at < now() - make_interval(secs => ?)
                          AND NOT EXISTS (SELECT 1 FROM sync.dead_letter d
                                          WHERE d.id = o.dead_letter AND d.status IN ('new', 'retrying'))""")}));
    }

    /** Prunes every mapping's settled history; returns the number of rows deleted. */
    public int prune() {
        int deleted = 0;
        for (Map.Entry<String, String[]> e : statements.entrySet()) {
            for (String sql : e.getValue()) {
                int n;
                do {
                    n = batch(e.getKey(), sql);
                    deleted += n;
                } while (n == BATCH);
            }
        }
        if (deleted > 0) {
            LOG.debugf("pruned %d settled change(s) older than %s from sync.outbound_change", deleted, window);
        }
        return deleted;
    }

    private int batch(String mapping, String sql) {
        try (Connection c = dataSource.getConnection(); PreparedStatement ps = c.prepareStatement(sql)) {
            ps.setString(1, mapping);
            ps.setDouble(2, window.toMillis() / 1000.0);
            ps.setInt(3, BATCH);
            return ps.executeUpdate();
        } catch (SQLException e) {
            throw new OutboundUnavailableException("mapping '" + mapping + "': cannot prune sync.outbound_change: "
                    + e.getMessage(), e);
        }
    }

    private static String delete(OutboundMapping m, String settled) {
        // The row is the newest one of its key that names the record's Salesforce Id ...
        String lastKnownId = """
                coalesce(o.sfid, o.result_id) IS NOT NULL
                AND NOT EXISTS (SELECT 1 FROM sync.outbound_change n WHERE n.mapping = o.mapping AND n.pg_key = o.pg_key
                                AND n.id > o.id AND coalesce(n.sfid, n.result_id) IS NOT NULL)
                AND NOT EXISTS (SELECT 1 FROM sync.outbound_change x WHERE x.mapping = o.mapping AND x.pg_key = o.pg_key
                                AND x.id >= o.id AND x.op = 'DELETE' AND x.status = 'sent')""";
        // ... and, when deletes log the whole row, the row does not hold that Id itself.
        if (m.replicaIdentityFull()) {
            lastKnownId += "\nAND NOT EXISTS (SELECT 1 FROM " + m.mapping().qualifiedTable() + " t WHERE t."
                    + Identifiers.quote(m.keyColumn()) + " = o.pg_key::" + m.keyType() + " AND t."
                    + Identifiers.quote(m.mapping().idColumn()) + " IS NOT NULL)";
        }
        return "DELETE FROM sync.outbound_change WHERE id IN (SELECT o.id FROM sync.outbound_change o WHERE o.mapping = ? AND "
                + settled + "\nAND NOT (" + lastKnownId + ")\nORDER BY o.id LIMIT ?)";
    }
}
