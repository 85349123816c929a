package emulator.admin;

import emulator.http.ApiException;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;

/**
 * Faults injected on request through the admin API: the next {@code times} calls whose endpoint
 * key matches {@code endpoint} (exact, or a prefix ending in {@code *}) fail with the given kind,
 * or are held for a while before they run (latency: a write that is slow to commit).
 */
public final class Faults {
    /** The failures Salesforce answers with, each with its real status and error code. */
    public enum Kind {
        SERVER_UNAVAILABLE(503, "SERVER_UNAVAILABLE", "Server is too busy.  Please try your request again later."),
        REQUEST_LIMIT_EXCEEDED(403, "REQUEST_LIMIT_EXCEEDED", "TotalRequests Limit exceeded."),
        UNABLE_TO_LOCK_ROW(400, "UNABLE_TO_LOCK_ROW", "unable to obtain exclusive access to this record or 1 records"),
        INVALID_SESSION_ID(401, "INVALID_SESSION_ID", "Session expired or invalid");

        public final int status;
        public final String errorCode;
        public final String message;

        Kind(int status, String errorCode, String message) {
            this.status = status;
            this.errorCode = errorCode;
            this.message = message;
        }

        public ApiException exception() {
            return new ApiException(status, errorCode, message);
        }

        public static Kind parse(String text) {
            String t = text.trim().toUpperCase(Locale.ROOT);
            if (t.equals("503")) {
                return SERVER_UNAVAILABLE;
            }
            return Kind.valueOf(t);
        }
    }

    private final List<Rule> rules = new ArrayList<>();
    private final List<Rule> delays = new ArrayList<>();

    public synchronized void add(String endpoint, Kind kind, int times) {
        rules.add(new Rule(endpoint, kind, times));
    }

    /** The next {@code times} matching calls wait {@code millis} before they do anything. */
    public synchronized void addDelay(String endpoint, long millis, int times) {
        if (millis <= 0 || millis > 60_000) {
            throw new IllegalArgumentException("delayMillis must be between 1 and 60000, got " + millis);
        }
        Rule r = new Rule(endpoint, null, times);
        r.millis = millis;
        delays.add(r);
    }

    public synchronized void clear() {
        rules.clear();
        delays.clear();
    }

    private synchronized long takeDelay(String endpointKey) {
        for (Rule r : delays) {
            if (r.remaining > 0 && r.matches(endpointKey)) {
                if (--r.remaining == 0) {
                    delays.remove(r);
                }
                return r.millis;
            }
        }
        return 0;
    }

    /** Consumes and returns the fault for this call, if one is armed. */
    public synchronized Optional<Kind> take(String endpointKey) {
        for (Rule r : rules) {
            if (r.remaining > 0 && r.matches(endpointKey)) {
                r.remaining--;
                if (r.remaining == 0) {
                    rules.remove(r);
                }
                return Optional.of(r.kind);
            }
        }
        return Optional.empty();
    }

    /** Throws the armed fault's error for this call, if any. */
    public void check(String endpointKey) {
        long delay = takeDelay(endpointKey);
        if (delay > 0) {
            try {
                Thread.sleep(delay);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        Optional<Kind> k = take(endpointKey);
        if (k.isPresent()) {
            throw k.get().exception();
        }
    }

    private static final class Rule {
        final String endpoint;
        final Kind kind;
        int remaining;
        long millis;

        Rule(String endpoint, Kind kind, int remaining) {
            this.endpoint = endpoint;
            this.kind = kind;
            this.remaining = remaining;
        }

        boolean matches(String key) {
            return endpoint.endsWith("*") ? key.startsWith(endpoint.substring(0, endpoint.length() - 1)) : key.equals(endpoint);
        }
    }
}
