package sync.apply;

import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import sync.change.Change;

import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A change as the JSON payload of a dead letter, and back: every component, field values in
 * their Salesforce JSON form, numbers with their exact decimals.
 */
public final class ChangeJson {
    private static final ObjectMapper JSON = new ObjectMapper()
            .enable(DeserializationFeature.USE_BIG_DECIMAL_FOR_FLOATS)
            .enable(JsonGenerator.Feature.WRITE_BIGDECIMAL_AS_PLAIN);

    private ChangeJson() {
    }

    public static String toJson(Change c) {
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("mapping", c.mapping());
        out.put("origin", c.origin().name());
        out.put("op", c.op().name());
        out.put("sfid", c.sfid());
        out.put("pgKey", c.pgKey());
        Map<String, Object> fields = new LinkedHashMap<>();
        c.fields().forEach((k, v) -> fields.put(k, jsonValue(v)));
        out.put("fields", fields);
        out.put("commitTime", c.commitTime() == null ? null : c.commitTime().toString());
        out.put("position", c.position());
        if (c.transaction() != null) {
            Map<String, Object> tx = new LinkedHashMap<>();
            tx.put("key", c.transaction().key());
            tx.put("sequence", c.transaction().sequence());
            out.put("transaction", tx);
        } else {
            out.put("transaction", null);
        }
        out.put("clientOrigin", c.clientOrigin());
        try {
            return JSON.writeValueAsString(out);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("cannot write change of record " + c.sfid() + " as JSON", e);
        }
    }

    @SuppressWarnings("unchecked")
    public static Change fromJson(String json) {
        Map<String, Object> in;
        try {
            in = JSON.readValue(json, Map.class);
        } catch (JsonProcessingException e) {
            throw new IllegalArgumentException("not a change payload: " + e.getOriginalMessage(), e);
        }
        if (!(in.get("origin") instanceof String) || !(in.get("op") instanceof String)) {
            Object kind = in.get("kind");
            throw new IllegalArgumentException("not a change payload" + (kind == null ? "" : " but a " + kind)
                    + ": it has no origin and op");
        }
        Map<String, Object> tx = (Map<String, Object>) in.get("transaction");
        Object commitTime = in.get("commitTime");
        return new Change((String) in.get("mapping"), Change.Origin.valueOf((String) in.get("origin")),
                Change.Op.valueOf((String) in.get("op")), (String) in.get("sfid"), (String) in.get("pgKey"),
                (Map<String, Object>) in.get("fields"), commitTime == null ? null : Instant.parse(commitTime.toString()),
                (String) in.get("position"),
                tx == null ? null : new Change.Transaction((String) tx.get("key"), ((Number) tx.get("sequence")).intValue()),
                (String) in.get("clientOrigin"));
    }

    private static Object jsonValue(Object v) {
        if (v instanceof String s && s.indexOf('\0') >= 0) {
            // jsonb refuses the NUL character: spell it out rather than lose the dead letter
            return s.replace("\0", "\\u0000");
        }
        if (v == null || v instanceof String || v instanceof Number || v instanceof Boolean) {
            return v;
        }
        if (v instanceof Map<?, ?> m) {
            Map<String, Object> out = new LinkedHashMap<>();
            m.forEach((k, x) -> out.put(String.valueOf(k), jsonValue(x)));
            return out;
        }
        if (v instanceof List<?> l) {
            return l.stream().map(ChangeJson::jsonValue).toList();
        }
        if (v instanceof Object[] a) {
            return java.util.Arrays.stream(a).map(ChangeJson::jsonValue).toList();
        }
        return v.toString();
    }
}
