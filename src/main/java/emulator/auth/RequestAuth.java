package emulator.auth;

import emulator.http.Request;

/** Reads the access token from {@code Authorization: Bearer <t>} or {@code Authorization: OAuth <t>}. */
public final class RequestAuth {
    private RequestAuth() {
    }

    public static String token(Request request) {
        String h = request.header("Authorization");
        if (h == null) {
            return null;
        }
        h = h.trim();
        if (h.regionMatches(true, 0, "Bearer ", 0, 7)) {
            return h.substring(7).trim();
        }
        if (h.regionMatches(true, 0, "OAuth ", 0, 6)) {
            return h.substring(6).trim();
        }
        return null;
    }
}
