package emulator.store;

import emulator.cdc.EventBus;
import emulator.cdc.StreamEvent;
import emulator.http.ApiException;
import emulator.model.FieldDef;
import emulator.model.ObjectDef;
import emulator.model.SalesforceIds;
import emulator.model.Schema;

import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.function.Function;

/**
 * The emulated org's records. Every write runs in a {@link Tx}; a transaction either commits
 * (and publishes its change events, sharing one transactionKey) or rolls back entirely.
 * Deleted records move to the recycle bin (IsDeleted = true), where queryAll still sees them.
 */
public final class OrgStore {
    private final Schema schema;
    private final Clock clock;
    private final EventBus bus;
    private final ChangeEvents changeEvents;
    private final SalesforceIds ids = new SalesforceIds(System.currentTimeMillis() / 1000 * 1000);
    /** object (lower-case API name) -> 18-char Id -> record; recycle-bin records are kept with IsDeleted=true. */
    private final Map<String, Map<String, Map<String, Object>>> records = new HashMap<>();
    private final List<TriggerRule> triggers = new ArrayList<>();
    /** object -> unique/external-id field -> normalized value -> ids of live records holding it. */
    private final Map<String, Map<String, Map<Object, java.util.Set<String>>>> index = new HashMap<>();
    private Instant lastStamp = Instant.EPOCH;

    public OrgStore(Schema schema, Clock clock, EventBus bus, ChangeEvents changeEvents) {
        this.schema = schema;
        this.clock = clock;
        this.bus = bus;
        this.changeEvents = changeEvents;
    }

    public Schema schema() {
        return schema;
    }

    public SalesforceIds ids() {
        return ids;
    }

    /** Runs {@code work} as one transaction; any exception rolls every write back and is rethrown. */
    public synchronized <T> T transaction(WriteContext ctx, Function<Tx, T> work) {
        return transaction(ctx, work, true);
    }

    /**
     * A transaction that publishes no change events, like changes Salesforce applies directly in
     * its database (archiving, cleanup jobs): the case GAP events exist for.
     */
    public synchronized <T> T silentTransaction(WriteContext ctx, Function<Tx, T> work) {
        return transaction(ctx, work, false);
    }

    private <T> T transaction(WriteContext ctx, Function<Tx, T> work, boolean publish) {
        Tx tx = new Tx(ctx, nextStamp());
        T result;
        try {
            result = work.apply(tx);
        } catch (RuntimeException e) {
            tx.rollback();
            throw e;
        }
        if (!publish) {
            return result;
        }
        List<EventBus.PendingEvent> events = changeEvents.build(tx.changes, ctx, tx.now);
        if (!events.isEmpty()) {
            bus.publish(events);
        }
        return result;
    }

    /** Publishes events built outside a record write (gap events from the admin API). */
    public List<StreamEvent> publish(List<EventBus.PendingEvent> events) {
        return bus.publish(events);
    }

    /** A copy of a live or deleted record, or null. */
    public synchronized Map<String, Object> find(ObjectDef object, String id) {
        Map<String, Object> r = table(object).get(id);
        return r == null ? null : new LinkedHashMap<>(r);
    }

    /** Copies of the records of one object, live only or also deleted (queryAll). */
    public synchronized List<Map<String, Object>> all(ObjectDef object, boolean includeDeleted) {
        List<Map<String, Object>> out = new ArrayList<>();
        for (Map<String, Object> r : table(object).values()) {
            if (includeDeleted || !Boolean.TRUE.equals(r.get("IsDeleted"))) {
                out.add(new LinkedHashMap<>(r));
            }
        }
        return out;
    }

    public synchronized int count(ObjectDef object) {
        return (int) table(object).values().stream().filter(r -> !Boolean.TRUE.equals(r.get("IsDeleted"))).count();
    }

    public synchronized void reset() {
        records.clear();
        triggers.clear();
        index.clear();
    }

    public synchronized void addTrigger(TriggerRule rule) {
        triggers.add(rule);
    }

    private Map<Object, java.util.Set<String>> index(ObjectDef object, FieldDef field) {
        return index.computeIfAbsent(object.name().toLowerCase(java.util.Locale.ROOT), k -> new HashMap<>())
                .computeIfAbsent(field.name(), k -> new HashMap<>());
    }

    private static boolean indexed(FieldDef f) {
        return f.unique() || f.externalId();
    }

    private static Object indexKey(Object value) {
        if (value instanceof String s) {
            return s.toLowerCase(java.util.Locale.ROOT);
        }
        if (value instanceof java.math.BigDecimal b) {
            return b.stripTrailingZeros();
        }
        return value;
    }

    private void indexAdd(ObjectDef object, Map<String, Object> r) {
        if (Boolean.TRUE.equals(r.get("IsDeleted"))) {
            return;
        }
        for (FieldDef f : object.fields()) {
            Object v = r.get(f.name());
            if (indexed(f) && v != null) {
                index(object, f).computeIfAbsent(indexKey(v), k -> new java.util.HashSet<>()).add((String) r.get("Id"));
            }
        }
    }

