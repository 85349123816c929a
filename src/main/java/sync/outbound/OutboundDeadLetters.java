package sync.outbound;

import com.fasterxml.jackson.core.JsonProcessingException;

import java.sql.Connection;
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
        try {
            return sync.apply.DeadLetters.insert(c, mapping, "to-salesforce", recordId,
                    OutboundQueue.JSON.writeValueAsString(payload), error);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }
}
