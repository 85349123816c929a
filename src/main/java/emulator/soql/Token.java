package emulator.soql;

import java.util.Locale;

/**
 * One lexical token. {@code text} is the exact source slice; {@code value} is the decoded value for literals
 * (String for strings, BigDecimal for numbers, LocalDate / Instant / LocalTime for date, datetime and time
 * literals); {@code like} is the LIKE pattern of a string literal (see {@link Like}).
 */
record Token(Kind kind, String text, int start, int end, Object value, int[] like) {

    enum Kind {
        IDENT, STRING, NUMBER, DATE, DATETIME, TIME, COMMA, LPAREN, RPAREN, COLON, OPERATOR, EOF
    }

    static Token simple(Kind kind, String text, int start) {
        return new Token(kind, text, start, start + text.length(), null, null);
    }

    /** True for an identifier spelled {@code word} (case-insensitive). */
    boolean isWord(String word) {
        return kind == Kind.IDENT && text.equalsIgnoreCase(word);
    }

    String upper() {
        return text.toUpperCase(Locale.ROOT);
    }

    boolean is(Kind k) {
        return kind == k;
    }
}
