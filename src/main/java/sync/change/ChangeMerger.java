package sync.change;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Collapses a batch of changes to at most one per record, so one SQL statement per record kind
 * suffices: partial updates merge field by field (later values win), a delete wins over earlier
 * upserts, an undelete after a delete restores the record with its fields. Changes of one record
 * are ordered by commit time, then by source position, so an older event that arrives late
 * within the batch never overwrites a newer one. Changes without a record id (object-wide
 * resyncs) pass through unchanged.
 */
public final class ChangeMerger {
    private ChangeMerger() {
    }

    private static final Comparator<Change> COMMIT_ORDER = Comparator.comparing(Change::commitTime)
            .thenComparing(c -> positionNumber(c.position()));

    public static List<Change> merge(List<Change> batch) {
        Map<String, List<Change>> byRecord = new LinkedHashMap<>();
        List<Change> passthrough = new ArrayList<>();
        for (Change c : batch) {
            if (c.sfid() == null && c.pgKey() == null) {
                passthrough.add(c);
            } else {
                byRecord.computeIfAbsent(c.mapping() + '\u0000' + (c.sfid() != null ? c.sfid() : "pg:" + c.pgKey()),
                        k -> new ArrayList<>()).add(c);
            }
        }
        List<Change> out = new ArrayList<>(byRecord.size() + passthrough.size());
        for (List<Change> changes : byRecord.values()) {
            changes.sort(COMMIT_ORDER);
            Change merged = null;
            Change resync = null;
            for (Change c : changes) {
                if (c.op() == Change.Op.RESYNC) {
                    resync = c;
                } else {
                    merged = merged == null ? c : combine(merged, c);
                }
            }
            if (merged != null) {
                out.add(merged);
            }
            if (resync != null) {
                out.add(resync);
            }
        }
        out.addAll(passthrough);
        return out;
    }

    static Change combine(Change earlier, Change later) {
        Change.Op op = switch (later.op()) {
            case DELETE -> Change.Op.DELETE;
            case UNDELETE -> Change.Op.UNDELETE;
            case UPSERT -> earlier.op() == Change.Op.UNDELETE ? Change.Op.UNDELETE : Change.Op.UPSERT;
            case RESYNC -> throw new IllegalArgumentException("resync changes are not combined");
        };
        Map<String, Object> fields = new LinkedHashMap<>();
        if (later.op() != Change.Op.DELETE) {
            if (earlier.op() != Change.Op.DELETE) {
                fields.putAll(earlier.fields());
            }
            fields.putAll(later.fields());
        }
        return new Change(later.mapping(), later.origin(), op, later.sfid() != null ? later.sfid() : earlier.sfid(),
                later.pgKey() != null ? later.pgKey() : earlier.pgKey(), fields, later.commitTime(), later.position(),
                later.transaction(), later.clientOrigin());
    }

    private static long positionNumber(String position) {
        if (position == null) {
            return Long.MIN_VALUE;
        }
        try {
            return Long.parseLong(position);
        } catch (NumberFormatException e) {
            return Long.MIN_VALUE;
        }
    }
}
