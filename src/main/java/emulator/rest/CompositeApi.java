package emulator.rest;

import com.fasterxml.jackson.databind.JsonNode;
import emulator.auth.Sessions;
import emulator.http.ApiException;
import emulator.http.Json;
import emulator.http.Request;
import emulator.http.Response;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * The Composite resource ({@code POST /composite}): up to {@value #MAX_SUBREQUESTS} subrequests
 * to sObject, sObject Collections and query resources, at most {@value #MAX_COLLECTIONS_OR_QUERIES}
 * of them collections or queries, run in order as the calling user with the call's
 * {@code Sforce-Call-Options}, and answered together ({@code compositeResponse}, one result per
 * subrequest with its status, headers and body). The whole call counts once against the API
 * limit; subrequests are counted under {@value #COUNTER_PREFIX}{@code <endpoint key>}.
 *
 * <p>Only {@code allOrNone=false} is emulated: each subrequest commits alone, a failed one does
 * not stop the rest. {@code allOrNone=true} (rollback of all) and references to earlier results
 * ({@code @{ref.field}}) are refused with an error that says the emulator lacks them.
 */
final class CompositeApi {
    static final int MAX_SUBREQUESTS = 25;
    static final int MAX_COLLECTIONS_OR_QUERIES = 5;
    static final String COUNTER_PREFIX = "composite.";
    private static final Pattern REFERENCE_ID = Pattern.compile("[A-Za-z0-9_]+");
    private static final Pattern METHOD = Pattern.compile("GET|POST|PATCH|PUT|DELETE|HEAD");

    private final RestApi rest;

    CompositeApi(RestApi rest) {
        this.rest = rest;
    }

    Response handle(Request request, Sessions.Session session) {
        JsonNode body = Json.parse(request.body());
        if (!body.isObject()) {
            throw new ApiException(400, "JSON_PARSER_ERROR", "The Composite request body must be a JSON object");
        }
        if (body.path("allOrNone").asBoolean(false)) {
            throw new ApiException(400, "UNSUPPORTED_BY_EMULATOR",
                    "Composite allOrNone=true (rollback of every subrequest) is not supported by the Salesforce emulator");
        }
        JsonNode subrequests = body.get("compositeRequest");
        if (subrequests == null || !subrequests.isArray() || subrequests.isEmpty()) {
            throw new ApiException(400, "JSON_PARSER_ERROR", "The Composite request body needs a non-empty 'compositeRequest' array");
        }
        if (subrequests.size() > MAX_SUBREQUESTS) {
            throw new ApiException(400, "LIMIT_EXCEEDED", "A Composite request can have at most " + MAX_SUBREQUESTS
                    + " subrequests, not " + subrequests.size());
        }
        int collectionsOrQueries = 0;
        Set<String> referenceIds = new HashSet<>();
        for (int i = 0; i < subrequests.size(); i++) {
            JsonNode sub = subrequests.get(i);
            String where = "compositeRequest[" + i + "]";
            for (String required : List.of("method", "url", "referenceId")) {
                if (!sub.path(required).isTextual() || sub.get(required).asText().isEmpty()) {
                    throw new ApiException(400, "JSON_PARSER_ERROR", where + ": '" + required + "' is required");
                }
            }
            if (!METHOD.matcher(sub.get("method").asText()).matches()) {
                throw new ApiException(400, "JSON_PARSER_ERROR", where + ": unknown method '" + sub.get("method").asText() + "'");
            }
            String ref = sub.get("referenceId").asText();
            if (!REFERENCE_ID.matcher(ref).matches()) {
                throw new ApiException(400, "INVALID_INPUT", where + ": referenceId '" + ref
                        + "' may hold only letters, digits and underscores");
            }
            if (!referenceIds.add(ref)) {
                throw new ApiException(400, "INVALID_INPUT", where + ": duplicate referenceId '" + ref + "'");
            }
            String path = pathOf(sub.get("url").asText());
            if (path.contains("/composite/sobjects") || path.matches(".*/v\\d+\\.\\d/query(All)?(/.*)?")) {
                collectionsOrQueries++;
            }
        }
        if (collectionsOrQueries > MAX_COLLECTIONS_OR_QUERIES) {
            throw new ApiException(400, "LIMIT_EXCEEDED", "A Composite request can have at most " + MAX_COLLECTIONS_OR_QUERIES
                    + " sObject Collections or query subrequests, not " + collectionsOrQueries);
        }
        List<Object> results = new ArrayList<>();
        for (JsonNode sub : subrequests) {
            results.add(result(sub, run(request, sub, session)));
        }
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("compositeResponse", results);
        return Response.json(200, out);
    }

    private Response run(Request outer, JsonNode sub, Sessions.Session session) {
        String url = sub.get("url").asText();
        JsonNode body = sub.get("body");
        if (url.contains("@{") || (body != null && body.toString().contains("@{"))) {
            return emulator.http.HttpHost.Errors.rest(new ApiException(400, "UNSUPPORTED_BY_EMULATOR",
                    "References to other subrequests' results (@{referenceId.field}) are not supported by the Salesforce emulator"));
        }
        int q = url.indexOf('?');
        Map<String, String> headers = new LinkedHashMap<>();
        String callOptions = outer.header("Sforce-Call-Options");
        if (callOptions != null) {
            headers.put("Sforce-Call-Options", callOptions);
        }
        byte[] bytes = body == null || body.isNull() ? new byte[0] : body.toString().getBytes(StandardCharsets.UTF_8);
        Request request = Request.of(sub.get("method").asText(), pathOf(url), q < 0 ? null : url.substring(q + 1), headers, bytes);
        return rest.subrequest(request, session);
    }

    private static Map<String, Object> result(JsonNode sub, Response response) {
        Map<String, Object> r = new LinkedHashMap<>();
        r.put("body", response.body().length == 0 ? null : Json.parse(response.body()));
        Map<String, String> headers = new LinkedHashMap<>();
        for (Map.Entry<String, String> h : response.headers()) {
            // The Composite resource drops Content-Length; Content-Type is the outer answer's.
            if (!h.getKey().equalsIgnoreCase("Content-Type") && !h.getKey().equalsIgnoreCase("Content-Length")) {
                headers.put(h.getKey(), h.getValue());
            }
        }
        r.put("httpHeaders", headers);
        r.put("httpStatusCode", response.status());
        r.put("referenceId", sub.get("referenceId").asText());
        return r;
    }

    private static String pathOf(String url) {
        int q = url.indexOf('?');
        String path = q < 0 ? url : url.substring(0, q);
        return path.length() > 1 && path.endsWith("/") ? path.substring(0, path.length() - 1) : path;
    }
}
