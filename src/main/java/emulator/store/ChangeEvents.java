package emulator.store;

import emulator.cdc.EventBus.PendingEvent;
import emulator.model.FieldDef;
import emulator.model.ObjectDef;
import emulator.model.Values;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Builds the change events Salesforce publishes for one committed transaction, in the CometD
 * (Streaming API) body rules: CREATE/UNDELETE carry the non-null fields, UPDATE only the
 * changed ones (JSON null for nulled fields) plus LastModifiedDate, DELETE the header only.
 * Compound fields are nested ({@code BillingAddress: {Street: ...}}). Several writes to one
 * record collapse into one event of the first change type with the final data; identical
 * UPDATE/DELETE changes to several records of one type merge into one event with several
 * recordIds; past the overflow threshold a transaction yields one GAP_OVERFLOW per type.
 */
public final class ChangeEvents {
    /** Never part of a change event body. */
    private static final Set<String> EXCLUDED = Set.of("Id", "IsDeleted", "SystemModstamp");
    public static final String OVERFLOW_RECORD_ID = "000000000000000AAA";
    /** Salesforce publishes normal events for the first 100,000 changes of a transaction. */
    public static final int DEFAULT_OVERFLOW_THRESHOLD = 100_000;

    private final AtomicLong commitNumber = new AtomicLong(System.currentTimeMillis() * 1000);
    private volatile int overflowThreshold;
    private volatile boolean mergeIdentical = true;

    public ChangeEvents(int overflowThreshold) {
        this.overflowThreshold = overflowThreshold;
    }

    public void setOverflowThreshold(int threshold) {
        this.overflowThreshold = threshold;
    }

    public void setMergeIdentical(boolean merge) {
        this.mergeIdentical = merge;
    }

    List<PendingEvent> build(List<OrgStore.Change> changes, WriteContext ctx, Instant commitTime) {
        // Collapse several changes of one record into one event of the first change type.
        Map<String, Draft> drafts = new LinkedHashMap<>();
        for (OrgStore.Change c : changes) {
            Draft d = drafts.get(c.id());
            if (d == null) {
                drafts.put(c.id(), new Draft(c));
            } else {
                d.after = c.after();
                d.changed.addAll(c.changed());
            }
        }
        String transactionKey = UUID.randomUUID().toString();
        long commit = commitNumber.incrementAndGet();
        List<Body> bodies = new ArrayList<>();
        Map<String, Integer> counted = new LinkedHashMap<>();
        Set<String> overflowed = new LinkedHashSet<>();
        int total = 0;
        for (Draft d : drafts.values()) {
            int weight = d.changeType.equals("UPDATE") ? Math.max(1, d.changed.size()) : 1;
            total += weight;
            if (total > overflowThreshold) {
                if (overflowed.add(d.object.name())) {
                    bodies.add(new Body(d.object, "GAP_OVERFLOW", new ArrayList<>(List.of(OVERFLOW_RECORD_ID)),
                            List.of(), new LinkedHashMap<>()));
                }
                continue;
            }
            counted.merge(d.object.name(), 1, Integer::sum);
            Body b = body(d);
            Body last = bodies.isEmpty() ? null : bodies.get(bodies.size() - 1);
            if (mergeIdentical && last != null && last.object == b.object && last.changeType.equals(b.changeType)
                    && (b.changeType.equals("UPDATE") || b.changeType.equals("DELETE"))
                    && last.fields.equals(b.fields) && last.changedFields.equals(b.changedFields)) {
                last.recordIds.addAll(b.recordIds);
            } else {
                bodies.add(b);
            }
        }
        List<PendingEvent> out = new ArrayList<>();
        int sequence = 0;
        for (Body b : bodies) {
            Map<String, Object> header = new LinkedHashMap<>();
            header.put("commitNumber", commit);
            header.put("commitUser", ctx.userId());
            header.put("sequenceNumber", ++sequence);
            header.put("entityName", b.object.name());
            header.put("changeType", b.changeType);
            header.put("changedFields", b.changedFields);
            header.put("changeOrigin", b.changeType.equals("GAP_OVERFLOW") ? "" : ctx.changeOrigin());
            header.put("transactionKey", transactionKey);
            header.put("commitTimestamp", commitTime.toEpochMilli());
            header.put("recordIds", b.recordIds);
            Map<String, Object> payload = new LinkedHashMap<>(b.fields);
            payload.put("ChangeEventHeader", header);
            out.add(new PendingEvent(channels(b.object), schemaId(b.object), payload));
        }
        return out;
    }

