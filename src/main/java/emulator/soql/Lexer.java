package emulator.soql;

import java.math.BigDecimal;
import java.time.DateTimeException;
import java.time.Instant;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.LocalTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.BitSet;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** Splits SOQL text into tokens. Lexical errors are reported as MALFORMED_QUERY. */
final class Lexer {

    private static final Pattern DATETIME = Pattern.compile(
            "(\\d{4})-(\\d{2})-(\\d{2})T(\\d{2}):(\\d{2}):(\\d{2})(?:\\.(\\d{1,9}))?(Z|[+-]\\d{2}:?\\d{2})");
    private static final Pattern DATE = Pattern.compile("(\\d{4})-(\\d{2})-(\\d{2})");
    private static final Pattern TIME = Pattern.compile("(\\d{2}):(\\d{2}):(\\d{2})(?:\\.(\\d{1,3}))?Z");
    private static final Pattern NUMBER = Pattern.compile("[+-]?\\d+(?:\\.\\d+)?");

    private final String text;
    private int pos;
    private final List<Token> tokens = new ArrayList<>();

    private Lexer(String text) {
        this.text = text;
    }

    static List<Token> tokenize(String text) {
        Lexer lexer = new Lexer(text);
        lexer.run();
        return lexer.tokens;
    }

    private void run() {
        int n = text.length();
        while (true) {
            while (pos < n && isSpace(text.charAt(pos))) {
                pos++;
            }
            if (pos >= n) {
                break;
            }
            char c = text.charAt(pos);
            if (isIdentStart(c)) {
                identifier();
            } else if (isDigit(c) || ((c == '-' || c == '+') && pos + 1 < n && isDigit(text.charAt(pos + 1)))) {
                numeric();
            } else if (c == '\'') {
                string();
            } else if (c == ',') {
                add(Token.Kind.COMMA, 1);
            } else if (c == '(') {
                add(Token.Kind.LPAREN, 1);
            } else if (c == ')') {
                add(Token.Kind.RPAREN, 1);
            } else if (c == ':') {
                add(Token.Kind.COLON, 1);
            } else if (c == '=') {
                add(Token.Kind.OPERATOR, 1);
            } else if (c == '!' && next('=')) {
                add(Token.Kind.OPERATOR, 2);
            } else if (c == '<') {
                add(Token.Kind.OPERATOR, next('=') || next('>') ? 2 : 1);
            } else if (c == '>') {
                add(Token.Kind.OPERATOR, next('=') ? 2 : 1);
            } else {
                throw noViableAlternative(pos);
            }
        }
        // EOF sits right after the last non-blank character (where the caret of "unexpected token: <EOF>" goes).
        tokens.add(Token.simple(Token.Kind.EOF, "", lastNonBlankEnd()));
    }

    private int lastNonBlankEnd() {
        int end = text.length();
        while (end > 0 && isSpace(text.charAt(end - 1))) {
            end--;
        }
        return end;
    }

    private boolean next(char expected) {
        return pos + 1 < text.length() && text.charAt(pos + 1) == expected;
    }

    private void add(Token.Kind kind, int length) {
        tokens.add(Token.simple(kind, text.substring(pos, pos + length), pos));
        pos += length;
    }

    private void identifier() {
        int start = pos;
        int n = text.length();
        pos++;
        while (pos < n) {
            char c = text.charAt(pos);
            if (isIdentPart(c)) {
                pos++;
            } else if (c == '.' && pos + 1 < n && isIdentStart(text.charAt(pos + 1))) {
                pos += 2; // dotted relationship path: kept as one token so it can be rejected as a whole
            } else {
                break;
            }
        }
        tokens.add(Token.simple(Token.Kind.IDENT, text.substring(start, pos), start));
    }

