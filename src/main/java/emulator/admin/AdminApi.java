package emulator.admin;

import com.fasterxml.jackson.databind.JsonNode;
import emulator.SalesforceEmulator;
import emulator.cdc.EventBus;
import emulator.cdc.StreamEvent;
import emulator.http.ApiException;
import emulator.http.Json;
import emulator.http.Request;
import emulator.http.Response;
import emulator.model.FieldDef;
import emulator.model.ObjectDef;
import emulator.model.SalesforceIds;
import emulator.model.Values;
import emulator.store.ChangeEvents;
import emulator.store.OrgStore;
import emulator.store.WriteContext;

import java.security.KeyFactory;
import java.security.PublicKey;
import java.security.spec.X509EncodedKeySpec;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * Test and operations controls under {@code /emulator/...} (a prefix Salesforce never uses).
 * Loopback only, no authentication. See the README's emulator section for the full list.
 */
public final class AdminApi {
    private static final Set<String> GAP_TYPES = Set.of("GAP_CREATE", "GAP_UPDATE", "GAP_DELETE", "GAP_UNDELETE", "GAP_OVERFLOW");

    private final SalesforceEmulator org;

    public AdminApi(SalesforceEmulator org) {
        this.org = org;
    }

    public Response handle(Request request) {
        String path = request.path();
        String method = request.method();
        String[] seg = path.substring(1).split("/");
        String action = seg.length > 1 ? seg[1] : "";
        switch (action) {
            case "info" -> {
                return Response.json(200, info());
            }
            case "reset" -> {
                requirePost(method);
                org.store().reset();
                org.bus().clear();
                org.counters().reset();
                org.faults().clear();
                org.sessions().setTtl(org.options().tokenTtl());
                org.bus().setRetention(org.options().eventRetention());
                org.bayeux().setHoldTimeout(org.options().cometdHold());
                org.changeEvents().setOverflowThreshold(ChangeEvents.DEFAULT_OVERFLOW_THRESHOLD);
                org.changeEvents().setMergeIdentical(true);
                return Response.json(200, Map.of("reset", true));
            }
            case "seed" -> {
                requirePost(method);
                return Response.json(200, Map.of("ids", seed(Json.parse(request.body()))));
            }
            case "silent-write" -> {
                requirePost(method);
                return Response.json(200, silentWrite(Json.parse(request.body())));
            }
            case "undelete" -> {
                requirePost(method);
                JsonNode body = Json.parse(request.body());
                List<String> ids = new ArrayList<>();
                body.path("ids").forEach(n -> ids.add(n.asText()));
                org.store().transaction(ctx(body.path("client").asText(null)), tx -> {
                    for (String raw : ids) {
                        String id = SalesforceIds.normalize(raw);
                        ObjectDef o = id == null ? null : org.schema().objectForId(id);
                        if (o == null) {
                            throw new ApiException(400, "MALFORMED_ID", "malformed id " + raw);
                        }
                        tx.undelete(o, id);
                    }
                    return null;
                });
                return Response.json(200, Map.of("undeleted", ids.size()));
            }
            case "events" -> {
                requirePost(method);
                String kind = seg.length > 2 ? seg[2] : "";
                JsonNode body = Json.parse(request.body());
                List<StreamEvent> published = switch (kind) {
                    case "publish" -> publishRaw(body);
                    case "gap" -> publishGap(body);
                    default -> throw ApiException.notFound();
                };
                List<Long> replayIds = published.stream().map(StreamEvent::replayId).toList();
                return Response.json(200, Map.of("replayIds", replayIds));
            }
            case "sessions" -> {
                requirePost(method);
                String kind = seg.length > 2 ? seg[2] : "";
                if (kind.equals("expire")) {
                    int expired = org.sessions().expireAll();
                    if ("true".equals(request.param("refresh"))) {
                        org.sessions().revokeRefreshTokens();
                    }
                    return Response.json(200, Map.of("expired", expired));
                }
                if (kind.equals("refresh-token")) {
                    String token = org.sessions().issueRefresh(org.userId(), org.credentials().clientId()).token();
                    return Response.json(200, Map.of("refresh_token", token));
                }
                throw ApiException.notFound();
            }
            case "jwt-key" -> {
                requirePost(method);
                org.setCredentials(org.credentials().withJwtPublicKey(publicKey(request.bodyText())));
                return Response.json(200, Map.of("registered", true));
            }
            case "faults" -> {
                if (method.equals("DELETE")) {
                    org.faults().clear();
                    return Response.json(200, Map.of("cleared", true));
                }
                requirePost(method);
                JsonNode body = Json.parse(request.body());
                String endpoint = text(body, "endpoint");
                if (body.has("delayMillis")) {
                    int times = body.path("times").asInt(1);
                    try {
                        org.faults().addDelay(endpoint, body.path("delayMillis").asLong(), times);
                    } catch (IllegalArgumentException e) {
                        throw new ApiException(400, "INVALID_FAULT", e.getMessage());
                    }
                    return Response.json(200, Map.of("armed", endpoint, "delayMillis", body.path("delayMillis").asLong(),
                            "times", times));
                }
                Faults.Kind kind;
                try {
                    kind = Faults.Kind.parse(text(body, "fault"));
                } catch (IllegalArgumentException e) {
                    throw new ApiException(400, "INVALID_FAULT", "fault must be one of 503, SERVER_UNAVAILABLE, "
                            + "REQUEST_LIMIT_EXCEEDED, UNABLE_TO_LOCK_ROW, INVALID_SESSION_ID");
                }
                int times = body.path("times").asInt(1);
                org.faults().add(endpoint, kind, times);
                return Response.json(200, Map.of("armed", endpoint, "fault", kind.name(), "times", times));
            }
            case "counters" -> {
                if (method.equals("DELETE")) {
                    org.counters().reset();
                }
                Map<String, Object> body = new LinkedHashMap<>();
                body.put("apiRequests", org.counters().apiRequests());
                body.put("endpoints", org.counters().snapshot());
                body.put("eventsPublished", org.bus().publishedCount());
                return Response.json(200, body);
            }
            case "settings" -> {
                requirePost(method);
                JsonNode body = Json.parse(request.body());
                if (body.has("tokenTtlSeconds")) {
                    org.sessions().setTtl(Duration.ofSeconds(body.get("tokenTtlSeconds").asLong()));
                }
                if (body.has("eventRetentionSeconds")) {
                    org.bus().setRetention(Duration.ofSeconds(body.get("eventRetentionSeconds").asLong()));
                }
                if (body.has("overflowThreshold")) {
                    org.changeEvents().setOverflowThreshold(body.get("overflowThreshold").asInt());
                }
                if (body.has("mergeIdenticalChanges")) {
                    org.changeEvents().setMergeIdentical(body.get("mergeIdenticalChanges").asBoolean());
                }
                if (body.has("cometdHoldMillis")) {
                    org.bayeux().setHoldTimeout(Duration.ofMillis(body.get("cometdHoldMillis").asLong()));
                }
                return Response.json(200, Map.of("applied", true));
            }
            case "triggers" -> {
                if (method.equals("DELETE")) {
                    throw new ApiException(405, "METHOD_NOT_ALLOWED", "Reset the emulator to remove triggers");
                }
                requirePost(method);
                JsonNode body = Json.parse(request.body());
                ObjectDef o = object(text(body, "object"));
                FieldDef when = field(o, text(body, "whenField"));
                FieldDef set = field(o, text(body, "setField"));
                Object value = Values.coerce(o, set, body.get("value"));
                org.store().addTrigger(new OrgStore.TriggerRule(o.name(), when.name(), set.name(), value));
                return Response.json(200, Map.of("added", true));
            }
            default -> throw ApiException.notFound();
        }
    }