    private void indexRemove(ObjectDef object, Map<String, Object> r) {
        for (FieldDef f : object.fields()) {
            Object v = r.get(f.name());
            if (indexed(f) && v != null) {
                java.util.Set<String> ids = index(object, f).get(indexKey(v));
                if (ids != null) {
                    ids.remove((String) r.get("Id"));
                    if (ids.isEmpty()) {
                        index(object, f).remove(indexKey(v));
                    }
                }
            }
        }
    }

    private Map<String, Map<String, Object>> table(ObjectDef object) {
        return records.computeIfAbsent(object.name().toLowerCase(java.util.Locale.ROOT), k -> new LinkedHashMap<>());
    }

    /** Strictly increasing millisecond timestamps, so LastModifiedDate orders writes. */
    private Instant nextStamp() {
        Instant now = Instant.ofEpochMilli(clock.millis());
        if (!now.isAfter(lastStamp)) {
            now = lastStamp.plusMillis(1);
        }
        lastStamp = now;
        return now;
    }

    /** One open transaction. */
    public final class Tx {
        private final WriteContext ctx;
        private final Instant now;
        private final List<Change> changes = new ArrayList<>();
        private final List<Runnable> undo = new ArrayList<>();

        private Tx(WriteContext ctx, Instant now) {
            this.ctx = ctx;
            this.now = now;
        }

        public Instant now() {
            return now;
        }

        /** Inserts a record; {@code values} hold stored forms keyed by canonical field name. */
        public String create(ObjectDef object, Map<String, Object> values) {
            Map<String, Object> r = new LinkedHashMap<>();
            String id = ids.next(object.keyPrefix());
            for (FieldDef f : object.fields()) {
                if (f.isCompound()) {
                    continue;
                }
                Object v = values.containsKey(f.name()) ? values.get(f.name()) : f.defaultValue();
                r.put(f.name(), v);
            }
            r.put("Id", id);
            if (object.field("OwnerId") != null && r.get("OwnerId") == null) {
                r.put("OwnerId", ctx.userId());
            }
            r.put("IsDeleted", false);
            r.put("CreatedDate", now);
            r.put("CreatedById", ctx.userId());
            stamp(r);
            applyTriggers(object, r, values.keySet());
            checkRequired(object, r);
            checkReferencesAndUniques(object, r, values.keySet());
            table(object).put(id, r);
            indexAdd(object, r);
            undo.add(() -> {
                indexRemove(object, r);
                table(object).remove(id);
            });
            changes.add(new Change(object, "CREATE", id, new LinkedHashMap<>(r), List.of()));
            return id;
        }

        /** Updates the given fields; returns the names of the fields whose value changed. */
        public List<String> update(ObjectDef object, String id, Map<String, Object> values) {
            Map<String, Object> r = live(object, id);
            Map<String, Object> before = new LinkedHashMap<>(r);
            r.putAll(values);
            applyTriggers(object, r, values.keySet());
            List<String> changed = new ArrayList<>();
            for (Map.Entry<String, Object> e : r.entrySet()) {
                if (!Objects.equals(e.getValue(), before.get(e.getKey()))) {
                    changed.add(e.getKey());
                }
            }
            String previousModifier = (String) r.get("LastModifiedById");
            stamp(r);
            if (!Objects.equals(previousModifier, ctx.userId())) {
                changed.add("LastModifiedById");
            }
            try {
                checkRequired(object, r);
                checkReferencesAndUniques(object, r, values.keySet());
            } catch (RuntimeException e) {
                r.clear();
                r.putAll(before);
                throw e;
            }
            indexRemove(object, before);
            indexAdd(object, r);
            undo.add(() -> restore(object, id, before));
            changes.add(new Change(object, "UPDATE", id, new LinkedHashMap<>(r), changed));
            return changed;
        }

        public void delete(ObjectDef object, String id) {
            Map<String, Object> r = live(object, id);
            Map<String, Object> before = new LinkedHashMap<>(r);
            indexRemove(object, r);
            r.put("IsDeleted", true);
            stamp(r);
            undo.add(() -> restore(object, id, before));
            changes.add(new Change(object, "DELETE", id, new LinkedHashMap<>(r), List.of()));
        }

        public void undelete(ObjectDef object, String id) {
            Map<String, Object> r = table(object).get(id);
            if (r == null) {
                throw ApiException.notFound();
            }
            if (!Boolean.TRUE.equals(r.get("IsDeleted"))) {
                throw new ApiException(400, "UNDELETE_FAILED", "Entity is not in the recycle bin", List.of());
            }
            Map<String, Object> before = new LinkedHashMap<>(r);
            r.put("IsDeleted", false);
            stamp(r);
            indexAdd(object, r);
            undo.add(() -> restore(object, id, before));
            changes.add(new Change(object, "UNDELETE", id, new LinkedHashMap<>(r), List.of()));
        }