    /** The channels an object's change events are delivered on. */
    public static Set<String> channels(ObjectDef object) {
        return Set.of("/data/ChangeEvents", object.changeEventChannel());
    }

    /** A stable schema id per object shape (Salesforce changes it when fields change). */
    public static String schemaId(ObjectDef object) {
        try {
            MessageDigest md = MessageDigest.getInstance("SHA-256");
            for (FieldDef f : object.fields()) {
                md.update((f.name() + ':' + f.type() + ';').getBytes(StandardCharsets.UTF_8));
            }
            return Base64.getUrlEncoder().withoutPadding().encodeToString(md.digest()).substring(0, 22);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    /** A header-only event (GAP_* or GAP_OVERFLOW) as the admin API publishes it. */
    public PendingEvent gap(ObjectDef object, String changeType, List<String> recordIds, Instant commitTime, String userId) {
        Map<String, Object> header = new LinkedHashMap<>();
        header.put("commitNumber", commitNumber.incrementAndGet());
        header.put("commitUser", userId);
        header.put("sequenceNumber", 1);
        header.put("entityName", object.name());
        header.put("changeType", changeType);
        header.put("changedFields", List.of());
        header.put("changeOrigin", "");
        header.put("transactionKey", UUID.randomUUID().toString());
        header.put("commitTimestamp", commitTime.toEpochMilli());
        header.put("recordIds", recordIds);
        Map<String, Object> payload = new LinkedHashMap<>();
        payload.put("ChangeEventHeader", header);
        return new PendingEvent(channels(object), schemaId(object), payload);
    }

    private Body body(Draft d) {
        Map<String, Object> fields = new LinkedHashMap<>();
        List<String> changedFields = new ArrayList<>();
        switch (d.changeType) {
            case "CREATE", "UNDELETE" -> {
                for (FieldDef f : d.object.fields()) {
                    Object v = d.after.get(f.name());
                    if (v != null && !EXCLUDED.contains(f.name()) && !f.isCompound()) {
                        put(fields, f, Values.toEvent(v));
                    }
                }
            }
            case "UPDATE" -> {
                Set<String> names = new LinkedHashSet<>(d.changed);
                names.add("LastModifiedDate");
                for (FieldDef f : d.object.fields()) {
                    if (names.contains(f.name()) && !EXCLUDED.contains(f.name())) {
                        put(fields, f, Values.toEvent(d.after.get(f.name())));
                        changedFields.add(f.compoundFieldName() == null ? f.name()
                                : f.compoundFieldName() + "." + f.componentName());
                    }
                }
            }
            default -> {
                // DELETE: header only
            }
        }
        return new Body(d.object, d.changeType, new ArrayList<>(List.of(d.id)), changedFields, fields);
    }

    @SuppressWarnings("unchecked")
    private static void put(Map<String, Object> fields, FieldDef f, Object value) {
        if (f.compoundFieldName() == null) {
            fields.put(f.name(), value);
        } else {
            ((Map<String, Object>) fields.computeIfAbsent(f.compoundFieldName(), k -> new LinkedHashMap<>()))
                    .put(f.componentName(), value);
        }
    }

    private static final class Draft {
        final ObjectDef object;
        final String changeType;
        final String id;
        Map<String, Object> after;
        final Set<String> changed = new LinkedHashSet<>();

        Draft(OrgStore.Change c) {
            this.object = c.object();
            this.changeType = c.changeType();
            this.id = c.id();
            this.after = c.after();
            this.changed.addAll(c.changed());
        }
    }

    private record Body(ObjectDef object, String changeType, List<String> recordIds, List<String> changedFields,
                        Map<String, Object> fields) {
        @Override
        public boolean equals(Object o) {
            return this == o;
        }

        @Override
        public int hashCode() {
            return Objects.hash(recordIds);
        }
    }
}
