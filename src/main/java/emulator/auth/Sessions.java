package emulator.auth;

import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/** Access and refresh tokens of the emulated org. Access tokens expire after a configurable time. */
public final class Sessions {
    private static final String ALPHABET = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";
    private static final SecureRandom RANDOM = new SecureRandom();

    private final Clock clock;
    private final String orgId15;
    private volatile Duration ttl;
    private final Map<String, Session> access = new ConcurrentHashMap<>();
    private final Map<String, Session> refresh = new ConcurrentHashMap<>();

    public Sessions(Clock clock, String orgId15, Duration ttl) {
        this.clock = clock;
        this.orgId15 = orgId15;
        this.ttl = ttl;
    }

    public void setTtl(Duration ttl) {
        this.ttl = ttl;
    }

    public Duration ttl() {
        return ttl;
    }

    public Session issueAccess(String userId, String clientId) {
        Instant now = clock.instant();
        Session s = new Session(orgId15 + "!" + random(96), userId, clientId, now, now.plus(ttl));
        access.put(s.token(), s);
        return s;
    }

    public Session issueRefresh(String userId, String clientId) {
        Instant now = clock.instant();
        Session s = new Session("5Aep" + random(83), userId, clientId, now, Instant.MAX);
        refresh.put(s.token(), s);
        return s;
    }

    /** The live session for an access token, or null when unknown, revoked or expired. */
    public Session validate(String token) {
        if (token == null) {
            return null;
        }
        Session s = access.get(token);
        if (s == null) {
            return null;
        }
        if (!clock.instant().isBefore(s.expiresAt())) {
            access.remove(token);
            return null;
        }
        return s;
    }

    public Session refreshSession(String token) {
        return token == null ? null : refresh.get(token);
    }

    public void revoke(String token) {
        if (token != null) {
            access.remove(token);
            refresh.remove(token);
        }
    }

    /** Expires every access token now (refresh tokens stay valid), as a session timeout would. */
    public int expireAll() {
        int n = access.size();
        access.clear();
        return n;
    }

    public void revokeRefreshTokens() {
        refresh.clear();
    }

    private static String random(int length) {
        StringBuilder s = new StringBuilder(length);
        for (int i = 0; i < length; i++) {
            s.append(ALPHABET.charAt(RANDOM.nextInt(ALPHABET.length())));
        }
        return s.toString();
    }

    public record Session(String token, String userId, String clientId, Instant issuedAt, Instant expiresAt) {
    }
}
