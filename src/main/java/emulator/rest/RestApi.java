package emulator.rest;

import com.fasterxml.jackson.databind.JsonNode;
import emulator.SalesforceEmulator;
import emulator.auth.RequestAuth;
import emulator.auth.Sessions;
import emulator.http.ApiException;
import emulator.http.Json;
import emulator.http.Request;
import emulator.http.Response;
import emulator.model.FieldDef;
import emulator.model.ObjectDef;
import emulator.model.SalesforceIds;
import emulator.model.Values;
import emulator.store.WriteContext;

import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The REST API under {@code /services/data}: versions, resources, describeGlobal, describe,
 * sObject rows (create, retrieve, update, upsert by external id, delete), query/queryAll with
 * paging, sObject Collections and limits. Every authenticated response carries
 * {@code Sforce-Limit-Info}; every call is counted and may meet an injected fault.
 */
public final class RestApi {
    private static final Pattern VERSIONED = Pattern.compile("^/services/data/v(\\d{2,3}\\.\\d)(/.*)?$");
    private static final int OLDEST_VERSION = 20;

    private final SalesforceEmulator org;
    private final QueryApi query;
    private final CollectionsApi collections;
    private final CompositeApi composite;
    private final emulator.bulk.BulkApi bulk;

    public RestApi(SalesforceEmulator org) {
        this.org = org;
        this.query = new QueryApi(org);
        this.collections = new CollectionsApi(org, this);
        this.composite = new CompositeApi(this);
        this.bulk = new emulator.bulk.BulkApi(org);
    }

    public Response handle(Request request) {
        String path = request.path();
        if (path.equals("/services/data")) {
            return versions();
        }
        Matcher m = VERSIONED.matcher(path);
        if (!m.matches()) {
            throw ApiException.notFound();
        }
        String version = m.group(1);
        double v = Double.parseDouble(version);
        if (v < OLDEST_VERSION || v > Double.parseDouble(org.options().latestApiVersion())) {
            throw ApiException.notFound();
        }
        String rest = m.group(2) == null ? "" : m.group(2);
        String key = endpointKey(request.method(), rest);
        Sessions.Session session = org.sessions().validate(RequestAuth.token(request));
        if (session == null) {
            // Rejected before any work is done: not counted against the daily API limit.
            org.counters().count("auth.rejected.rest");
            throw new ApiException(401, "INVALID_SESSION_ID", "Session expired or invalid");
        }
        org.counters().count(key);
        Response response;
        try {
            org.faults().check(key);
            response = route(request, rest, version, session);
        } catch (ApiException e) {
            response = emulator.http.HttpHost.Errors.rest(e);
        }
        return response.header("Sforce-Limit-Info", "api-usage=" + org.counters().apiRequests() + "/"
                + org.options().dailyApiRequests());
    }

    private Response route(Request request, String rest, String version, Sessions.Session session) {
        String method = effectiveMethod(request);
        String[] seg = rest.isEmpty() ? new String[0] : rest.substring(1).split("/");
        WriteContext ctx = new WriteContext(session.userId(), "rest", version, callOptionsClient(request));
        if (seg.length == 0) {
            return Response.json(200, resources(version));
        }
        switch (seg[0]) {
            case "sobjects" -> {
                return sobjects(request, method, seg, version, ctx);
            }
            case "query", "queryAll" -> {
                requireMethod(method, "GET");
                if (seg.length == 2) {
                    return query.more(Request.decode(seg[1]), version);
                }
                if (seg.length > 2) {
                    throw ApiException.notFound();
                }
                return query.run(request, seg[0].equals("queryAll"), version);
            }
            case "composite" -> {
                if (seg.length >= 2 && seg[1].equals("sobjects")) {
                    return collections.handle(request, method, seg, version, ctx);
                }
                if (seg.length == 1) {
                    requireMethod(method, "POST");
                    return composite.handle(request, session);
                }
                throw ApiException.notFound();
            }
            case "limits" -> {
                requireMethod(method, "GET");
                return Response.json(200, Limits.body(org));
            }
            case "jobs" -> {
                return bulk.handle(request, method, seg, version, ctx);
            }
            default -> throw ApiException.notFound();
        }
    }

