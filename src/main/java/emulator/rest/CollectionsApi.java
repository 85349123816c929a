package emulator.rest;

import com.fasterxml.jackson.databind.JsonNode;
import emulator.SalesforceEmulator;
import emulator.http.ApiException;
import emulator.http.Json;
import emulator.http.Request;
import emulator.http.Response;
import emulator.model.FieldDef;
import emulator.model.ObjectDef;
import emulator.model.SalesforceIds;
import emulator.store.OrgStore;
import emulator.store.WriteContext;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.BiFunction;

/**
 * sObject Collections ({@code /composite/sobjects}): create, update, upsert, delete and retrieve
 * up to 200 records in one call and one transaction. With allOrNone=false each record succeeds
 * or fails alone (errors use {@code statusCode}); with allOrNone=true one failure rolls all back.
 */
final class CollectionsApi {
    static final int MAX_RECORDS = 200;
    private static final String ROLLED_BACK = "Record rolled back because not all records were valid and the request was using AllOrNone header";

    private final SalesforceEmulator org;
    private final RestApi rest;

    CollectionsApi(SalesforceEmulator org, RestApi rest) {
        this.org = org;
        this.rest = rest;
    }

    Response handle(Request request, String method, String[] seg, String version, WriteContext ctx) {
        if (seg.length == 2) {
            return switch (method) {
                case "POST" -> write(request, ctx, true);
                case "PATCH" -> write(request, ctx, false);
                case "DELETE" -> delete(request, ctx);
                default -> throw RestApi.methodNotAllowed(method);
            };
        }
        ObjectDef o = rest.object(Request.decode(seg[2]));
        if (seg.length == 3) {
            return switch (method) {
                case "GET" -> retrieve(o, csv(request.param("ids")), csv(request.param("fields")), version);
                case "POST" -> {
                    JsonNode body = Json.parse(request.body());
                    List<String> ids = new ArrayList<>();
                    body.path("ids").forEach(n -> ids.add(n.asText()));
                    List<String> fields = new ArrayList<>();
                    body.path("fields").forEach(n -> fields.add(n.asText()));
                    yield retrieve(o, ids, fields, version);
                }
                default -> throw RestApi.methodNotAllowed(method);
            };
        }
        if (seg.length == 4) {
            RestApi.requireMethod(method, "PATCH");
            FieldDef ext = o.field(Request.decode(seg[3]));
            if (ext == null || !(ext.externalId() || ext.name().equals("Id"))) {
                throw ApiException.notFound();
            }
            return upsert(request, o, ext, ctx);
        }
        throw ApiException.notFound();
    }

    private Response write(Request request, WriteContext ctx, boolean create) {
        JsonNode body = Json.parse(request.body());
        JsonNode records = records(body);
        boolean allOrNone = body.path("allOrNone").asBoolean(false);
        return run(ctx, allOrNone, records.size(), (tx, i) -> {
            JsonNode rec = records.get(i);
            ObjectDef o = typeOf(rec);
            if (create) {
                if (rec.hasNonNull("id") || rec.hasNonNull("Id")) {
                    throw new ApiException(400, "INVALID_FIELD", "The Id field should not be specified in the sobject data.");
                }
                return new Outcome(tx.create(o, rest.fields(o, rec, true)), null);
            }
            String raw = rec.hasNonNull("id") ? rec.get("id").asText() : rec.path("Id").asText(null);
            if (raw == null) {
                throw new ApiException(400, "MISSING_ARGUMENT", "Id not specified in an update call", List.of());
            }
            String id = rest.id(o, raw);
            tx.update(o, id, rest.fields(o, rec, false));
            return new Outcome(id, null);
        }, create ? i -> null : i -> idOf(records.get(i)));
    }

    private Response upsert(Request request, ObjectDef o, FieldDef ext, WriteContext ctx) {
        JsonNode body = Json.parse(request.body());
        JsonNode records = records(body);
        boolean allOrNone = body.path("allOrNone").asBoolean(false);
        return run(ctx, allOrNone, records.size(), (tx, i) -> {
            JsonNode rec = records.get(i);
            ObjectDef type = rec.has("attributes") ? typeOf(rec) : o;
            if (type != o) {
                throw new ApiException(400, "INVALID_TYPE", "Records must all be of type " + o.name(), List.of());
            }
            JsonNode key = rec.get(ext.name());
            if (key == null || key.isNull() || key.asText().isEmpty()) {
                throw new ApiException(400, "MISSING_ARGUMENT", ext.name() + " not specified", List.of(ext.name()));
            }
            Map<String, Object> values = rest.fields(o, rec, true);
            RestApi.UpsertOutcome out = rest.upsertOne(tx, o, ext, key.asText(), values, false);
            if (out.ambiguous() != null) {
                throw new ApiException(300, "DUPLICATE_EXTERNAL_ID", "Foreign key external ID: " + key.asText()
                        + " matches more than one record", List.of(ext.name()));
            }
            return new Outcome(out.id(), out.created());
        }, i -> null);
    }