        /** Finds live records whose field equals value (external-id lookups). */
        public List<String> findBy(ObjectDef object, String field, Object value) {
            FieldDef def = object.field(field);
            if (def != null && indexed(def)) {
                java.util.Set<String> ids = value == null ? null : index(object, def).get(indexKey(value));
                return ids == null ? List.of() : new ArrayList<>(ids);
            }
            List<String> out = new ArrayList<>();
            for (Map<String, Object> r : table(object).values()) {
                if (!Boolean.TRUE.equals(r.get("IsDeleted")) && equalsValue(r.get(field), value)) {
                    out.add((String) r.get("Id"));
                }
            }
            return out;
        }

        private Map<String, Object> live(ObjectDef object, String id) {
            Map<String, Object> r = table(object).get(id);
            if (r == null) {
                throw ApiException.notFound();
            }
            if (Boolean.TRUE.equals(r.get("IsDeleted"))) {
                throw new ApiException(404, "ENTITY_IS_DELETED", "entity is deleted", List.of());
            }
            return r;
        }

        private void stamp(Map<String, Object> r) {
            r.put("LastModifiedDate", now);
            r.put("LastModifiedById", ctx.userId());
            r.put("SystemModstamp", now);
        }

        private void restore(ObjectDef object, String id, Map<String, Object> before) {
            Map<String, Object> r = table(object).get(id);
            indexRemove(object, r);
            r.clear();
            r.putAll(before);
            indexAdd(object, r);
        }

        private void applyTriggers(ObjectDef object, Map<String, Object> r, java.util.Set<String> written) {
            for (TriggerRule t : triggers) {
                if (t.object().equalsIgnoreCase(object.name()) && written.stream().anyMatch(t.whenField()::equalsIgnoreCase)) {
                    FieldDef target = object.field(t.setField());
                    if (target != null) {
                        r.put(target.name(), t.value());
                    }
                }
            }
        }

        private void checkRequired(ObjectDef object, Map<String, Object> r) {
            List<String> missing = new ArrayList<>();
            for (FieldDef f : object.fields()) {
                if (!f.nillable() && f.createable() && !f.defaultedOnCreate() && r.get(f.name()) == null) {
                    missing.add(f.name());
                }
            }
            if (!missing.isEmpty()) {
                throw new ApiException(400, "REQUIRED_FIELD_MISSING", "Required fields are missing: " + missing, missing);
            }
        }

        private void checkReferencesAndUniques(ObjectDef object, Map<String, Object> r, java.util.Set<String> written) {
            for (String name : written) {
                FieldDef f = object.field(name);
                Object v = r.get(f.name());
                if (v == null) {
                    continue;
                }
                if (f.type().equals("reference")) {
                    ObjectDef target = schema.objectForId((String) v);
                    if (target == null || f.referenceTo().stream().noneMatch(target.name()::equals)) {
                        throw new ApiException(400, "MALFORMED_ID", f.label() + ": id value of incorrect type: " + v,
                                List.of(f.name()));
                    }
                    Map<String, Object> referenced = table(target).get(v);
                    if (referenced == null && !target.name().equals("User")) {
                        throw new ApiException(400, "INVALID_CROSS_REFERENCE_KEY", "invalid cross reference id",
                                List.of(f.name()));
                    }
                    if (referenced != null && Boolean.TRUE.equals(referenced.get("IsDeleted"))) {
                        throw new ApiException(400, "ENTITY_IS_DELETED", "entity is deleted", List.of(f.name()));
                    }
                }
                if (f.unique()) {
                    java.util.Set<String> holders = index(object, f).getOrDefault(indexKey(v), java.util.Set.of());
                    for (String other : holders) {
                        if (!other.equals(r.get("Id"))) {
                            throw new ApiException(400, "DUPLICATE_VALUE", "duplicate value found: " + f.name()
                                    + " duplicates value on record with id: " + other, List.of());
                        }
                    }
                }
            }
        }

        private void rollback() {
            for (int i = undo.size() - 1; i >= 0; i--) {
                undo.get(i).run();
            }
            changes.clear();
        }
    }

    private static boolean equalsValue(Object a, Object b) {
        if (a instanceof String s && b instanceof String t) {
            return s.equalsIgnoreCase(t);
        }
        if (a instanceof java.math.BigDecimal x && b instanceof java.math.BigDecimal y) {
            return x.compareTo(y) == 0;
        }
        return Objects.equals(a, b);
    }

    /** One record change inside a transaction, with the record as it stands after the change. */
    public record Change(ObjectDef object, String changeType, String id, Map<String, Object> after, List<String> changed) {
    }

    /** A configurable "trigger": writing {@code whenField} also sets {@code setField} to {@code value}. */
    public record TriggerRule(String object, String whenField, String setField, Object value) {
    }
}
