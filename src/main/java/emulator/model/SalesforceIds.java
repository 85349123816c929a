package emulator.model;

import java.util.Locale;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Salesforce record Ids: 15 case-sensitive characters (3-char key prefix + 12), and the
 * 18-char case-insensitive form whose last 3 characters encode the case of the first 15.
 */
public final class SalesforceIds {
    private static final String BASE62 = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";
    private static final String SUFFIX = "ABCDEFGHIJKLMNOPQRSTUVWXYZ012345";
    /** Characters 4-5 of an Id identify the instance; the emulator uses a fixed pair. */
    private static final String INSTANCE = "8d";

    private final AtomicLong sequence;

    public SalesforceIds(long start) {
        this.sequence = new AtomicLong(start);
    }

    /** A new 18-char Id with the given key prefix. */
    public String next(String keyPrefix) {
        String counter = toBase62(sequence.incrementAndGet(), 10);
        return to18(keyPrefix + INSTANCE + counter);
    }

    public static String to18(String id15) {
        if (id15.length() != 15) {
            throw new IllegalArgumentException("Not a 15-char Id: " + id15);
        }
        StringBuilder out = new StringBuilder(id15);
        for (int chunk = 0; chunk < 3; chunk++) {
            int bits = 0;
            for (int i = 0; i < 5; i++) {
                char c = id15.charAt(chunk * 5 + i);
                if (c >= 'A' && c <= 'Z') {
                    bits |= 1 << i;
                }
            }
            out.append(SUFFIX.charAt(bits));
        }
        return out.toString();
    }

    /** True for a well-formed 15-char Id or an 18-char Id whose checksum matches. */
    public static boolean isValid(String id) {
        return normalize(id) != null;
    }

    /**
     * The canonical 18-char form of a well-formed Id, or null. An 18-char Id is
     * case-insensitive: its suffix restores the case of the first 15 characters, and the
     * restored Id must produce the same suffix.
     */
    public static String normalize(String id) {
        if (id == null || (id.length() != 15 && id.length() != 18)) {
            return null;
        }
        for (int i = 0; i < id.length(); i++) {
            if (BASE62.indexOf(id.charAt(i)) < 0) {
                return null;
            }
        }
        if (id.length() == 15) {
            return to18(id);
        }
        String suffix = id.substring(15).toUpperCase(Locale.ROOT);
        StringBuilder base = new StringBuilder(15);
        for (int chunk = 0; chunk < 3; chunk++) {
            int bits = SUFFIX.indexOf(suffix.charAt(chunk));
            if (bits < 0) {
                return null;
            }
            for (int i = 0; i < 5; i++) {
                char c = id.charAt(chunk * 5 + i);
                boolean upper = (bits & (1 << i)) != 0;
                base.append(upper ? Character.toUpperCase(c) : Character.toLowerCase(c));
            }
        }
        String canonical = to18(base.toString());
        return canonical.substring(15).equals(suffix) ? canonical : null;
    }

    public static String keyPrefix(String id) {
        return id.substring(0, 3);
    }

    private static String toBase62(long value, int width) {
        StringBuilder s = new StringBuilder();
        long v = value;
        while (v > 0) {
            s.append(BASE62.charAt((int) (v % 62)));
            v /= 62;
        }
        while (s.length() < width) {
            s.append('0');
        }
        return s.reverse().toString();
    }
}
