package sync.salesforce;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.apache.camel.Exchange;
import org.apache.camel.Message;
import org.apache.camel.ProducerTemplate;
import org.apache.camel.component.salesforce.SalesforceEndpointConfig;
import org.apache.camel.component.salesforce.api.SalesforceException;
import org.apache.camel.component.salesforce.api.dto.RestError;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicReference;
import java.util.regex.Pattern;

/**
 * Salesforce calls through camel-salesforce's {@code raw} operation, for the writers: every call
 * carries {@code Sforce-Call-Options: client=<clientName>}, the latest {@code Sforce-Limit-Info}
 * is kept, and a failed call becomes the exception {@link SalesforceErrors} chooses.
 *
 * <p>How the raw operation works (camel-salesforce 4.17): path, method, query parameters and extra
 * HTTP headers are read from message headers ({@code rawPath}, {@code rawMethod},
 * {@code rawQueryParameters} and {@code rawHttpHeaders} name the headers to send, values
 * URL-encoded by the component) before the endpoint's options; besides those, every message header
 * whose name starts with {@code Sforce} or {@code X-SFDC} is sent as an HTTP header. The answer's
 * {@code Sforce*} HTTP headers and {@code CamelHttpResponseCode} come back as message headers;
 * the body is the answer's bytes, also on an HTTP error, whose exception carries the status and,
 * as its message, the body text.
 */
final class RawCalls {
    static final String CALL_OPTIONS = "Sforce-Call-Options";
    private static final String LIMIT_INFO = "Sforce-Limit-Info";
    private static final String RAW = "salesforce:raw?format=JSON";
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Pattern CLIENT = Pattern.compile("[A-Za-z0-9_.\\-]+");
    private static final Pattern VERSION = Pattern.compile("\\d{2,3}\\.\\d");

    /** A successful answer: HTTP status, body text (null when empty) and the {@code Sforce*} headers. */
    record Answer(int status, String body, Map<String, Object> headers) {
    }

    private final ProducerTemplate template;
    private final String callOptions;
    private final String dataPath;
    private final AtomicReference<ApiUsage> usage = new AtomicReference<>();
    private final java.util.concurrent.atomic.AtomicLong calls = new java.util.concurrent.atomic.AtomicLong();

    RawCalls(ProducerTemplate template, String apiVersion, String clientName) {
        if (apiVersion == null || !VERSION.matcher(apiVersion).matches()) {
            throw new IllegalArgumentException("Not a Salesforce API version: '" + apiVersion + "'");
        }
        if (clientName == null || !CLIENT.matcher(clientName).matches()) {
            throw new IllegalArgumentException("Not a usable client name (letters, digits, '_', '.', '-'): '" + clientName + "'");
        }
        this.template = template;
        this.dataPath = "/services/data/v" + apiVersion;
        this.callOptions = "client=" + clientName;
    }

    /** {@code /services/data/vXX.X} followed by {@code rest}. */
    String path(String rest) {
        return dataPath + rest;
    }

    Optional<ApiUsage> apiUsage() {
        return Optional.ofNullable(usage.get());
    }

    /** Calls made so far (each counts against the org's API limit, answered or not). */
    long calls() {
        return calls.get();
    }

