package sync.staging;

import java.util.Optional;

/**
 * Salesforce record Ids. The 15-character form is case-sensitive; the 18-character form appends
 * three characters that encode which of the first 15 are upper case, so that tools which ignore
 * case (spreadsheets, some warehouses) still identify the record.
 */
public final class RecordIds {

    /** Suffix alphabet: a 5-bit "which characters are upper case" mask per block of 5. */
    private static final String SUFFIX = "ABCDEFGHIJKLMNOPQRSTUVWXYZ012345";

    private RecordIds() {
    }

    /**
     * The 18-character form of {@code id}, or empty when it is not a record Id. A 15-character Id
     * gets its suffix; an 18-character one has the case of its first 15 characters restored from
     * its suffix (it may have passed through a tool that ignores case) and must be consistent.
     */
    public static Optional<String> normalize(String id) {
        if (id == null || (id.length() != 15 && id.length() != 18)) {
            return Optional.empty();
        }
        for (int i = 0; i < id.length(); i++) {
            char c = id.charAt(i);
            if (!(c >= '0' && c <= '9' || c >= 'A' && c <= 'Z' || c >= 'a' && c <= 'z')) {
                return Optional.empty();
            }
        }
        if (id.length() == 15) {
            return Optional.of(id + suffix(id));
        }
        char[] base = id.substring(0, 15).toCharArray();
        for (int block = 0; block < 3; block++) {
            int mask = SUFFIX.indexOf(Character.toUpperCase(id.charAt(15 + block)));
            if (mask < 0) {
                return Optional.empty();
            }
            for (int bit = 0; bit < 5; bit++) {
                int i = block * 5 + bit;
                boolean upper = (mask & (1 << bit)) != 0;
                if (upper && Character.isDigit(base[i])) {
                    return Optional.empty(); // the suffix claims an upper-case digit
                }
                base[i] = upper ? Character.toUpperCase(base[i]) : Character.toLowerCase(base[i]);
            }
        }
        String id15 = new String(base);
        return Optional.of(id15 + suffix(id15));
    }

    /** The three suffix characters of a 15-character Id. */
    static String suffix(String id15) {
        StringBuilder out = new StringBuilder(3);
        for (int block = 0; block < 3; block++) {
            int mask = 0;
            for (int bit = 0; bit < 5; bit++) {
                char c = id15.charAt(block * 5 + bit);
                if (c >= 'A' && c <= 'Z') {
                    mask |= 1 << bit;
                }
            }
            out.append(SUFFIX.charAt(mask));
        }
        return out.toString();
    }
}
