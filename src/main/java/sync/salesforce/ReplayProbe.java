package sync.salesforce;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import java.io.IOException;
import java.net.CookieManager;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;

/**
 * Asks the Streaming API whether a stored replay id is still valid, with a short Bayeux session
 * of its own (handshake, subscribe with the replay id, disconnect). camel-salesforce answers an
 * invalid replay id by silently resubscribing from its fallback position, which would skip
 * every event in between; Sluice checks first and, when the id has expired, resyncs the object
 * instead of jumping to "latest".
 */
public final class ReplayProbe {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String INVALID_REPLAY = "400::The replayId {";

    /** What the server said about the replay id. */
    public enum Verdict { VALID, EXPIRED }

    private final HttpClient http;

    public ReplayProbe() {
        this.http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
                .cookieHandler(new CookieManager()).connectTimeout(Duration.ofSeconds(10)).build();
    }

    /**
     * @param instanceUrl the org's instance URL
     * @param accessToken a valid access token
     * @param apiVersion  e.g. {@code 61.0}
     * @param channel     e.g. {@code /data/AccountChangeEvent}
     * @param replayId    the stored position
     * @throws IOException when the Streaming API cannot be reached or answers unexpectedly (transient)
     */
    public Verdict check(String instanceUrl, String accessToken, String apiVersion, String channel, long replayId)
            throws IOException {
        String base = instanceUrl.replaceAll("/+$", "") + "/cometd/" + apiVersion;
        ObjectNode handshake = JSON.createObjectNode();
        handshake.put("id", "1").put("version", "1.0").put("minimumVersion", "1.0").put("channel", "/meta/handshake");
        handshake.putArray("supportedConnectionTypes").add("long-polling");
        handshake.putObject("ext").put("replay", true);
        JsonNode reply = first(post(base + "/handshake", accessToken, handshake));
        if (!reply.path("successful").asBoolean()) {
            throw new IOException("Streaming API handshake failed: " + reply.path("error").asText()
                    + " " + reply.path("ext").path("sfdc").path("failureReason").asText());
        }
        String clientId = reply.path("clientId").asText();
        try {
            ObjectNode subscribe = JSON.createObjectNode();
            subscribe.put("id", "2").put("channel", "/meta/subscribe").put("clientId", clientId).put("subscription", channel);
            subscribe.putObject("ext").putObject("replay").put(channel, replayId);
            JsonNode sub = first(post(base + "/subscribe", accessToken, subscribe));
            if (sub.path("successful").asBoolean()) {
                return Verdict.VALID;
            }
            String error = sub.path("error").asText("");
            if (error.startsWith(INVALID_REPLAY)) {
                return Verdict.EXPIRED;
            }
            throw new IOException("Streaming API subscribe to " + channel + " failed: " + error);
        } finally {
            ObjectNode disconnect = JSON.createObjectNode();
            disconnect.put("id", "3").put("channel", "/meta/disconnect").put("clientId", clientId);
            try {
                post(base + "/disconnect", accessToken, disconnect);
            } catch (IOException ignored) {
                // the server expires an abandoned client on its own within 40 s
            }
        }
    }

    private JsonNode post(String url, String token, ObjectNode message) throws IOException {
        ArrayNode body = JSON.createArrayNode().add(message);
        HttpRequest request = HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(30))
                .header("Content-Type", "application/json").header("Authorization", "OAuth " + token)
                .POST(HttpRequest.BodyPublishers.ofString(body.toString())).build();
        try {
            HttpResponse<String> r = http.send(request, HttpResponse.BodyHandlers.ofString());
            return JSON.readTree(r.body());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted while probing the Streaming API", e);
        }
    }

    private static JsonNode first(JsonNode reply) throws IOException {
        if (reply == null || !reply.isArray() || reply.isEmpty()) {
            throw new IOException("Streaming API answered without a message: " + reply);
        }
        return reply.get(0);
    }
}
