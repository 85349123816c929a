package sync.flow;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import sync.staging.StagedEvent;

import javax.sql.DataSource;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Dead-letters input that never became canonical changes (malformed change events, unreadable
 * records of inbound files), with the input as received, so nothing is lost and a fixed version
 * can re-apply it from staging.
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

    /**
     * A record of an inbound file that could not be read (no Id, no usable LastModifiedDate, a
     * malformed line): the file's key, the line the record starts on, that line as found (and the
     * header of a CSV file) and why.
     *
     * @param line the 1-based line; 0 when the problem concerns the file rather than one record
     */
    public long inboundRecord(String mapping, String key, int line, String header, String record, String reason) {
        Map<String, Object> payload = new LinkedHashMap<>();
        payload.put("kind", "inbound-record");
        payload.put("key", key);
        payload.put("line", line);
        if (header != null) {
            payload.put("header", header);
        }
        payload.put("record", record);
        payload.put("reason", reason);
        return insert(mapping, null, payload, "inbound file " + key + (line > 0 ? " line " + line : "") + ": " + reason);
    }

    /**
     * An inbound file of which no record could be read, moved aside to {@code movedTo}: every
     * reason found, so the file can be fixed and dropped again.
     */
    public long inboundFile(String mapping, String key, String movedTo, List<String> reasons) {
        Map<String, Object> payload = new LinkedHashMap<>();
        payload.put("kind", "inbound-file");
        payload.put("key", key);
        payload.put("movedTo", movedTo);
        payload.put("reasons", reasons);
        return insert(mapping, null, payload, "inbound file " + key + " has no readable record (moved to " + movedTo
                + "): " + (reasons.isEmpty() ? "unknown" : reasons.get(0)));
    }

    private long insert(String mapping, String recordId, Map<String, Object> payload, String error) {
        try (Connection c = dataSource.getConnection()) {
            return sync.apply.DeadLetters.insert(c, mapping, "to-postgres", recordId, JSON.writeValueAsString(payload), error);
        } catch (SQLException e) {
            throw new sync.apply.TransientApplyException("cannot record a dead letter for mapping '" + mapping + "': " + e.getMessage(), e);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }
}
