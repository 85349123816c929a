package emulator.auth;

import com.fasterxml.jackson.databind.JsonNode;
import emulator.SalesforceEmulator;
import emulator.http.ApiException;
import emulator.http.Json;
import emulator.http.Request;
import emulator.http.Response;

import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.security.Signature;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The OAuth 2.0 token endpoint ({@code POST /services/oauth2/token}) with the password,
 * refresh_token, client_credentials and JWT bearer grants, the revoke endpoint and the identity
 * URL. Errors are HTTP 400 {@code {"error": ..., "error_description": ...}}, as Salesforce answers.
 */
public final class OAuthApi {
    private static final String JWT_GRANT = "urn:ietf:params:oauth:grant-type:jwt-bearer";
    /** Salesforce tolerates about three minutes of clock skew on a JWT's exp. */
    private static final Duration JWT_SKEW = Duration.ofMinutes(3);

    private final SalesforceEmulator org;

    public OAuthApi(SalesforceEmulator org) {
        this.org = org;
    }

    public Response handle(Request request) {
        String path = request.path();
        if (path.equals("/services/oauth2/token")) {
            org.counters().count("oauth.token");
            if (!request.method().equals("POST")) {
                return error(405, "invalid_request", "must use HTTP POST");
            }
            return token(request);
        }
        if (path.equals("/services/oauth2/revoke")) {
            org.counters().count("oauth.revoke");
            String token = request.param("token");
            if (token == null && request.method().equals("POST")) {
                token = Request.parseForm(request.bodyText()).get("token");
            }
            org.sessions().revoke(token);
            return Response.of(200, null, new byte[0]);
        }
        throw ApiException.notFound();
    }

    private Response token(Request request) {
        Map<String, String> form = Request.parseForm(request.bodyText());
        String[] basic = basicAuth(request.header("Authorization"));
        String clientId = form.getOrDefault("client_id", basic == null ? null : basic[0]);
        String clientSecret = form.getOrDefault("client_secret", basic == null ? null : basic[1]);
        String grant = form.get("grant_type");
        Credentials creds = org.credentials();
        if (grant == null) {
            return error(400, "unsupported_grant_type", "grant type not supported");
        }
        switch (grant) {
            case "password" -> {
                if (!same(clientId, creds.clientId()) || !same(clientSecret, creds.clientSecret())) {
                    return error(400, "invalid_client", "invalid client credentials");
                }
                if (!same(form.get("username"), creds.username()) || !same(form.get("password"), creds.passwordWithToken())) {
                    return error(400, "invalid_grant", "authentication failure");
                }
                Sessions.Session s = org.sessions().issueAccess(org.userId(), clientId);
                String id = identityUrl();
                String issuedAt = Long.toString(s.issuedAt().toEpochMilli());
                Map<String, Object> body = new LinkedHashMap<>();
                body.put("access_token", s.token());
                body.put("instance_url", org.baseUrl());
                body.put("id", id);
                body.put("token_type", "Bearer");
                body.put("issued_at", issuedAt);
                body.put("signature", signature(id, issuedAt, creds.clientSecret()));
                return Response.json(200, body);
            }
            case "refresh_token" -> {
                if (!same(clientId, creds.clientId()) || (clientSecret != null && !same(clientSecret, creds.clientSecret()))) {
                    return error(400, "invalid_client", "invalid client credentials");
                }
                Sessions.Session refresh = org.sessions().refreshSession(form.get("refresh_token"));
                if (refresh == null) {
                    return error(400, "invalid_grant", "expired access/refresh token");
                }
                Sessions.Session s = org.sessions().issueAccess(refresh.userId(), clientId);
                return Response.json(200, fullBody(s, creds, "refresh_token api id full"));
            }
            case "client_credentials" -> {
                if (!same(clientId, creds.clientId()) || !same(clientSecret, creds.clientSecret())) {
                    return error(400, "invalid_client", "invalid client credentials");
                }
                Sessions.Session s = org.sessions().issueAccess(org.userId(), clientId);
                return Response.json(200, fullBody(s, creds, "api"));
            }
            case JWT_GRANT -> {
                return jwt(form.get("assertion"), creds);
            }
            default -> {
                return error(400, "unsupported_grant_type", "grant type not supported");
            }
        }
    }