    private Response delete(Request request, WriteContext ctx) {
        List<String> ids = csv(request.param("ids"));
        if (ids.isEmpty()) {
            throw new ApiException(400, "MISSING_ARGUMENT", "ids parameter is required");
        }
        boolean allOrNone = "true".equalsIgnoreCase(request.param("allOrNone"));
        return run(ctx, allOrNone, ids.size(), (tx, i) -> {
            String raw = ids.get(i);
            String id = SalesforceIds.normalize(raw);
            ObjectDef o = id == null ? null : org.schema().objectForId(id);
            if (o == null) {
                throw new ApiException(400, "MALFORMED_ID", "malformed id " + raw, List.of());
            }
            try {
                tx.delete(o, id);
            } catch (ApiException e) {
                if (e.errorCode().equals("NOT_FOUND")) {
                    throw new ApiException(400, "INVALID_CROSS_REFERENCE_KEY", "invalid cross reference id", List.of());
                }
                throw e;
            }
            return new Outcome(id, null);
        }, i -> SalesforceIds.normalize(ids.get(i)) == null ? ids.get(i) : SalesforceIds.normalize(ids.get(i)));
    }

    private Response retrieve(ObjectDef o, List<String> ids, List<String> fields, String version) {
        if (ids.isEmpty() || fields.isEmpty()) {
            throw new ApiException(400, "MISSING_ARGUMENT", ids.isEmpty() ? "ids parameter is required"
                    : "fields parameter is required");
        }
        if (ids.size() > 2000) {
            throw new ApiException(400, "EXCEEDED_ID_LIMIT", "record limit reached. cannot submit more than 2000 records into this call");
        }
        List<FieldDef> selected = Records.fieldList(o, String.join(",", fields));
        List<Object> out = new ArrayList<>();
        for (String raw : ids) {
            String id = SalesforceIds.normalize(raw);
            Map<String, Object> r = id == null || !id.startsWith(o.keyPrefix()) ? null : org.store().find(o, id);
            out.add(r == null || Boolean.TRUE.equals(r.get("IsDeleted")) ? null : Records.render(o, r, selected, version));
        }
        return Response.json(200, out);
    }

    /** Runs one record operation per index in one transaction and renders the result array. */
    private Response run(WriteContext ctx, boolean allOrNone, int count, BiFunction<OrgStore.Tx, Integer, Outcome> op,
                         java.util.function.IntFunction<String> idOnFailure) {
        if (count > MAX_RECORDS) {
            throw new ApiException(400, "EXCEEDED_ID_LIMIT", "record limit reached. cannot submit more than "
                    + MAX_RECORDS + " records into this call");
        }
        List<Map<String, Object>> results = new ArrayList<>();
        try {
            org.store().transaction(ctx, tx -> {
                boolean failed = false;
                for (int i = 0; i < count; i++) {
                    try {
                        Outcome o = op.apply(tx, i);
                        Map<String, Object> r = RestApi.saveResult(o.id, null);
                        if (o.created != null) {
                            r.put("created", o.created);
                        }
                        results.add(r);
                    } catch (ApiException e) {
                        failed = true;
                        results.add(RestApi.saveResult(idOnFailure.apply(i), List.of(error(e.errorCode(), e.getMessage(), e.fields()))));
                    }
                }
                if (failed && allOrNone) {
                    throw new RolledBack();
                }
                return null;
            });
        } catch (RolledBack e) {
            for (int i = 0; i < results.size(); i++) {
                Map<String, Object> r = results.get(i);
                if (Boolean.TRUE.equals(r.get("success"))) {
                    Map<String, Object> rolled = RestApi.saveResult(idOnFailure.apply(i),
                            List.of(error("ALL_OR_NONE_OPERATION_ROLLED_BACK", ROLLED_BACK, List.of())));
                    results.set(i, rolled);
                }
            }
        }
        return Response.json(200, results);
    }

    private static Map<String, Object> error(String code, String message, List<String> fields) {
        Map<String, Object> e = new LinkedHashMap<>();
        e.put("statusCode", code);
        e.put("message", message);
        e.put("fields", fields == null ? List.of() : fields);
        return e;
    }

    private static JsonNode records(JsonNode body) {
        JsonNode records = body.get("records");
        if (records == null || !records.isArray()) {
            throw new ApiException(400, "JSON_PARSER_ERROR", "The request body must contain a 'records' array");
        }
        if (records.size() > MAX_RECORDS) {
            throw new ApiException(400, "EXCEEDED_ID_LIMIT", "record limit reached. cannot submit more than "
                    + MAX_RECORDS + " records into this call");
        }
        return records;
    }

    private ObjectDef typeOf(JsonNode rec) {
        String type = rec.path("attributes").path("type").asText(null);
        if (type == null) {
            throw new ApiException(400, "INVALID_TYPE", "Must send a concrete entity type.", List.of());
        }
        ObjectDef o = org.schema().object(type);
        if (o == null) {
            throw new ApiException(400, "INVALID_TYPE", "sObject type '" + type + "' is not supported.", List.of());
        }
        return o;
    }

    private static String idOf(JsonNode rec) {
        String raw = rec.hasNonNull("id") ? rec.get("id").asText() : rec.path("Id").asText(null);
        String id = raw == null ? null : SalesforceIds.normalize(raw);
        return id == null ? raw : id;
    }

    private static List<String> csv(String s) {
        List<String> out = new ArrayList<>();
        if (s != null) {
            for (String p : s.split(",")) {
                if (!p.isBlank()) {
                    out.add(p.trim());
                }
            }
        }
        return out;
    }

    private record Outcome(String id, Boolean created) {
    }

    /** Signals an allOrNone rollback out of the transaction. */
    private static final class RolledBack extends RuntimeException {
        RolledBack() {
            super(null, null, false, false);
        }
    }
}