    private void numeric() {
        int start = pos;
        Matcher m = DATETIME.matcher(text).region(start, text.length());
        if (m.lookingAt()) {
            Instant instant = dateTime(m, start);
            tokens.add(new Token(Token.Kind.DATETIME, m.group(), start, m.end(), instant, null));
            pos = m.end();
            return;
        }
        m = DATE.matcher(text).region(start, text.length());
        if (m.lookingAt()) {
            LocalDate date;
            try {
                date = LocalDate.of(Integer.parseInt(m.group(1)), Integer.parseInt(m.group(2)),
                        Integer.parseInt(m.group(3)));
            } catch (DateTimeException e) {
                throw Errors.malformed(text, start, "invalid date: " + m.group());
            }
            tokens.add(new Token(Token.Kind.DATE, m.group(), start, m.end(), date, null));
            pos = m.end();
            return;
        }
        m = TIME.matcher(text).region(start, text.length());
        if (m.lookingAt()) {
            LocalTime time;
            try {
                time = LocalTime.of(Integer.parseInt(m.group(1)), Integer.parseInt(m.group(2)),
                        Integer.parseInt(m.group(3)), nanos(m.group(4)));
            } catch (DateTimeException e) {
                throw Errors.malformed(text, start, "invalid time: " + m.group());
            }
            tokens.add(new Token(Token.Kind.TIME, m.group(), start, m.end(), time, null));
            pos = m.end();
            return;
        }
        m = NUMBER.matcher(text).region(start, text.length());
        if (!m.lookingAt()) {
            throw noViableAlternative(start); // cannot happen: callers checked for a digit
        }
        String s = m.group();
        BigDecimal value = new BigDecimal(s.startsWith("+") ? s.substring(1) : s);
        tokens.add(new Token(Token.Kind.NUMBER, s, start, m.end(), value, null));
        pos = m.end();
    }

    private Instant dateTime(Matcher m, int start) {
        try {
            LocalDateTime local = LocalDateTime.of(Integer.parseInt(m.group(1)), Integer.parseInt(m.group(2)),
                    Integer.parseInt(m.group(3)), Integer.parseInt(m.group(4)), Integer.parseInt(m.group(5)),
                    Integer.parseInt(m.group(6)), nanos(m.group(7)));
            return local.toInstant(offset(m.group(8)));
        } catch (DateTimeException e) {
            throw Errors.malformed(text, start, "invalid datetime: " + m.group());
        }
    }

    static int nanos(String fraction) {
        if (fraction == null || fraction.isEmpty()) {
            return 0;
        }
        String padded = (fraction + "000000000").substring(0, 9);
        return Integer.parseInt(padded);
    }

    static ZoneOffset offset(String zone) {
        if (zone == null || zone.equals("Z")) {
            return ZoneOffset.UTC;
        }
        String digits = zone.substring(1).replace(":", "");
        int hours = Integer.parseInt(digits.substring(0, 2));
        int minutes = Integer.parseInt(digits.substring(2, 4));
        int sign = zone.charAt(0) == '-' ? -1 : 1;
        return ZoneOffset.ofHoursMinutes(sign * hours, sign * minutes);
    }

    private void string() {
        int start = pos;
        int n = text.length();
        StringBuilder value = new StringBuilder();
        BitSet wildcards = new BitSet();
        pos++;
        while (true) {
            if (pos >= n) {
                Errors.Position p = Errors.position(text, n);
                throw Errors.malformed(text, n,
                        "line " + p.row() + ":" + (p.column() - 1) + " mismatched character '<EOF>' expecting '''");
            }
            char c = text.charAt(pos);
            if (c == '\'') {
                pos++;
                break;
            }
            if (c == '\\') {
                if (pos + 1 >= n) {
                    pos++;
                    continue; // reported as unterminated on the next iteration
                }
                char e = text.charAt(pos + 1);
                char decoded;
                switch (e) {
                    case 'n', 'N' -> decoded = '\n';
                    case 'r', 'R' -> decoded = '\r';
                    case 't', 'T' -> decoded = '\t';
                    case 'b', 'B' -> decoded = '\b';
                    case 'f', 'F' -> decoded = '\f';
                    case '"', '\'', '\\' -> decoded = e;
                    case '%', '_' -> decoded = e; // escaped LIKE wildcard: matches itself
                    default -> throw Errors.malformed(text, start, "Invalid string literal '"
                            + text.substring(start + 1, pos + 2) + "'. Illegal character sequence '\\"
                            + e + "' in string literal.");
                }
                value.append(decoded);
                pos += 2;
                continue;
            }
            if (c == '%' || c == '_') {
                wildcards.set(value.length());
            }
            value.append(c);
            pos++;
        }
        tokens.add(new Token(Token.Kind.STRING, text.substring(start, pos), start, pos, value.toString(),
                Like.compile(value, wildcards)));
    }

    private SoqlException noViableAlternative(int at) {
        Errors.Position p = Errors.position(text, at);
        int cp = text.codePointAt(at);
        return Errors.malformed(text, at, "line " + p.row() + ":" + (p.column() - 1)
                + " no viable alternative at character '" + new String(Character.toChars(cp)) + "'");
    }

    private static boolean isSpace(char c) {
        return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f';
    }

    private static boolean isDigit(char c) {
        return c >= '0' && c <= '9';
    }

    private static boolean isIdentStart(char c) {
        return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_';
    }

    private static boolean isIdentPart(char c) {
        return isIdentStart(c) || isDigit(c);
    }
}