    private Map<String, Object> info() {
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("loginUrl", org.baseUrl());
        body.put("instanceUrl", org.baseUrl());
        body.put("organizationId", SalesforceEmulator.ORG_ID);
        body.put("userId", org.userId());
        body.put("clientId", org.credentials().clientId());
        body.put("username", org.credentials().username());
        body.put("latestApiVersion", org.options().latestApiVersion());
        body.put("objects", org.schema().objects().stream().map(ObjectDef::name).toList());
        return body;
    }

    /** Seeds records: {"Account":[{...},{...}], "Contact":[...]}; one transaction per object. */
    private Map<String, List<String>> seed(JsonNode body) {
        if (!body.isObject()) {
            throw new ApiException(400, "JSON_PARSER_ERROR", "Seed data must be an object keyed by sObject type");
        }
        Map<String, List<String>> out = new LinkedHashMap<>();
        Iterator<Map.Entry<String, JsonNode>> it = body.fields();
        while (it.hasNext()) {
            Map.Entry<String, JsonNode> e = it.next();
            ObjectDef o = object(e.getKey());
            List<String> ids = org.store().transaction(ctx(null), tx -> {
                List<String> created = new ArrayList<>();
                for (JsonNode rec : e.getValue()) {
                    Map<String, Object> values = new LinkedHashMap<>();
                    Iterator<Map.Entry<String, JsonNode>> fields = rec.fields();
                    while (fields.hasNext()) {
                        Map.Entry<String, JsonNode> f = fields.next();
                        if (f.getKey().equals("attributes")) {
                            continue;
                        }
                        FieldDef def = field(o, f.getKey());
                        if (!def.createable()) {
                            throw new ApiException(400, "INVALID_FIELD_FOR_INSERT_UPDATE", "Unable to create/update fields: "
                                    + def.name() + ".", List.of(def.name()));
                        }
                        values.put(def.name(), Values.coerce(o, def, f.getValue()));
                    }
                    created.add(tx.create(o, values));
                }
                return created;
            });
            out.put(o.name(), ids);
        }
        return out;
    }

