package sync.salesforce;

import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.apache.camel.ProducerTemplate;

import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
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
 *
 * <p>{@link #composite} sends up to {@value #MAX_COMPOSITE_COLLECTIONS} such calls as subrequests
 * of one Composite call, which counts once against the org's API limit.
 */
public final class SObjectWriter {
    public static final int MAX_RECORDS = 200;
    /** sObject Collections (or query) subrequests Salesforce takes in one Composite call (of 25 subrequests in all). */
    public static final int MAX_COMPOSITE_COLLECTIONS = 5;
    private static final String REFERENCE = "call_";
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
        return send(createCall(object, records));
    }

    /** Updates the records; each holds its {@code Id} and the fields to set (null clears a field). */
    public List<WriteResult> update(String object, List<Map<String, Object>> records) {
        return send(updateCall(object, records));
    }

    /**
     * Inserts or updates the records matched by {@code externalIdField}, which each record holds;
     * {@code created} tells which happened.
     */
    public List<WriteResult> upsert(String object, String externalIdField, List<Map<String, Object>> records) {
        return send(upsertCall(object, externalIdField, records));
    }

    /** Deletes the records with these Ids (of any objects). */
    public List<WriteResult> delete(List<String> ids) {
        return send(deleteCall(ids));
    }

    /** The sObject Collections call {@link #create} makes, to send in {@link #composite}. */
    public Collection createCall(String object, List<Map<String, Object>> records) {
        name(object);
        checkSize(records);
        return new Collection("create " + object, "POST", collections, Map.of(), body(object, records), records.size(), true);
    }

    /** The sObject Collections call {@link #update} makes, to send in {@link #composite}. */
    public Collection updateCall(String object, List<Map<String, Object>> records) {
        name(object);
        checkSize(records);
        for (Map<String, Object> r : records) {
            if (r.get("Id") == null) {
                throw new IllegalArgumentException("Every record to update needs its Id: " + r.keySet());
            }
        }
        return new Collection("update " + object, "PATCH", collections, Map.of(), body(object, records), records.size(), false);
    }

    /** The sObject Collections call {@link #upsert} makes, to send in {@link #composite}. */
    public Collection upsertCall(String object, String externalIdField, List<Map<String, Object>> records) {
        String path = collections + "/" + name(object) + "/" + name(externalIdField);
        checkSize(records);
        return new Collection("upsert " + object + " by " + externalIdField, "PATCH", path, Map.of(), body(object, records),
                records.size(), false);
    }

    /** The sObject Collections call {@link #delete} makes, to send in {@link #composite}. */
    public Collection deleteCall(List<String> ids) {
        checkSize(ids);
        for (String id : ids) {
            if (id == null || !ID.matcher(id).matches()) {
                throw new IllegalArgumentException("Not a Salesforce Id: '" + id + "'");
            }
        }
        Map<String, String> query = new LinkedHashMap<>();
        query.put("ids", String.join(",", ids));
        query.put("allOrNone", "false");
        return new Collection("delete " + ids.size() + " records", "DELETE", collections, query, null, ids.size(), false);
    }

    /**
     * Sends several sObject Collections calls as one Composite call ({@code allOrNone=false},
     * executed in order, one call against the API limit): one {@link Outcome} per call, in order.
     * Each subrequest succeeds or fails alone; a failed one is an outcome with the exception the
     * same call made directly would have thrown. Calls with no records get empty results without
     * being sent. A failure of the Composite call itself is thrown as from {@link #create}.
     *
     * @param calls at most {@value #MAX_COMPOSITE_COLLECTIONS}: Salesforce takes no more sObject
     *              Collections subrequests in one Composite call
     */
    public List<Outcome> composite(List<Collection> calls) {
        if (calls == null || calls.size() > MAX_COMPOSITE_COLLECTIONS) {
            throw new IllegalArgumentException("A Composite call takes 0 to " + MAX_COMPOSITE_COLLECTIONS
                    + " sObject Collections calls, not " + (calls == null ? "null" : calls.size()));
        }
        List<Map<String, Object>> subrequests = new ArrayList<>();
        for (int i = 0; i < calls.size(); i++) {
            Collection c = calls.get(i);
            if (c.count() == 0) {
                continue;
            }
            Map<String, Object> sub = new LinkedHashMap<>();
            sub.put("method", c.method());
            sub.put("url", c.path() + queryString(c.query()));
            sub.put("referenceId", REFERENCE + i);
            if (c.body() != null) {
                sub.put("body", c.body());
            }
            subrequests.add(sub);
        }
        List<Outcome> outcomes = new ArrayList<>(calls.size());
        if (subrequests.isEmpty()) {
            calls.forEach(c -> outcomes.add(new Outcome(List.of(), null)));
            return outcomes;
        }
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("allOrNone", false);
        // Collated subrequests may run in any order; ours must run in the order given.
        body.put("collateSubrequests", false);
        body.put("compositeRequest", subrequests);
        String call = "composite of " + subrequests.size() + " sObject Collections calls";
        JsonNode answer = call(call, "POST", raw.path("/composite"), Map.of(), body);
        Map<String, JsonNode> byReference = new HashMap<>();
        answer.path("compositeResponse").forEach(r -> byReference.put(r.path("referenceId").asText(), r));
        for (int i = 0; i < calls.size(); i++) {
            Collection c = calls.get(i);
            if (c.count() == 0) {
                outcomes.add(new Outcome(List.of(), null));
                continue;
            }
            JsonNode r = byReference.get(REFERENCE + i);
            if (r == null) {
                throw new IllegalStateException("Salesforce's Composite answer has no result for subrequest " + REFERENCE + i
                        + " (" + c.name() + "): " + RawCalls.abbreviate(answer.toString()));
            }
            int status = r.path("httpStatusCode").asInt(0);
            JsonNode result = r.path("body");
            if (status >= 200 && status < 300) {
                outcomes.add(new Outcome(results(result, c.count(), c.createdOnSuccess()), null));
            } else {
                outcomes.add(new Outcome(null, SalesforceErrors.callFailed(c.name() + " (in a Composite call)", status,
                        RawCalls.errors(result.toString()), null)));
            }
        }
        return outcomes;
    }

    /** The org's API usage as the latest answer reported it; empty before the first call. */
    public Optional<ApiUsage> apiUsage() {
        return raw.apiUsage();
    }

    /**
     * One sObject Collections call, ready to send directly or as a Composite subrequest.
     *
     * @param count            records in the call (results expected)
     * @param createdOnSuccess what "created" means when a result omits it
     */
    public record Collection(String name, String method, String path, Map<String, String> query, Object body, int count,
                             boolean createdOnSuccess) {
    }

    /** The outcome of one call of a Composite call: its results in record order, or why it failed as a whole. */
    public record Outcome(List<WriteResult> results, RuntimeException failure) {
        /** The results, or the failure thrown ({@link SalesforceUnavailableException} or {@link SalesforceRejectedException}). */
        public List<WriteResult> resultsOrThrow() {
            if (failure != null) {
                throw failure;
            }
            return results;
        }
    }

    private List<WriteResult> send(Collection c) {
        if (c.count() == 0) {
            return List.of();
        }
        return results(call(c.name(), c.method(), c.path(), c.query(), c.body()), c.count(), c.createdOnSuccess());
    }

    private static Map<String, Object> body(String type, List<Map<String, Object>> records) {
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
        return body;
    }

    private JsonNode call(String call, String method, String path, Map<String, String> query, Object body) {
        byte[] json = body == null ? null : serialize(body);
        return RawCalls.json(call, raw.call(call, method, path, query, Map.of(), json));
    }

    private static String queryString(Map<String, String> query) {
        if (query.isEmpty()) {
            return "";
        }
        StringBuilder q = new StringBuilder();
        query.forEach((k, v) -> q.append(q.length() == 0 ? '?' : '&').append(URLEncoder.encode(k, StandardCharsets.UTF_8))
                .append('=').append(URLEncoder.encode(v, StandardCharsets.UTF_8)));
        return q.toString();
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
