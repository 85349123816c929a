package sync.staging;

/** Validation of staging keys, shared by both implementations. */
final class StagingPaths {

    private StagingPaths() {
    }

    /**
     * Checks that {@code key} is a relative '/'-separated path with no empty, "." or ".." segment
     * and no control character or backslash, so that it means the same in a directory and a bucket
     * and cannot escape the directory.
     */
    static String checkKey(String key) {
        if (key == null || key.isEmpty()) {
            throw new IllegalArgumentException("empty staging key");
        }
        if (key.length() > 1024) {
            throw new IllegalArgumentException("staging key longer than 1024 characters: '" + key.substring(0, 64) + "...'");
        }
        for (int i = 0; i < key.length(); i++) {
            char c = key.charAt(i);
            if (c < 0x20 || c == 0x7f || c == '\\') {
                throw new IllegalArgumentException("staging key '" + printable(key) + "' contains a control character or '\\'");
            }
        }
        for (String segment : key.split("/", -1)) {
            if (segment.isEmpty() || segment.equals(".") || segment.equals("..")) {
                throw new IllegalArgumentException("staging key '" + key + "' is not a relative path of non-empty segments"
                        + " (no leading, trailing or double '/', no '.' or '..')");
            }
        }
        return key;
    }

    /** A prefix is a key fragment: "" or anything a key could start with. */
    static String checkPrefix(String prefix) {
        if (prefix == null) {
            throw new IllegalArgumentException("null staging prefix (use \"\" for everything)");
        }
        if (!prefix.isEmpty()) {
            checkKey(prefix.endsWith("/") ? prefix + "x" : prefix);
        }
        return prefix;
    }

    private static String printable(String s) {
        StringBuilder b = new StringBuilder();
        s.codePoints().forEach(c -> b.append(c < 0x20 || c == 0x7f ? String.format("\\u%04x", c) : Character.toString(c)));
        return b.toString();
    }
}