    /**
     * One subrequest of a Composite call, as the outer call's user: counted under
     * {@code composite.<its endpoint key>} (not against the API limit: the outer call counts once)
     * and subject to faults injected on that key. Only sObject, sObject Collections and query
     * resources may be subrequests; anything else is 404, as for an unknown resource.
     */
    Response subrequest(Request request, Sessions.Session session) {
        Matcher m = VERSIONED.matcher(request.path());
        if (!m.matches()) {
            return emulator.http.HttpHost.Errors.rest(ApiException.notFound());
        }
        String version = m.group(1);
        double v = Double.parseDouble(version);
        String rest = m.group(2) == null ? "" : m.group(2);
        String[] seg = rest.isEmpty() ? new String[0] : rest.substring(1).split("/");
        boolean supported = seg.length > 0 && (seg[0].equals("sobjects") || seg[0].equals("query") || seg[0].equals("queryAll")
                || (seg[0].equals("composite") && seg.length >= 2 && seg[1].equals("sobjects")));
        if (!supported || v < OLDEST_VERSION || v > Double.parseDouble(org.options().latestApiVersion())) {
            return emulator.http.HttpHost.Errors.rest(ApiException.notFound());
        }
        String key = CompositeApi.COUNTER_PREFIX + endpointKey(effectiveMethod(request), rest);
        org.counters().count(key);
        try {
            org.faults().check(key);
            return route(request, rest, version, session);
        } catch (ApiException e) {
            return emulator.http.HttpHost.Errors.rest(e);
        }
    }

    private Response sobjects(Request request, String method, String[] seg, String version, WriteContext ctx) {
        if (seg.length == 1) {
            requireMethod(method, "GET");
            return Response.json(200, Describe.global(org.schema(), version));
        }
        ObjectDef o = object(Request.decode(seg[1]));
        if (seg.length == 2) {
            if (method.equals("GET")) {
                return Response.json(200, Describe.basicInfo(o, version));
            }
            requireMethod(method, "POST");
            Map<String, Object> values = fields(o, Json.parse(request.body()), true);
            String id = org.store().transaction(ctx, tx -> tx.create(o, values));
            return Response.json(201, saveResult(id, null));
        }
        if (seg.length == 3 && seg[2].equals("describe")) {
            requireMethod(method, "GET");
            return Response.json(200, Describe.describe(o, version));
        }
        if (seg.length == 3) {
            String id = id(o, Request.decode(seg[2]));
            return switch (method) {
                case "GET" -> retrieve(o, id, request.param("fields"), version);
                case "PATCH" -> {
                    Map<String, Object> values = fields(o, Json.parse(request.body()), false);
                    org.store().transaction(ctx, tx -> tx.update(o, id, values));
                    yield Response.noContent();
                }
                case "DELETE" -> {
                    org.store().transaction(ctx, tx -> {
                        tx.delete(o, id);
                        return null;
                    });
                    yield Response.noContent();
                }
                default -> throw methodNotAllowed(method);
            };
        }
        if (seg.length == 4) {
            FieldDef ext = o.field(Request.decode(seg[2]));
            if (ext == null || !(ext.externalId() || ext.name().equals("Id"))) {
                throw ApiException.notFound();
            }
            String value = Request.decode(seg[3]);
            return switch (method) {
                case "PATCH" -> upsert(request, o, ext, value, version, ctx);
                case "GET" -> {
                    List<String> ids = matches(o, ext, value);
                    if (ids.isEmpty()) {
                        throw ApiException.notFound();
                    }
                    if (ids.size() > 1) {
                        yield multipleChoices(o, ids, version);
                    }
                    yield retrieve(o, ids.get(0), request.param("fields"), version);
                }
                case "DELETE" -> {
                    List<String> ids = matches(o, ext, value);
                    if (ids.isEmpty()) {
                        throw ApiException.notFound();
                    }
                    if (ids.size() > 1) {
                        yield multipleChoices(o, ids, version);
                    }
                    org.store().transaction(ctx, tx -> {
                        tx.delete(o, ids.get(0));
                        return null;
                    });
                    yield Response.noContent();
                }
                default -> throw methodNotAllowed(method);
            };
        }
        throw ApiException.notFound();
    }

