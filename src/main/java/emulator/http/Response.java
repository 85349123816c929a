package emulator.http;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/** One HTTP response: status, headers and body bytes. */
public final class Response {
    public static final String JSON = "application/json;charset=UTF-8";
    public static final String CSV = "text/csv";

    private final int status;
    private final List<Map.Entry<String, String>> headers = new ArrayList<>();
    private final byte[] body;

    private Response(int status, byte[] body) {
        this.status = status;
        this.body = body;
    }

    public static Response of(int status, String contentType, byte[] body) {
        Response r = new Response(status, body);
        if (contentType != null) {
            r.header("Content-Type", contentType);
        }
        return r;
    }

    public static Response json(int status, Object value) {
        return of(status, JSON, Json.write(value));
    }

    public static Response text(int status, String contentType, String text) {
        return of(status, contentType, text.getBytes(StandardCharsets.UTF_8));
    }

    public static Response noContent() {
        return new Response(204, new byte[0]);
    }

    public Response header(String name, String value) {
        headers.add(Map.entry(name, value));
        return this;
    }

    public int status() {
        return status;
    }

    public List<Map.Entry<String, String>> headers() {
        return headers;
    }

    public String header(String name) {
        return headers.stream().filter(e -> e.getKey().equalsIgnoreCase(name)).map(Map.Entry::getValue)
                .findFirst().orElse(null);
    }

    public byte[] body() {
        return body;
    }

    public String bodyText() {
        return new String(body, StandardCharsets.UTF_8);
    }
}
