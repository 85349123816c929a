package sync.change;

import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * The one canonical change every source produces and every sink consumes.
 *
 * @param mapping     the mapping name from configuration
 * @param origin      the side the change was made on
 * @param op          what happened to the record
 * @param sfid        the Salesforce Id (18 chars), when known
 * @param pgKey       the PostgreSQL key, when known
 * @param fields      Salesforce field name -> value in Salesforce's JSON form; only what changed,
 *                    nulls explicit (a key mapped to null sets the field to null)
 * @param commitTime  when the change committed on its side (the ordering guard)
 * @param position    replayId (Salesforce) or LSN (PostgreSQL), as text
 * @param transaction the source transaction key and this change's sequence in it
 * @param clientOrigin who made the change, e.g. the Sforce-Call-Options client name (echo suppression)
 */
public record Change(String mapping, Origin origin, Op op, String sfid, String pgKey, Map<String, Object> fields,
                     Instant commitTime, String position, Transaction transaction, String clientOrigin) {

    public Change {
        Objects.requireNonNull(origin, "origin");
        Objects.requireNonNull(op, "op");
        fields = fields == null ? Map.of() : java.util.Collections.unmodifiableMap(new java.util.LinkedHashMap<>(fields));
    }

    public enum Origin { SALESFORCE, POSTGRES }

    public enum Op { UPSERT, DELETE, UNDELETE, RESYNC }

    /** Where a change sits in its source transaction. */
    public record Transaction(String key, int sequence) {
    }

    /** Field names this change touches, in order. */
    public List<String> fieldNames() {
        return List.copyOf(fields.keySet());
    }
}