    private Response upsert(Request request, ObjectDef o, FieldDef ext, String value, String version, WriteContext ctx) {
        JsonNode body = Json.parse(request.body());
        Map<String, Object> values = fields(o, body, true);
        boolean updateOnly = "true".equalsIgnoreCase(request.param("updateOnly"));
        UpsertOutcome outcome = org.store().transaction(ctx, tx -> upsertOne(tx, o, ext, value, values, updateOnly));
        if (outcome.ambiguous != null) {
            return multipleChoices(o, outcome.ambiguous, version);
        }
        boolean modern = Double.parseDouble(version) >= 46.0;
        if (!outcome.created && !modern) {
            return Response.noContent();
        }
        Map<String, Object> result = saveResult(outcome.id, null);
        if (modern) {
            result.put("created", outcome.created);
        }
        return Response.json(outcome.created ? 201 : 200, result);
    }

    /** The outcome of one upsert: created or updated Id, or the ambiguous matches. */
    record UpsertOutcome(String id, boolean created, List<String> ambiguous) {
    }

    UpsertOutcome upsertOne(emulator.store.OrgStore.Tx tx, ObjectDef o, FieldDef ext, String value,
                            Map<String, Object> values, boolean updateOnly) {
        if (ext.name().equals("Id")) {
            if (value == null || value.isEmpty()) {
                return new UpsertOutcome(tx.create(o, values), true, null);
            }
            String id = id(o, value);
            tx.update(o, id, values);
            return new UpsertOutcome(id, false, null);
        }
        Object key = Values.coerce(o, ext, Json.MAPPER.getNodeFactory().textNode(value));
        List<String> ids = tx.findBy(o, ext.name(), key);
        if (ids.size() > 1) {
            return new UpsertOutcome(null, false, ids);
        }
        Object inBody = values.get(ext.name());
        if (inBody != null && !inBody.toString().equalsIgnoreCase(key.toString())) {
            throw new ApiException(400, "INVALID_FIELD", "Field " + ext.name()
                    + " in the request body does not match the external ID value in the URL", List.of(ext.name()));
        }
        if (ids.isEmpty()) {
            if (updateOnly) {
                throw ApiException.notFound();
            }
            Map<String, Object> withKey = new LinkedHashMap<>(values);
            withKey.put(ext.name(), key);
            return new UpsertOutcome(tx.create(o, withKey), true, null);
        }
        Map<String, Object> update = new LinkedHashMap<>(values);
        update.remove(ext.name());
        checkUpdateable(o, update);
        tx.update(o, ids.get(0), update);
        return new UpsertOutcome(ids.get(0), false, null);
    }

    private List<String> matches(ObjectDef o, FieldDef ext, String value) {
        if (ext.name().equals("Id")) {
            return List.of(id(o, value));
        }
        Object key = Values.coerce(o, ext, Json.MAPPER.getNodeFactory().textNode(value));
        return org.store().transaction(new WriteContext(org.userId(), null, null, null), tx -> tx.findBy(o, ext.name(), key));
    }

    private Response multipleChoices(ObjectDef o, List<String> ids, String version) {
        List<String> urls = new ArrayList<>();
        for (String id : ids) {
            urls.add("/services/data/v" + version + "/sobjects/" + o.name() + "/" + id);
        }
        return Response.json(300, urls);
    }