    private Response jwt(String assertion, Credentials creds) {
        if (assertion == null) {
            return error(400, "invalid_request", "assertion is required for the jwt-bearer grant");
        }
        String[] parts = assertion.split("\\.");
        if (parts.length != 3) {
            return error(400, "invalid_grant", "invalid assertion");
        }
        JsonNode header;
        JsonNode claims;
        byte[] signature;
        try {
            header = Json.MAPPER.readTree(decodeB64(parts[0]));
            claims = Json.MAPPER.readTree(decodeB64(parts[1]));
            signature = decodeB64(parts[2]);
        } catch (Exception e) {
            return error(400, "invalid_grant", "invalid assertion");
        }
        if (!"RS256".equals(header.path("alg").asText())) {
            return error(400, "invalid_grant", "invalid assertion");
        }
        if (!same(claims.path("iss").asText(null), creds.clientId())) {
            return error(400, "invalid_client_id", "client identifier invalid");
        }
        String aud = claims.path("aud").asText("");
        if (!(aud.equals(org.baseUrl()) || aud.equals("https://login.salesforce.com") || aud.equals("https://test.salesforce.com"))) {
            return error(400, "invalid_grant", "audience is invalid");
        }
        long exp;
        try {
            // Camel sends exp as a JSON string, others as a number.
            exp = Long.parseLong(claims.path("exp").asText());
        } catch (NumberFormatException e) {
            return error(400, "invalid_grant", "invalid assertion");
        }
        if (Instant.ofEpochSecond(exp).plus(JWT_SKEW).isBefore(org.clock().instant())) {
            return error(400, "invalid_grant", "expired authorization code");
        }
        if (creds.jwtPublicKey() == null) {
            return error(400, "invalid_client", "invalid client credentials");
        }
        try {
            Signature verifier = Signature.getInstance("SHA256withRSA");
            verifier.initVerify(creds.jwtPublicKey());
            verifier.update((parts[0] + "." + parts[1]).getBytes(StandardCharsets.US_ASCII));
            if (!verifier.verify(signature)) {
                return error(400, "invalid_grant", "invalid assertion");
            }
        } catch (GeneralSecurityException e) {
            return error(400, "invalid_grant", "invalid assertion");
        }
        if (!same(claims.path("sub").asText(null), creds.username())) {
            return error(400, "invalid_grant", "user hasn't approved this consumer");
        }
        Sessions.Session s = org.sessions().issueAccess(org.userId(), creds.clientId());
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("access_token", s.token());
        body.put("scope", "api full");
        body.put("instance_url", org.baseUrl());
        body.put("id", identityUrl());
        body.put("token_type", "Bearer");
        return Response.json(200, body);
    }

    private Map<String, Object> fullBody(Sessions.Session s, Credentials creds, String scope) {
        String id = identityUrl();
        String issuedAt = Long.toString(s.issuedAt().toEpochMilli());
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("access_token", s.token());
        body.put("signature", signature(id, issuedAt, creds.clientSecret()));
        body.put("scope", scope);
        body.put("instance_url", org.baseUrl());
        body.put("id", id);
        body.put("token_type", "Bearer");
        body.put("issued_at", issuedAt);
        return body;
    }

    /** {@code GET /id/{orgId}/{userId}}: the identity service, minimal. */
    public Response identity(Request request) {
        org.counters().count("oauth.identity");
        String token = RequestAuth.token(request);
        if (org.sessions().validate(token) == null) {
            return Response.text(403, "text/plain", "Bad_OAuth_Token");
        }
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("id", identityUrl());
        body.put("user_id", org.userId());
        body.put("organization_id", SalesforceEmulator.ORG_ID);
        body.put("username", org.credentials().username());
        body.put("active", true);
        return Response.json(200, body);
    }

    private String identityUrl() {
        return org.baseUrl() + "/id/" + SalesforceEmulator.ORG_ID + "/" + org.userId();
    }

    private static String signature(String id, String issuedAt, String secret) {
        try {
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(new SecretKeySpec(secret.getBytes(StandardCharsets.UTF_8), "HmacSHA256"));
            return Base64.getEncoder().encodeToString(mac.doFinal((id + issuedAt).getBytes(StandardCharsets.UTF_8)));
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }

    private static Response error(int status, String code, String description) {
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("error", code);
        body.put("error_description", description);
        return Response.json(status, body);
    }

    private static String[] basicAuth(String header) {
        if (header == null || !header.regionMatches(true, 0, "Basic ", 0, 6)) {
            return null;
        }
        try {
            String decoded = new String(Base64.getDecoder().decode(header.substring(6).trim()), StandardCharsets.UTF_8);
            int colon = decoded.indexOf(':');
            return colon < 0 ? null : new String[]{decoded.substring(0, colon), decoded.substring(colon + 1)};
        } catch (IllegalArgumentException e) {
            return null;
        }
    }

    private static byte[] decodeB64(String s) {
        String t = s.replace('+', '-').replace('/', '_');
        return Base64.getUrlDecoder().decode(t);
    }

    /** Constant-time comparison, so the emulator does not teach timing attacks. */
    private static boolean same(String a, String b) {
        if (a == null || b == null) {
            return false;
        }
        return MessageDigest.isEqual(a.getBytes(StandardCharsets.UTF_8), b.getBytes(StandardCharsets.UTF_8));
    }
}
