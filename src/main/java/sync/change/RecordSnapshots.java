package sync.change;

import sync.mapping.ValueConverter;

import java.time.Instant;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Turns records read back from Salesforce (query results, re-reads after a GAP, backfills,
 * files dropped by other tools) into canonical changes: a live record is an UPSERT of all its
 * fields, a deleted one (IsDeleted = true) a DELETE; the record's SystemModstamp (or
 * LastModifiedDate) is its commit time, so the ordering guard treats a snapshot exactly like
 * the change event that produced it.
 */
public final class RecordSnapshots {
    private static final Set<String> NOT_FIELDS = Set.of("attributes", "Id", "IsDeleted", "SystemModstamp");

    private RecordSnapshots() {
    }

    /** @param position where the snapshot came from, e.g. {@code gap-reread} or {@code inbound:key#3} */
    public static Change toChange(String mapping, Map<String, Object> record, String position) {
        Object id = record.get("Id");
        if (id == null) {
            throw new IllegalArgumentException("record without Id");
        }
        Object stamp = record.get("SystemModstamp") != null ? record.get("SystemModstamp") : record.get("LastModifiedDate");
        if (stamp == null) {
            throw new IllegalArgumentException("record " + id + " has neither SystemModstamp nor LastModifiedDate");
        }
        Instant commitTime = ((OffsetDateTime) ValueConverter.toPostgres("datetime", "timestamp with time zone", stamp)).toInstant();
        boolean deleted = Boolean.TRUE.equals(record.get("IsDeleted")) || "true".equalsIgnoreCase(String.valueOf(record.get("IsDeleted")));
        Map<String, Object> fields = new LinkedHashMap<>();
        if (!deleted) {
            record.forEach((k, v) -> {
                if (!NOT_FIELDS.contains(k) && !(v instanceof Map)) {
                    fields.put(k, v);
                }
            });
        }
        return new Change(mapping, Change.Origin.SALESFORCE, deleted ? Change.Op.DELETE : Change.Op.UPSERT,
                id.toString(), null, fields, commitTime, position, null, null);
    }

    public static List<Change> toChanges(String mapping, List<Map<String, Object>> records, String position) {
        List<Change> out = new ArrayList<>(records.size());
        for (Map<String, Object> r : records) {
            out.add(toChange(mapping, r, position));
        }
        return out;
    }
}