    private Response retrieve(ObjectDef o, String id, String fieldsCsv, String version) {
        Map<String, Object> r = org.store().find(o, id);
        if (r == null) {
            throw ApiException.notFound();
        }
        if (Boolean.TRUE.equals(r.get("IsDeleted"))) {
            throw new ApiException(404, "ENTITY_IS_DELETED", "entity is deleted", List.of());
        }
        Response response = Response.json(200, Records.render(o, r, Records.fieldList(o, fieldsCsv), version));
        return response.header("Last-Modified", java.time.format.DateTimeFormatter.RFC_1123_DATE_TIME
                .format(((java.time.Instant) r.get("LastModifiedDate")).atZone(java.time.ZoneOffset.UTC)));
    }

    ObjectDef object(String name) {
        ObjectDef o = org.schema().object(name);
        if (o == null) {
            throw new ApiException(404, "NOT_FOUND", "The requested resource does not exist");
        }
        return o;
    }

    /** A record Id from a URL or body: malformed or of another object's key prefix is MALFORMED_ID. */
    String id(ObjectDef o, String raw) {
        String id = SalesforceIds.normalize(raw);
        if (id == null || !id.startsWith(o.keyPrefix())) {
            throw new ApiException(400, "MALFORMED_ID", o.label() + " ID: id value of incorrect type: " + raw, List.of("Id"));
        }
        return id;
    }

    /**
     * Reads DML field values from a JSON body: unknown fields are INVALID_FIELD, fields that are
     * not createable (create) / updateable (update) are INVALID_FIELD_FOR_INSERT_UPDATE.
     */
    Map<String, Object> fields(ObjectDef o, JsonNode body, boolean create) {
        if (!body.isObject()) {
            throw new ApiException(400, "JSON_PARSER_ERROR", "Cannot deserialize instance of " + o.name()
                    + " from " + (body.isArray() ? "START_ARRAY" : "VALUE_STRING") + " value");
        }
        Map<String, Object> values = new LinkedHashMap<>();
        List<String> readOnly = new ArrayList<>();
        Iterator<Map.Entry<String, JsonNode>> it = body.fields();
        while (it.hasNext()) {
            Map.Entry<String, JsonNode> e = it.next();
            String name = e.getKey();
            if (name.equals("attributes")) {
                continue;
            }
            FieldDef f = o.field(name);
            if (f == null) {
                throw new ApiException(400, "INVALID_FIELD", "No such column '" + name + "' on sobject of type " + o.name());
            }
            if (f.name().equals("Id")) {
                if (create) {
                    throw new ApiException(400, "INVALID_FIELD", "The Id field should not be specified in the sobject data.");
                }
                continue;
            }
            if (create ? !f.createable() : !f.updateable()) {
                readOnly.add(f.name());
                continue;
            }
            values.put(f.name(), Values.coerce(o, f, e.getValue()));
        }
        if (!readOnly.isEmpty()) {
            throw new ApiException(400, "INVALID_FIELD_FOR_INSERT_UPDATE", "Unable to create/update fields: "
                    + String.join(", ", readOnly) + ". Please check the security settings of this field and verify that "
                    + "it is read/write for your profile or permission set.", readOnly);
        }
        return values;
    }

    void checkUpdateable(ObjectDef o, Map<String, Object> values) {
        List<String> readOnly = values.keySet().stream().filter(n -> !o.field(n).updateable()).toList();
        if (!readOnly.isEmpty()) {
            throw new ApiException(400, "INVALID_FIELD_FOR_INSERT_UPDATE", "Unable to create/update fields: "
                    + String.join(", ", readOnly) + ". Please check the security settings of this field and verify that "
                    + "it is read/write for your profile or permission set.", readOnly);
        }
    }

    static Map<String, Object> saveResult(String id, List<Map<String, Object>> errors) {
        Map<String, Object> r = new LinkedHashMap<>();
        if (id != null) {
            r.put("id", id);
        }
        r.put("success", errors == null || errors.isEmpty());
        r.put("errors", errors == null ? List.of() : errors);
        return r;
    }

