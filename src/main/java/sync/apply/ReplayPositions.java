package sync.apply;

import javax.sql.DataSource;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.OptionalLong;

/**
 * The last durably applied replayId per org and channel ({@code sync.replay_position}), where a
 * restarted subscription resumes. A position never moves backwards: storing an older one is a
 * no-op, so a redelivered batch cannot rewind the stream.
 */
public final class ReplayPositions {
    private static final String GET = "SELECT replay_id FROM sync.replay_position WHERE org_id = ? AND channel = ?";
    private static final String SET = """
            INSERT INTO sync.replay_position AS p (org_id, channel, replay_id) VALUES (?, ?, ?)
            ON CONFLICT (org_id, channel) DO UPDATE SET replay_id = EXCLUDED.replay_id, updated_at = now()
            WHERE p.replay_id < EXCLUDED.replay_id""";

    private final DataSource dataSource;

    public ReplayPositions(DataSource dataSource) {
        this.dataSource = dataSource;
    }

    /** The stored replayId of a channel; empty when none was stored yet. */
    public OptionalLong get(String orgId, String channel) {
        try (Connection c = dataSource.getConnection(); PreparedStatement ps = c.prepareStatement(GET)) {
            ps.setString(1, orgId);
            ps.setString(2, channel);
            try (ResultSet rs = ps.executeQuery()) {
                return rs.next() ? OptionalLong.of(rs.getLong(1)) : OptionalLong.empty();
            }
        } catch (SQLException e) {
            throw failure("read the replay position of " + channel, e);
        }
    }

    /** Stores a position unless a newer one is stored; true when it moved. */
    public boolean set(String orgId, String channel, long replayId) {
        try (Connection c = dataSource.getConnection()) {
            return store(c, new PositionUpdate(orgId, channel, replayId));
        } catch (SQLException e) {
            throw failure("store the replay position of " + channel, e);
        }
    }

    /** {@link #set} on the caller's connection, inside its transaction. */
    static boolean store(Connection c, PositionUpdate position) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement(SET)) {
            ps.setString(1, position.orgId());
            ps.setString(2, position.channel());
            ps.setLong(3, position.replayId());
            return ps.executeUpdate() == 1;
        }
    }

    private static ApplyException failure(String what, SQLException e) {
        String message = "cannot " + what + ": " + SqlErrors.describe(e);
        return SqlErrors.isTransient(e) ? new TransientApplyException(message, e) : new ApplyException(message, e);
    }
}
