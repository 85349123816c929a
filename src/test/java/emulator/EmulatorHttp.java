package emulator;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.stream.Collectors;

/** A plain HTTP client for the emulator, as a Salesforce client would talk to it. */
public final class EmulatorHttp {
    public static final ObjectMapper JSON = new ObjectMapper();
    public static final String V = "/services/data/v61.0";

    private final SalesforceEmulator org;
    private final HttpClient client = HttpClient.newHttpClient();
    private String token;

    public EmulatorHttp(SalesforceEmulator org) {
        this.org = org;
    }

    public record Reply(int status, HttpResponse<String> raw) {
        public JsonNode json() {
            try {
                return JSON.readTree(raw.body());
            } catch (IOException e) {
                throw new AssertionError("Not JSON (" + status + "): " + raw.body(), e);
            }
        }

        public String header(String name) {
            return raw.headers().firstValue(name).orElse(null);
        }

        public String body() {
            return raw.body();
        }
    }

    public String login() {
        var c = org.credentials();
        Reply r = form("/services/oauth2/token", Map.of("grant_type", "password", "client_id", c.clientId(),
                "client_secret", c.clientSecret(), "username", c.username(), "password", c.passwordWithToken()));
        if (r.status() != 200) {
            throw new AssertionError("login failed: " + r.body());
        }
        token = r.json().get("access_token").asText();
        return token;
    }

    public Reply form(String path, Map<String, String> fields) {
        String body = fields.entrySet().stream()
                .map(e -> URLEncoder.encode(e.getKey(), StandardCharsets.UTF_8) + "=" + URLEncoder.encode(e.getValue(), StandardCharsets.UTF_8))
                .collect(Collectors.joining("&"));
        return send(HttpRequest.newBuilder(URI.create(org.baseUrl() + path))
                .header("Content-Type", "application/x-www-form-urlencoded")
                .POST(HttpRequest.BodyPublishers.ofString(body)));
    }

    public Reply get(String path) {
        return send(authed(path).GET());
    }

    public Reply delete(String path) {
        return send(authed(path).DELETE());
    }

    public Reply post(String path, String json) {
        return send(authed(path).header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofString(json)));
    }

    public Reply patch(String path, String json) {
        return send(authed(path).header("Content-Type", "application/json")
                .method("PATCH", HttpRequest.BodyPublishers.ofString(json)));
    }

    public Reply send(String method, String path, String json, Map<String, String> headers) {
        HttpRequest.Builder b = authed(path).method(method, json == null ? HttpRequest.BodyPublishers.noBody()
                : HttpRequest.BodyPublishers.ofString(json));
        headers.forEach(b::header);
        return send(b);
    }

    public Reply admin(String path, String json) {
        return send(HttpRequest.newBuilder(URI.create(org.baseUrl() + "/emulator/" + path))
                .header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofString(json)));
    }

    private HttpRequest.Builder authed(String path) {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(org.baseUrl() + path));
        if (token != null) {
            b.header("Authorization", "Bearer " + token);
        }
        return b;
    }

    private Reply send(HttpRequest.Builder b) {
        try {
            HttpResponse<String> r = client.send(b.build(), HttpResponse.BodyHandlers.ofString());
            return new Reply(r.statusCode(), r);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    /** A captured Salesforce payload from src/test/resources/salesforce/samples. */
    public static JsonNode sample(String name) {
        try (var in = EmulatorHttp.class.getResourceAsStream("/salesforce/samples/" + name)) {
            if (in == null) {
                throw new IllegalArgumentException("No sample " + name);
            }
            return JSON.readTree(in);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    public static String read(Path p) {
        try {
            return Files.readString(p);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