    /**
     * Makes one call. {@code query} values are URL-encoded by the component; {@code headers} are
     * sent besides the call options (e.g. {@code Content-Type: text/csv}).
     */
    Answer call(String call, String method, String path, Map<String, String> query, Map<String, String> headers, byte[] body) {
        Map<String, String> http = new LinkedHashMap<>(headers);
        http.put(CALL_OPTIONS, callOptions);
        calls.incrementAndGet();
        Exchange e = template.request(RAW, x -> {
            Message in = x.getIn();
            in.setHeader(SalesforceEndpointConfig.RAW_PATH, path);
            in.setHeader(SalesforceEndpointConfig.RAW_METHOD, method);
            in.setHeader(SalesforceEndpointConfig.RAW_HTTP_HEADERS, String.join(",", http.keySet()));
            http.forEach(in::setHeader);
            if (!query.isEmpty()) {
                in.setHeader(SalesforceEndpointConfig.RAW_QUERY_PARAMETERS, String.join(",", query.keySet()));
                query.forEach(in::setHeader);
            }
            in.setBody(body);
        });
        Message answer = e.getMessage();
        ApiUsage.parse(answer.getHeader(LIMIT_INFO, String.class)).ifPresent(usage::set);
        String text = text(answer.getBody());
        if (e.getException() != null) {
            throw failed(call, e.getException(), text);
        }
        Map<String, Object> sforce = new LinkedHashMap<>();
        answer.getHeaders().forEach((k, v) -> {
            if (k.regionMatches(true, 0, "Sforce", 0, 6)) {
                sforce.put(k, v);
            }
        });
        Integer status = answer.getHeader(Exchange.HTTP_RESPONSE_CODE, Integer.class);
        return new Answer(status == null ? 0 : status, text == null || text.isEmpty() ? null : text, sforce);
    }

    /** A JSON answer; an unreadable one is {@link SalesforceUnavailableException} (a proxy's page, a cut answer). */
    static JsonNode json(String call, Answer answer) {
        try {
            return JSON.readTree(answer.body() == null ? "" : answer.body());
        } catch (JsonProcessingException e) {
            throw new SalesforceUnavailableException(call + ": unreadable answer from Salesforce: " + abbreviate(answer.body()),
                    answer.status(), List.of(), e);
        }
    }

    private static RuntimeException failed(String call, Exception failure, String body) {
        if (!(failure instanceof SalesforceException se)) {
            return SalesforceErrors.callFailed(call, 0, List.of(), failure);
        }
        // The raw client reports Salesforce's answer as body text only; parsed errors on the
        // exception come from the component's own (re-)login, which the token endpoint refused.
        if (!se.getErrors().isEmpty()) {
            List<SalesforceError> login = se.getErrors().stream().map(RawCalls::error).toList();
            return SalesforceErrors.loginFailed(call, se.getStatusCode(), login, se);
        }
        return SalesforceErrors.callFailed(call, se.getStatusCode(), errors(body == null ? se.getMessage() : body), se);
    }

    /** Salesforce's error array ({@code [{"errorCode":..,"message":..,"fields":[..]}]}); empty when the text is no such array. */
    static List<SalesforceError> errors(String text) {
        if (text == null || text.isBlank()) {
            return List.of();
        }
        JsonNode node;
        try {
            node = JSON.readTree(text);
        } catch (JsonProcessingException e) {
            return List.of();
        }
        List<SalesforceError> out = new ArrayList<>();
        if (node.isArray()) {
            node.forEach(n -> out.add(error(n)));
        } else if (node.isObject() && (node.has("errorCode") || node.has("statusCode"))) {
            out.add(error(node));
        }
        return out;
    }

    /** One error object; the code is under {@code statusCode} in collection results, {@code errorCode} elsewhere. */
    static SalesforceError error(JsonNode n) {
        String code = n.hasNonNull("statusCode") ? n.get("statusCode").asText() : n.path("errorCode").asText(null);
        List<String> fields = new ArrayList<>();
        n.path("fields").forEach(f -> fields.add(f.asText()));
        return new SalesforceError(code, n.path("message").asText(null), fields);
    }

    private static SalesforceError error(RestError e) {
        return new SalesforceError(e.getErrorCode(), e.getMessage(), e.getFields());
    }

    private static String text(Object body) {
        try {
            if (body instanceof InputStream in) {
                try (in) {
                    return new String(in.readAllBytes(), StandardCharsets.UTF_8);
                }
            }
        } catch (IOException e) {
            return null;
        }
        return body == null ? null : body.toString();
    }

    static String abbreviate(String s) {
        return s == null || s.length() <= 300 ? String.valueOf(s) : s.substring(0, 300) + "...";
    }
}