    private Response versions() {
        List<Object> out = new ArrayList<>();
        int latest = (int) Double.parseDouble(org.options().latestApiVersion());
        for (int v = OLDEST_VERSION; v <= latest; v++) {
            Map<String, Object> entry = new LinkedHashMap<>();
            entry.put("label", release(v));
            entry.put("url", "/services/data/v" + v + ".0");
            entry.put("version", v + ".0");
            out.add(entry);
        }
        return Response.json(200, out);
    }

    /** Release names: three a year, API 20.0 was Winter '11. */
    private static String release(int version) {
        int index = version - 20;
        String[] seasons = {"Winter", "Spring", "Summer"};
        int year = 11 + (index + 0) / 3;
        return seasons[index % 3] + " '" + String.format("%02d", year);
    }

    private Map<String, Object> resources(String version) {
        String base = "/services/data/v" + version;
        Map<String, Object> r = new LinkedHashMap<>();
        r.put("sobjects", base + "/sobjects");
        r.put("query", base + "/query");
        r.put("queryAll", base + "/queryAll");
        r.put("composite", base + "/composite");
        r.put("limits", base + "/limits");
        r.put("identity", org.baseUrl() + "/id/" + SalesforceEmulator.ORG_ID + "/" + org.userId());
        return r;
    }

    private static String effectiveMethod(Request request) {
        String override = request.param("_HttpMethod");
        if (request.method().equals("POST") && override != null) {
            return override.toUpperCase(java.util.Locale.ROOT);
        }
        return request.method();
    }

    /** {@code Sforce-Call-Options: client=sluice, defaultNamespace=x} -> "sluice". */
    static String callOptionsClient(Request request) {
        String header = request.header("Sforce-Call-Options");
        if (header == null) {
            return null;
        }
        for (String part : header.split(",")) {
            String p = part.trim();
            if (p.startsWith("client=")) {
                return p.substring("client=".length()).trim();
            }
        }
        return null;
    }

    static void requireMethod(String method, String expected) {
        if (!method.equals(expected)) {
            throw methodNotAllowed(method);
        }
    }

    static ApiException methodNotAllowed(String method) {
        return new ApiException(405, "METHOD_NOT_ALLOWED", "HTTP Method '" + method + "' not allowed. Allowed are GET,HEAD,POST,PATCH,DELETE");
    }

    /** Endpoint keys for counters and faults, e.g. rest.sobject.create, rest.composite.sobjects.update. */
    static String endpointKey(String method, String rest) {
        String[] seg = rest.isEmpty() ? new String[0] : rest.substring(1).split("/");
        if (seg.length == 0) {
            return "rest.resources";
        }
        return switch (seg[0]) {
            case "sobjects" -> seg.length == 1 ? "rest.describeGlobal"
                    : seg.length == 2 ? (method.equals("POST") ? "rest.sobject.create" : "rest.sobject.basicInfo")
                    : seg.length == 3 && seg[2].equals("describe") ? "rest.sobject.describe"
                    : switch (method) {
                        case "GET" -> "rest.sobject.retrieve";
                        case "DELETE" -> "rest.sobject.delete";
                        default -> seg.length == 4 ? "rest.sobject.upsert" : "rest.sobject.update";
                    };
            case "query", "queryAll" -> seg.length == 2 ? "rest.query.more" : "rest." + seg[0];
            case "composite" -> seg.length >= 2 && seg[1].equals("sobjects") ? "rest.composite.sobjects." + switch (method) {
                case "POST" -> seg.length == 2 ? "create" : "retrieve";
                case "PATCH" -> seg.length == 2 ? "update" : "upsert";
                case "DELETE" -> "delete";
                default -> "retrieve";
            } : "rest.composite";
            case "limits" -> "rest.limits";
            case "jobs" -> emulator.bulk.BulkApi.endpointKey(method, seg);
            default -> "rest.other";
        };
    }
}
