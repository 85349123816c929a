package emulator.soql;

/** Salesforce record ids: 15-char (case-sensitive) and 18-char (case-insensitive, with a case checksum). */
final class Ids {

    private static final String CHECKSUM_ALPHABET = "ABCDEFGHIJKLMNOPQRSTUVWXYZ012345";

    private Ids() {
    }

    /** True for 15 or 18 ASCII letters/digits. */
    static boolean isWellFormed(String id) {
        if (id == null || (id.length() != 15 && id.length() != 18)) {
            return false;
        }
        for (int i = 0; i < id.length(); i++) {
            char c = id.charAt(i);
            boolean ok = (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
            if (!ok) {
                return false;
            }
        }
        return true;
    }

    /**
     * The case-correct 15-char form. An 18-char id has the case of its first 15 characters restored from the
     * 3-char suffix, so an 18-char id compares equal to its 15-char form whatever case it was written in.
     * Anything that is not a well-formed id is returned unchanged.
     */
    static String canonical(String id) {
        if (!isWellFormed(id)) {
            return id;
        }
        if (id.length() == 15) {
            return id;
        }
        char[] chars = id.substring(0, 15).toCharArray();
        for (int chunk = 0; chunk < 3; chunk++) {
            int bits = CHECKSUM_ALPHABET.indexOf(Character.toUpperCase(id.charAt(15 + chunk)));
            if (bits < 0) {
                return id.substring(0, 15); // not a valid checksum: keep the case as written
            }
            for (int i = 0; i < 5; i++) {
                int at = chunk * 5 + i;
                boolean upper = (bits & (1 << i)) != 0;
                chars[at] = upper ? Character.toUpperCase(chars[at]) : Character.toLowerCase(chars[at]);
            }
        }
        return new String(chars);
    }

    /** The 18-char form of a 15-char id (checksum appended); other inputs are returned unchanged. */
    static String to18(String id) {
        if (!isWellFormed(id) || id.length() != 15) {
            return id;
        }
        StringBuilder sb = new StringBuilder(id);
        for (int chunk = 0; chunk < 3; chunk++) {
            int bits = 0;
            for (int i = 0; i < 5; i++) {
                char c = id.charAt(chunk * 5 + i);
                if (c >= 'A' && c <= 'Z') {
                    bits |= 1 << i;
                }
            }
            sb.append(CHECKSUM_ALPHABET.charAt(bits));
        }
        return sb.toString();
    }
}
