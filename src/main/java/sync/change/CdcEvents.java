package sync.change;

import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Turns one Salesforce change event (CometD form: {@code ChangeEventHeader} plus the changed
 * fields) into canonical changes: one per record Id, so a merged event applies to every record
 * it names. Compound fields are flattened to the sObject's own fields
 * ({@code BillingAddress.Street} -> {@code BillingStreet}, {@code Name.FirstName} -> {@code FirstName}).
 * GAP and overflow events become {@link Change.Op#RESYNC} changes that name the records (or none,
 * for an overflow) to re-read.
 */
public final class CdcEvents {
    /** The record Id Salesforce puts in a GAP_OVERFLOW event: "every record of this type". */
    public static final String OVERFLOW_ID = "000000000000000AAA";

    private CdcEvents() {
    }

    /**
     * @param mapping  mapping name
     * @param header   the ChangeEventHeader
     * @param payload  the event's fields (ChangeEventHeader may be present and is ignored)
     * @param replayId the event's replay id
     */
    public static List<Change> toChanges(String mapping, Map<String, Object> header, Map<String, Object> payload, long replayId) {
        String changeType = text(header, "changeType");
        if (changeType == null) {
            throw new MalformedEventException("change event without ChangeEventHeader.changeType (replayId " + replayId + ")");
        }
        Object ids = header.get("recordIds");
        if (!(ids instanceof List<?> recordIds) || recordIds.isEmpty()) {
            throw new MalformedEventException("change event without ChangeEventHeader.recordIds (replayId " + replayId + ")");
        }
        Object ts = header.get("commitTimestamp");
        if (!(ts instanceof Number commitMillis)) {
            throw new MalformedEventException("change event without a numeric ChangeEventHeader.commitTimestamp (replayId "
                    + replayId + ")");
        }
        Instant commitTime = Instant.ofEpochMilli(commitMillis.longValue());
        Object seq = header.get("sequenceNumber");
        Change.Transaction tx = new Change.Transaction(text(header, "transactionKey"),
                seq instanceof Number n ? n.intValue() : 0);
        String client = clientOf(text(header, "changeOrigin"));
        Change.Op op;
        Map<String, Object> fields;
        switch (changeType) {
            case "CREATE", "UPDATE" -> {
                op = Change.Op.UPSERT;
                fields = flatten(payload);
            }
            case "UNDELETE" -> {
                op = Change.Op.UNDELETE;
                fields = flatten(payload);
            }
            case "DELETE" -> {
                op = Change.Op.DELETE;
                fields = Map.of();
            }
            case "GAP_CREATE", "GAP_UPDATE", "GAP_DELETE", "GAP_UNDELETE", "GAP_OVERFLOW" -> {
                op = Change.Op.RESYNC;
                fields = Map.of();
            }
            default -> throw new MalformedEventException("unknown changeType '" + changeType + "' (replayId " + replayId + ")");
        }
        List<Change> out = new ArrayList<>(recordIds.size());
        for (Object id : recordIds) {
            String sfid = String.valueOf(id);
            if (changeType.equals("GAP_OVERFLOW") || sfid.equals(OVERFLOW_ID) || sfid.endsWith("*")) {
                sfid = null; // the whole object must be re-read
            }
            out.add(new Change(mapping, Change.Origin.SALESFORCE, op, sfid, null, fields, commitTime,
                    Long.toString(replayId), tx, client));
        }
        return out;
    }

    /** Flattens nested compound fields to the sObject's field names; drops the header. */
    public static Map<String, Object> flatten(Map<String, Object> payload) {
        Map<String, Object> out = new LinkedHashMap<>();
        for (Map.Entry<String, Object> e : payload.entrySet()) {
            String name = e.getKey();
            if (name.equals("ChangeEventHeader")) {
                continue;
            }
            if (e.getValue() instanceof Map<?, ?> compound) {
                for (Map.Entry<?, ?> c : compound.entrySet()) {
                    out.put(componentField(name, String.valueOf(c.getKey())), c.getValue());
                }
            } else {
                out.put(name, e.getValue());
            }
        }
        return out;
    }

    /** BillingAddress + Street -> BillingStreet; Name + FirstName -> FirstName. */
    public static String componentField(String compound, String component) {
        if (compound.endsWith("Address")) {
            return compound.substring(0, compound.length() - "Address".length()) + component;
        }
        return component;
    }

    /** {@code com/salesforce/api/rest/61.0;client=sluice} -> {@code sluice}; null when absent. */
    public static String clientOf(String changeOrigin) {
        if (changeOrigin == null) {
            return null;
        }
        int i = changeOrigin.indexOf(";client=");
        if (i < 0) {
            return null;
        }
        String client = changeOrigin.substring(i + ";client=".length());
        int end = client.indexOf(';');
        return end < 0 ? client : client.substring(0, end);
    }

    private static String text(Map<String, Object> m, String key) {
        Object v = m.get(key);
        return v == null ? null : v.toString();
    }

    /** An event that cannot be understood: dead-lettered with its payload, never applied. */
    public static final class MalformedEventException extends RuntimeException {
        public MalformedEventException(String message) {
            super(message);
        }
    }
}
