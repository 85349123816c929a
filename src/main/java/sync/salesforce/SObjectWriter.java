package sync.salesforce;

import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.apache.camel.ProducerTemplate;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * Writes records to Salesforce through sObject Collections (create, update, upsert by external
 * id, delete; at most {@value #MAX_RECORDS} per call, {@code allOrNone=false} so each record
 * succeeds or fails alone), sent by camel-salesforce's {@code raw} operation: login, token
 * refresh and the re-login and replay on an expired session are the component's.
 *
 * <p>Every call carries {@code Sforce-Call-Options: client=<clientName>}, which Salesforce copies
 * into the change events of the records written ({@code changeOrigin ...;client=<clientName>}):
 * that is how Sluice recognises its own writes coming back. Values go out as given (Salesforce
 * JSON form); a null value is sent as JSON null and so clears the field.
 *
 * <p>Results come back in the order of the records. Per-record failures are results with
 * Salesforce's codes ({@link WriteResult#retriable()} tells a lock from a bad record); a failed
 * call is a {@link SalesforceUnavailableException} (retry it) or a
 * {@link SalesforceRejectedException} (it would fail again), as {@link SalesforceErrors} decides.
 * A create whose answer was lost may have been applied: prefer upsert by an external id where a
 * retry must not duplicate records.
 */
public final class SObjectWriter {
    public static final int MAX_RECORDS = 200;
    private static final ObjectMapper JSON = new ObjectMapper().enable(JsonGenerator.Feature.WRITE_BIGDECIMAL_AS_PLAIN);
    private static final Pattern NAME = Pattern.compile("[A-Za-z][A-Za-z0-9_]*");
    private static final Pattern ID = Pattern.compile("[A-Za-z0-9]{15}([A-Za-z0-9]{3})?");

    private final RawCalls raw;
    private final String collections;

    /**
     * @param template   a template of the Camel context holding the {@code salesforce} component
     * @param apiVersion the REST API version, e.g. {@code 61.0} (upsert needs 46.0 or later)
     * @param clientName the name sent as {@code client=} in {@code Sforce-Call-Options}
     */
    public SObjectWriter(ProducerTemplate template, String apiVersion, String clientName) {
        this.raw = new RawCalls(template, apiVersion, clientName);
        this.collections = raw.path("/composite/sobjects");
    }

    /** Creates the records (field maps without attributes or Id); successful results have {@code created} true. */
    public List<WriteResult> create(String object, List<Map<String, Object>> records) {
        name(object);
        checkSize(records);
        if (records.isEmpty()) {
            return List.of();
        }
        return results(write("create " + object, "POST", collections, object, records), records.size(), true);
    }

    /** Updates the records; each holds its {@code Id} and the fields to set (null clears a field). */
    public List<WriteResult> update(String object, List<Map<String, Object>> records) {
        name(object);
        checkSize(records);
        for (Map<String, Object> r : records) {
            if (r.get("Id") == null) {
                throw new IllegalArgumentException("Every record to update needs its Id: " + r.keySet());
            }
        }
        if (records.isEmpty()) {
            return List.of();
        }
        return results(write("update " + object, "PATCH", collections, object, records), records.size(), false);
    }

    /**
     * Inserts or updates the records matched by {@code externalIdField}, which each record holds;
     * {@code created} tells which happened.
     */
    public List<WriteResult> upsert(String object, String externalIdField, List<Map<String, Object>> records) {
        String path = collections + "/" + name(object) + "/" + name(externalIdField);
        checkSize(records);
        if (records.isEmpty()) {
            return List.of();
        }
        return results(write("upsert " + object + " by " + externalIdField, "PATCH", path, object, records),
                records.size(), false);
    }

    /** Deletes the records with these Ids (of any objects). */
    public List<WriteResult> delete(List<String> ids) {
        checkSize(ids);
        for (String id : ids) {
            if (id == null || !ID.matcher(id).matches()) {
                throw new IllegalArgumentException("Not a Salesforce Id: '" + id + "'");
            }
        }
        if (ids.isEmpty()) {
            return List.of();
        }
        Map<String, String> query = new LinkedHashMap<>();
        query.put("ids", String.join(",", ids));
        query.put("allOrNone", "false");
        return results(call("delete " + ids.size() + " records", "DELETE", collections, query, null), ids.size(), false);
    }

    /** The org's API usage as the latest answer reported it; empty before the first call. */
    public Optional<ApiUsage> apiUsage() {
        return raw.apiUsage();
    }

    private JsonNode write(String call, String method, String path, String type, List<Map<String, Object>> records) {
        List<Map<String, Object>> typed = new ArrayList<>(records.size());
        for (Map<String, Object> r : records) {
            if (r.containsKey("attributes")) {
                throw new IllegalArgumentException("Records are field maps; the writer adds attributes: " + r.keySet());
            }
            Map<String, Object> t = new LinkedHashMap<>();
            t.put("attributes", Map.of("type", type));
            t.putAll(r);
            typed.add(t);
        }
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("allOrNone", false);
        body.put("records", typed);
        return call(call, method, path, Map.of(), body);
    }

    private JsonNode call(String call, String method, String path, Map<String, String> query, Object body) {
        byte[] json = body == null ? null : serialize(body);
        return RawCalls.json(call, raw.call(call, method, path, query, Map.of(), json));
    }

    /** One result per record, in order. {@code createdOnSuccess}: what "created" means when the answer omits it. */
    private static List<WriteResult> results(JsonNode answer, int expected, boolean createdOnSuccess) {
        if (!answer.isArray() || answer.size() != expected) {
            throw new IllegalStateException("Salesforce answered " + (answer.isArray() ? answer.size() + " results" : "no result list")
                    + " for " + expected + " records: " + RawCalls.abbreviate(answer.toString()));
        }
        List<WriteResult> out = new ArrayList<>(expected);
        for (JsonNode r : answer) {
            boolean success = r.path("success").asBoolean(false);
            String id = r.hasNonNull("id") ? r.get("id").asText() : null;
            boolean created = r.has("created") ? r.get("created").asBoolean() : success && createdOnSuccess;
            List<SalesforceError> errors = new ArrayList<>();
            r.path("errors").forEach(err -> errors.add(RawCalls.error(err)));
            out.add(new WriteResult(success, id, created, errors));
        }
        return out;
    }

    private static byte[] serialize(Object body) {
        try {
            return JSON.writeValueAsBytes(body);
        } catch (JsonProcessingException e) {
            throw new IllegalArgumentException("Record values must be Salesforce JSON values (strings, numbers, booleans, null): "
                    + e.getOriginalMessage(), e);
        }
    }

    private static void checkSize(List<?> items) {
        if (items == null || items.size() > MAX_RECORDS) {
            throw new IllegalArgumentException("sObject Collections take 0 to " + MAX_RECORDS + " records, not "
                    + (items == null ? "null" : items.size()));
        }
    }

    static String name(String n) {
        if (n == null || !NAME.matcher(n).matches()) {
            throw new IllegalArgumentException("Not a Salesforce API name: '" + n + "'");
        }
        return n;
    }
}