    /**
     * Creates ({@code id} absent), updates or deletes ({@code "delete":true}) one record without
     * publishing a change event: {"object":"Account","id":"001...","fields":{"Name":"x"}}.
     */
    private Map<String, Object> silentWrite(JsonNode body) {
        ObjectDef o = object(text(body, "object"));
        String rawId = body.path("id").asText(null);
        Map<String, Object> values = new LinkedHashMap<>();
        Iterator<Map.Entry<String, JsonNode>> fields = body.path("fields").fields();
        while (fields.hasNext()) {
            Map.Entry<String, JsonNode> f = fields.next();
            FieldDef def = field(o, f.getKey());
            values.put(def.name(), Values.coerce(o, def, f.getValue()));
        }
        String id = org.store().silentTransaction(ctx(null), tx -> {
            if (rawId == null) {
                return tx.create(o, values);
            }
            String normalized = SalesforceIds.normalize(rawId);
            if (normalized == null) {
                throw new ApiException(400, "MALFORMED_ID", "malformed id " + rawId);
            }
            if (body.path("delete").asBoolean(false)) {
                tx.delete(o, normalized);
            } else {
                tx.update(o, normalized, values);
            }
            return normalized;
        });
        return Map.of("id", id);
    }

    private List<StreamEvent> publishRaw(JsonNode body) {
        String channel = text(body, "channel");
        if (!channel.startsWith("/data/") && !channel.startsWith("/event/") && !channel.startsWith("/topic/")) {
            throw new ApiException(400, "INVALID_CHANNEL", "channel must start with /data/, /event/ or /topic/: " + channel);
        }
        JsonNode payload = body.get("payload");
        if (payload == null || !payload.isObject()) {
            throw new ApiException(400, "JSON_PARSER_ERROR", "payload must be a JSON object (the event's data.payload)");
        }
        @SuppressWarnings("unchecked")
        Map<String, Object> map = Json.MAPPER.convertValue(payload, Map.class);
        Set<String> channels = new LinkedHashSet<>();
        channels.add(channel);
        if (channel.startsWith("/data/") && channel.endsWith("ChangeEvent")) {
            channels.add("/data/ChangeEvents");
        }
        String schema = body.path("schema").asText("emulatorRawEvent00000");
        return org.store().publish(List.of(new EventBus.PendingEvent(channels, schema, map)));
    }

    private List<StreamEvent> publishGap(JsonNode body) {
        ObjectDef o = object(text(body, "object"));
        String type = text(body, "changeType").toUpperCase(Locale.ROOT);
        if (!GAP_TYPES.contains(type)) {
            throw new ApiException(400, "INVALID_CHANGE_TYPE", "changeType must be one of " + GAP_TYPES);
        }
        List<String> ids = new ArrayList<>();
        if (type.equals("GAP_OVERFLOW")) {
            ids.add(ChangeEvents.OVERFLOW_RECORD_ID);
        } else {
            body.path("recordIds").forEach(n -> ids.add(n.asText()));
            if (ids.isEmpty()) {
                throw new ApiException(400, "MISSING_ARGUMENT", "recordIds is required for " + type);
            }
        }
        return org.store().publish(List.of(org.changeEvents().gap(o, type, ids, org.clock().instant(), org.userId())));
    }

    private WriteContext ctx(String client) {
        return new WriteContext(org.userId(), "rest", org.options().latestApiVersion(), client);
    }

    private ObjectDef object(String name) {
        ObjectDef o = org.schema().object(name);
        if (o == null) {
            throw new ApiException(400, "INVALID_TYPE", "sObject type '" + name + "' is not supported.");
        }
        return o;
    }

    private static FieldDef field(ObjectDef o, String name) {
        FieldDef f = o.field(name);
        if (f == null) {
            throw new ApiException(400, "INVALID_FIELD", "No such column '" + name + "' on sobject of type " + o.name());
        }
        return f;
    }

    private static String text(JsonNode body, String key) {
        String v = body.path(key).asText(null);
        if (v == null || v.isBlank()) {
            throw new ApiException(400, "MISSING_ARGUMENT", "'" + key + "' is required");
        }
        return v;
    }

    private static void requirePost(String method) {
        if (!method.equals("POST")) {
            throw new ApiException(405, "METHOD_NOT_ALLOWED", "Use POST");
        }
    }

    private static PublicKey publicKey(String pem) {
        try {
            String b64 = pem.replaceAll("-----(BEGIN|END) PUBLIC KEY-----", "").replaceAll("\\s", "");
            return KeyFactory.getInstance("RSA").generatePublic(new X509EncodedKeySpec(Base64.getDecoder().decode(b64)));
        } catch (Exception e) {
            throw new ApiException(400, "INVALID_KEY", "Body must be an RSA public key in PEM (X.509 SubjectPublicKeyInfo)");
        }
    }
}
