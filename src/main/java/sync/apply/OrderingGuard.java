package sync.apply;

import sync.change.Change;

import java.sql.Array;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.temporal.ChronoUnit;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * A newer row is never overwritten by an older event, and a redelivered event is a no-op. Per
 * record, {@code sync.record_state} keeps the commit time and replayId of the last Salesforce
 * change applied; a change older than that is stale, one with the same commit time is a
 * duplicate unless its replayId is higher (a later event of the same Salesforce transaction).
 */
final class OrderingGuard {
    // A join with the unnested Ids rather than "sfid = ANY(?)": once the driver switches to a
    // server-prepared generic plan, ANY over a parameter array can be planned as a sequential
    // scan of the whole state table, while the join stays one index probe per Id.
    private static final String LOAD = """
            SELECT s.sfid, s.salesforce_commit_at, s.salesforce_position
            FROM unnest(?::text[]) AS u(sfid)
            JOIN sync.record_state s ON s.mapping = ? AND s.sfid = u.sfid""";
    private static final String STORE = """
            INSERT INTO sync.record_state AS s (mapping, sfid, salesforce_commit_at, salesforce_position, last_origin)
            SELECT ?, u.sfid, u.commit_at, u.position, 'SALESFORCE'
            FROM unnest(?::text[], ?::timestamptz[], ?::int8[]) AS u(sfid, commit_at, position)
            ON CONFLICT (mapping, sfid) DO UPDATE
            SET salesforce_commit_at = coalesce(EXCLUDED.salesforce_commit_at, s.salesforce_commit_at),
                salesforce_position = EXCLUDED.salesforce_position, last_origin = 'SALESFORCE', updated_at = now()
            WHERE s.salesforce_commit_at IS NULL OR EXCLUDED.salesforce_commit_at IS NULL
               OR EXCLUDED.salesforce_commit_at >= s.salesforce_commit_at""";

    private OrderingGuard() {
    }

    /** The last Salesforce change applied to a record. */
    record Seen(Instant commitAt, Long position) {
    }

    enum Verdict { APPLY, STALE, DUPLICATE }

    static Verdict check(Change change, Seen seen) {
        if (seen == null || seen.commitAt() == null || change.commitTime() == null) {
            return Verdict.APPLY;
        }
        // stored with microsecond precision
        int order = change.commitTime().truncatedTo(ChronoUnit.MICROS).compareTo(seen.commitAt());
        if (order != 0) {
            return order > 0 ? Verdict.APPLY : Verdict.STALE;
        }
        Long position = position(change);
        return position != null && seen.position() != null && position > seen.position() ? Verdict.APPLY : Verdict.DUPLICATE;
    }

    /** What is stored for the given records of a mapping, in one query. */
    static Map<String, Seen> load(Connection c, String mapping, Collection<String> sfids) throws SQLException {
        Map<String, Seen> out = new HashMap<>();
        if (sfids.isEmpty()) {
            return out;
        }
        try (PreparedStatement ps = c.prepareStatement(LOAD)) {
            ps.setArray(1, c.createArrayOf("text", sfids.toArray(new String[0])));
            ps.setString(2, mapping);
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    OffsetDateTime at = rs.getObject(2, OffsetDateTime.class);
                    long position = rs.getLong(3);
                    out.put(rs.getString(1), new Seen(at == null ? null : at.toInstant(), rs.wasNull() ? null : position));
                }
            }
        }
        return out;
    }

    /** Records the given applied changes (one per record), in one statement. */
    static void store(Connection c, String mapping, List<Change> applied) throws SQLException {
        if (applied.isEmpty()) {
            return;
        }
        String[] ids = new String[applied.size()];
        String[] times = new String[applied.size()];
        String[] positions = new String[applied.size()];
        for (int i = 0; i < ids.length; i++) {
            Change change = applied.get(i);
            ids[i] = change.sfid();
            times[i] = change.commitTime() == null ? null : change.commitTime().toString();
            Long position = position(change);
            positions[i] = position == null ? null : position.toString();
        }
        try (PreparedStatement ps = c.prepareStatement(STORE)) {
            ps.setString(1, mapping);
            ps.setArray(2, array(c, "text", ids));
            ps.setArray(3, array(c, "timestamptz", times));
            ps.setArray(4, array(c, "int8", positions));
            ps.executeUpdate();
        }
    }

    private static Array array(Connection c, String type, String[] values) throws SQLException {
        return c.createArrayOf(type, values);
    }

    private static Long position(Change change) {
        String p = change.position();
        if (p == null || p.isEmpty() || p.length() > 18 || !p.chars().allMatch(Character::isDigit)) {
            return null;
        }
        return Long.parseLong(p);
    }
}
