package emulator.soql;

import java.util.BitSet;

/**
 * Case-insensitive LIKE matching with {@code %} (any sequence) and {@code _} (exactly one character). A pattern is
 * an array of case-folded code points in which {@link #ANY_SEQUENCE} and {@link #ANY_ONE} mark wildcards. Matching
 * is iterative (greedy with backtracking to the last {@code %}), so it runs in O(pattern x value) at worst.
 */
final class Like {

    static final int ANY_SEQUENCE = -1;
    static final int ANY_ONE = -2;

    private Like() {
    }

    /** @param wildcards char indexes in {@code value} holding an unescaped % or _ */
    static int[] compile(CharSequence value, BitSet wildcards) {
        int[] out = new int[value.length()];
        int n = 0;
        int i = 0;
        while (i < value.length()) {
            int cp = Character.codePointAt(value, i);
            if (wildcards.get(i)) {
                out[n++] = cp == '%' ? ANY_SEQUENCE : ANY_ONE;
            } else {
                out[n++] = fold(cp);
            }
            i += Character.charCount(cp);
        }
        int[] result = new int[n];
        System.arraycopy(out, 0, result, 0, n);
        return result;
    }

    static boolean matches(int[] pattern, String value) {
        int[] s = value.codePoints().map(Like::fold).toArray();
        int p = 0;
        int v = 0;
        int starP = -1;
        int starV = 0;
        while (v < s.length) {
            if (p < pattern.length && (pattern[p] == ANY_ONE || pattern[p] == s[v])) {
                p++;
                v++;
            } else if (p < pattern.length && pattern[p] == ANY_SEQUENCE) {
                starP = p++;
                starV = v;
            } else if (starP >= 0) {
                p = starP + 1;
                v = ++starV;
            } else {
                return false;
            }
        }
        while (p < pattern.length && pattern[p] == ANY_SEQUENCE) {
            p++;
        }
        return p == pattern.length;
    }

    static int fold(int cp) {
        return Character.toLowerCase(Character.toUpperCase(cp));
    }
}
