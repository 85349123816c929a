package sync.outbound;

import com.fasterxml.jackson.core.JsonProcessingException;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.LinkedHashMap;
import java.util.Map;

/** Dead letters of the PostgreSQL -> Salesforce direction: the record as it was to be sent, and why not. */
final class OutboundDeadLetters {

    private OutboundDeadLetters() {
    }

    static long insert(Connection c, OutboundMapping m, OutboundPlan.Item item, String error) throws SQLException {
        Map<String, Object> payload = new LinkedHashMap<>();
        payload.put("kind", "outbound");
        payload.put("object", m.object());
        payload.put("operation", item.kind().name());
        payload.put("pgKey", item.pgKey());
        payload.put("sfid", item.sfid());
        payload.put("fields", item.fields());
        payload.put("queued", item.rows());
        return insert(c, m.name(), item.sfid() != null ? item.sfid() : item.pgKey(), payload, error);
    }

    static long insert(Connection c, String mapping, String recordId, Map<String, Object> payload, String error)
            throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("INSERT INTO sync.dead_letter (mapping, direction, record_id, payload, error) "
                + "VALUES (?, 'to-salesforce', ?, ?::jsonb, ?) RETURNING id")) {
            ps.setString(1, mapping);
            ps.setString(2, recordId);
            ps.setString(3, OutboundQueue.JSON.writeValueAsString(payload));
            ps.setString(4, error);
            try (ResultSet rs = ps.executeQuery()) {
                rs.next();
                return rs.getLong(1);
            }
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }
}
