package sync.flow;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import sync.staging.StagedEvent;

import javax.sql.DataSource;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Dead-letters raw events that never became canonical changes (malformed change events), with
 * the event as received, so nothing is lost and a fixed version can re-apply it from staging.
 */
public final class DeadLetterWriter {
    private static final ObjectMapper JSON = new ObjectMapper();
    private final DataSource dataSource;

    public DeadLetterWriter(DataSource dataSource) {
        this.dataSource = dataSource;
    }

    /** A message that could not be parsed at all: kept as text. */
    public long rawMessage(String mapping, String channel, String raw, String error) {
        Map<String, Object> payload = new LinkedHashMap<>();
        payload.put("kind", "raw-message");
        payload.put("channel", channel);
        payload.put("message", raw);
        return insert(mapping, null, payload, error);
    }

    public long rawEvent(String mapping, StagedEvent event, String error) {
        Map<String, Object> payload = new LinkedHashMap<>();
        payload.put("kind", "raw-event");
        payload.put("replayId", event.replayId());
        payload.put("channel", event.channel());
        payload.put("event", event.event());
        Object ids = event.header() == null ? null : event.header().get("recordIds");
        String recordId = ids instanceof List<?> l && !l.isEmpty() ? String.valueOf(l.get(0)) : null;
        return insert(mapping, recordId, payload, error);
    }

    private long insert(String mapping, String recordId, Map<String, Object> payload, String error) {
        try (Connection c = dataSource.getConnection();
             PreparedStatement ps = c.prepareStatement("INSERT INTO sync.dead_letter (mapping, direction, record_id, payload, error) "
                     + "VALUES (?, 'to-postgres', ?, ?::jsonb, ?) RETURNING id")) {
            ps.setString(1, mapping);
            ps.setString(2, recordId);
            ps.setString(3, JSON.writeValueAsString(payload));
            ps.setString(4, error);
            try (var rs = ps.executeQuery()) {
                rs.next();
                return rs.getLong(1);
            }
        } catch (SQLException e) {
            throw new sync.apply.TransientApplyException("cannot record a dead letter for mapping '" + mapping + "': " + e.getMessage(), e);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }
}
