package emulator.http;

import com.sun.net.httpserver.HttpExchange;

import java.io.IOException;
import java.io.InputStream;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/** One HTTP request, fully read. Path has no trailing slash ("/x/" and "/x" are the same). */
public final class Request {
    /** Bodies above this size are refused, so a misbehaving client cannot exhaust memory. */
    static final int MAX_BODY = 64 * 1024 * 1024;

    private final String method;
    private final String path;
    private final String rawQuery;
    private final Map<String, String> query;
    private final Map<String, List<String>> headers;
    private final byte[] body;

    Request(String method, String path, String rawQuery, Map<String, List<String>> headers, byte[] body) {
        this.method = method;
        this.path = path.length() > 1 && path.endsWith("/") ? path.substring(0, path.length() - 1) : path;
        this.rawQuery = rawQuery;
        this.query = parseForm(rawQuery);
        this.headers = headers;
        this.body = body;
    }

    static Request read(HttpExchange exchange) throws IOException {
        byte[] body;
        try (InputStream in = exchange.getRequestBody()) {
            body = in.readNBytes(MAX_BODY + 1);
        }
        if (body.length > MAX_BODY) {
            throw new ApiException(413, "REQUEST_ENTITY_TOO_LARGE", "Request body exceeds " + MAX_BODY + " bytes");
        }
        Map<String, List<String>> headers = new LinkedHashMap<>();
        exchange.getRequestHeaders().forEach((k, v) -> headers.put(k.toLowerCase(Locale.ROOT), v));
        return new Request(exchange.getRequestMethod().toUpperCase(Locale.ROOT),
                exchange.getRequestURI().getRawPath(), exchange.getRequestURI().getRawQuery(), headers, body);
    }

    /** A request built in memory, for in-process callers and tests. */
    public static Request of(String method, String path, String rawQuery, Map<String, String> headers, byte[] body) {
        Map<String, List<String>> h = new LinkedHashMap<>();
        headers.forEach((k, v) -> h.put(k.toLowerCase(Locale.ROOT), List.of(v)));
        return new Request(method, path, rawQuery, h, body == null ? new byte[0] : body);
    }

    public String method() {
        return method;
    }

    /** Raw (still percent-encoded) path without a trailing slash. */
    public String path() {
        return path;
    }

    public String rawQuery() {
        return rawQuery;
    }

    public String param(String name) {
        return query.get(name);
    }

    public Map<String, String> params() {
        return query;
    }

    public String header(String name) {
        List<String> values = headers.get(name.toLowerCase(Locale.ROOT));
        return values == null || values.isEmpty() ? null : values.get(0);
    }

    public byte[] body() {
        return body;
    }

    public String bodyText() {
        return new String(body, StandardCharsets.UTF_8);
    }

    /** The value of one cookie from the Cookie header, or null. */
    public String cookie(String name) {
        List<String> values = headers.getOrDefault("cookie", Collections.emptyList());
        for (String header : values) {
            for (String part : header.split(";")) {
                int eq = part.indexOf('=');
                if (eq > 0 && part.substring(0, eq).trim().equals(name)) {
                    return part.substring(eq + 1).trim();
                }
            }
        }
        return null;
    }

    /** Parses {@code a=1&b=2} (form bodies and query strings); {@code +} and {@code %20} are spaces. */
    public static Map<String, String> parseForm(String raw) {
        Map<String, String> out = new LinkedHashMap<>();
        if (raw == null || raw.isEmpty()) {
            return out;
        }
        for (String pair : raw.split("&")) {
            if (pair.isEmpty()) {
                continue;
            }
            int eq = pair.indexOf('=');
            String key = eq < 0 ? pair : pair.substring(0, eq);
            String value = eq < 0 ? "" : pair.substring(eq + 1);
            try {
                out.put(URLDecoder.decode(key, StandardCharsets.UTF_8), URLDecoder.decode(value, StandardCharsets.UTF_8));
            } catch (IllegalArgumentException e) {
                throw ApiException.badRequest("MALFORMED_QUERY", "Malformed URL encoding in parameter: " + key);
            }
        }
        return out;
    }

    public static String decode(String segment) {
        try {
            return URLDecoder.decode(segment.replace("+", "%2B"), StandardCharsets.UTF_8);
        } catch (IllegalArgumentException e) {
            throw ApiException.badRequest("MALFORMED_URL", "Malformed URL encoding: " + segment);
        }
    }
}
