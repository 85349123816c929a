package sync.outbound;

import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Batch planning for one mapping, pure: queued changes (oldest first) become the Salesforce
 * calls to make. Several changes of one record collapse into one, in order: successive updates
 * merge (later values win), an update followed by a delete is just the delete, and a record
 * created and deleted before it ever reached Salesforce needs no call at all. A record whose
 * operation changes (deleted, then inserted again with the same key) sends the first part now
 * and the rest in the next round, so order is kept.
 */
public final class OutboundPlan {

    /** One queued change (a row of sync.outbound_change). */
    public record Queued(long id, String op, String pgKey, String sfid, Map<String, Object> fields, Instant commitAt) {
        boolean isDelete() {
            return "DELETE".equals(op);
        }
    }

    /** What an item does in Salesforce. */
    public enum Kind { CREATE, UPSERT, UPDATE, DELETE }

    /**
     * One record's write.
     *
     * @param rows   ids of the queued changes it covers
     * @param fields the fields to send (already limited to what Salesforce accepts for the kind)
     */
    public record Item(Kind kind, String pgKey, String sfid, Map<String, Object> fields, List<Long> rows) {
    }

    /**
     * @param items    writes to make, in queue order
     * @param noops    changes that need no call (nothing writable changed, or created and deleted
     *                 before reaching Salesforce)
     * @param unknown  deletes of records whose Salesforce Id is unknown, with their rows
     * @param deferred changes left for the next round (they follow an operation change)
     */
    public record Plan(List<Item> items, List<Long> noops, List<Item> unknown, List<Long> deferred) {
        public List<Item> of(Kind kind) {
            return items.stream().filter(i -> i.kind() == kind).toList();
        }
    }

    private OutboundPlan() {
    }

    /**
     * @param queued pending changes of one mapping, in queue order
     * @param known  Salesforce Ids known for keys (the table's Id column, the queue's history)
     */
    public static Plan plan(OutboundMapping m, List<Queued> queued, Map<String, String> known) {
        Map<String, List<Queued>> byKey = new LinkedHashMap<>();
        for (Queued q : queued) {
            byKey.computeIfAbsent(q.pgKey(), k -> new ArrayList<>()).add(q);
        }
        List<Item> items = new ArrayList<>();
        List<Long> noops = new ArrayList<>();
        List<Item> unknown = new ArrayList<>();
        List<Long> deferred = new ArrayList<>();
        for (Map.Entry<String, List<Queued>> e : byKey.entrySet()) {
            List<Queued> rows = e.getValue();
            String sfid = known.get(e.getKey());
            Map<String, Object> fields = new LinkedHashMap<>();
            List<Long> covered = new ArrayList<>();
            boolean delete = false;
            int i = 0;
            for (; i < rows.size(); i++) {
                Queued q = rows.get(i);
                if (q.sfid() != null) {
                    sfid = q.sfid();
                }
                if (q.isDelete()) {
                    covered.add(q.id());
                    delete = true;
                    i++;
                    break;
                }
                fields.putAll(q.fields());
                covered.add(q.id());
            }
            for (; i < rows.size(); i++) {
                deferred.add(rows.get(i).id());
            }
            if (delete) {
                if (sfid != null) {
                    items.add(new Item(Kind.DELETE, e.getKey(), sfid, Map.of(), covered));
                } else if (covered.size() > 1) {
                    noops.addAll(covered); // created and deleted before it reached Salesforce
                } else {
                    unknown.add(new Item(Kind.DELETE, e.getKey(), null, Map.of(), covered));
                }
                continue;
            }
            Item item = upsert(m, e.getKey(), sfid, fields, covered);
            if (item == null) {
                noops.addAll(covered);
            } else {
                items.add(item);
            }
        }
        return new Plan(items, noops, unknown, deferred);
    }

    private static Item upsert(OutboundMapping m, String key, String sfid, Map<String, Object> fields, List<Long> rows) {
        Kind kind;
        Set<String> allowed;
        if (sfid != null) {
            kind = Kind.UPDATE;
            allowed = m.updateable();
        } else if (m.externalIdField().isPresent() && fields.get(m.externalIdField().get()) != null) {
            kind = Kind.UPSERT;
            allowed = m.createable();
        } else {
            kind = Kind.CREATE;
            allowed = m.createable();
        }
        Map<String, Object> send = new LinkedHashMap<>();
        fields.forEach((f, v) -> {
            if (allowed.contains(f) || (kind == Kind.UPSERT && f.equals(m.externalIdField().get()))) {
                send.put(f, v);
            }
        });
        if (kind == Kind.UPDATE) {
            m.externalIdField().ifPresent(send::remove);
            if (send.isEmpty()) {
                return null;
            }
        }
        return new Item(kind, key, sfid, send, rows);
    }
}
