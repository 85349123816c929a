package emulator.soql;

import emulator.soql.Ast.Literal;
import java.math.BigDecimal;
import java.time.DateTimeException;
import java.time.Instant;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.LocalTime;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.util.Collection;
import java.util.Date;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Converts record values and literals into comparable Java values according to the field's type, and compares
 * them the way Salesforce does (text case-insensitively, ids by their case-correct 15-char form, datetimes as
 * instants, and so on). Nothing here throws: a value that cannot be read as the field's type becomes
 * {@link #INCOMPARABLE}.
 */
final class Values {

    /** How values of a field are compared. */
    enum Category {
        ID, STRING, NUMBER, BOOLEAN, DATE, DATETIME, TIME, MULTI
    }

    /** Marker for a value that cannot be read as the field's type; it equals nothing and orders nowhere. */
    static final Object INCOMPARABLE = new Object() {
        @Override
        public String toString() {
            return "INCOMPARABLE";
        }
    };

    private static final Pattern STORED_DATETIME = Pattern.compile(
            "(\\d{4})-(\\d{2})-(\\d{2})(?:[T ](\\d{2}):(\\d{2})(?::(\\d{2})(?:\\.(\\d{1,9}))?)?)?\\s*(Z|[+-]\\d{2}:?\\d{2})?");
    private static final Pattern STORED_TIME = Pattern.compile(
            "(\\d{2}):(\\d{2})(?::(\\d{2})(?:\\.(\\d{1,9}))?)?Z?");

    private Values() {
    }

    /** Category of a describe type; null when the type is null (unknown field). */
    static Category categoryOfType(String type) {
        if (type == null) {
            return null;
        }
        return switch (type.toLowerCase(Locale.ROOT)) {
            case "id", "reference" -> Category.ID;
            case "boolean" -> Category.BOOLEAN;
            case "int", "integer", "long", "double", "currency", "percent" -> Category.NUMBER;
            case "date" -> Category.DATE;
            case "datetime" -> Category.DATETIME;
            case "time" -> Category.TIME;
            case "multipicklist" -> Category.MULTI;
            default -> Category.STRING;
        };
    }

    /** Category to use for a field of unknown type, guessed from the literal it is compared to. */
    static Category categoryOfLiteral(Ast.LiteralKind kind) {
        return switch (kind) {
            case NUMBER -> Category.NUMBER;
            case BOOLEAN -> Category.BOOLEAN;
            case DATE -> Category.DATE;
            case DATETIME, RELATIVE_DATE -> Category.DATETIME;
            case TIME -> Category.TIME;
            default -> Category.STRING;
        };
    }

    /** Category to use for a field of unknown type, guessed from a record value. */
    static Category categoryOfValue(Object raw) {
        if (raw instanceof Number) {
            return Category.NUMBER;
        }
        if (raw instanceof Boolean) {
            return Category.BOOLEAN;
        }
        return Category.STRING;
    }

    /** A record value read as {@code category}: null for null (and for "" on text fields), else a typed value. */
    static Object stored(Category category, Object raw) {
        if (raw == null) {
            return null;
        }
        switch (category) {
            case STRING: {
                String s = scalarText(raw);
                if (s == null) {
                    return INCOMPARABLE;
                }
                return s.isEmpty() ? null : s;
            }
            case ID: {
                if (!(raw instanceof String s)) {
                    return INCOMPARABLE;
                }
                return s.isEmpty() ? null : Ids.canonical(s);
            }
            case NUMBER:
                return number(raw);
            case BOOLEAN:
                return bool(raw);
            case DATE:
                return date(raw);
            case DATETIME:
                return dateTime(raw);
            case TIME:
                return time(raw);
            case MULTI:
                return multi(raw);
            default:
                return INCOMPARABLE;
        }
    }

    /** A literal read as {@code category} (relative date literals are handled by the caller). */
    static Object literal(Category category, Literal literal) {
        Object v = literal.value();
        switch (literal.kind()) {
            case NULL:
                return null;
            case RELATIVE_DATE:
                return INCOMPARABLE;
            default:
                break;
        }
        switch (category) {
            case STRING: {
                String s = literal.kind() == Ast.LiteralKind.STRING ? (String) v : literal.text();
                return s.isEmpty() ? null : s;
            }
            case ID: {
                if (literal.kind() != Ast.LiteralKind.STRING) {
                    return INCOMPARABLE;
                }
                String s = (String) v;
                return s.isEmpty() ? null : Ids.canonical(s);
            }
            case NUMBER:
                return literal.kind() == Ast.LiteralKind.NUMBER ? v : number(v);
            case BOOLEAN:
                return bool(v);
            case DATE:
                if (v instanceof Instant instant) {
                    return LocalDate.ofInstant(instant, ZoneOffset.UTC);
                }
                return date(v);
            case DATETIME:
                return dateTime(v);
            case TIME:
                return time(v);
            case MULTI:
                return literal.kind() == Ast.LiteralKind.STRING ? multi(v) : INCOMPARABLE;
            default:
                return INCOMPARABLE;
        }
    }

    /** Equality of two typed (non-null, comparable) values of one category. */
    static boolean equal(Category category, Object a, Object b) {
        if (category == Category.MULTI) {
            return a.equals(b);
        }
        Integer c = compare(category, a, b);
        return c != null && c == 0;
    }

    /** Ordering of two typed values of one category, or null if they cannot be ordered. */
    @SuppressWarnings({"unchecked", "rawtypes"})
    static Integer compare(Category category, Object a, Object b) {
        if (a == INCOMPARABLE || b == INCOMPARABLE || a.getClass() != b.getClass()) {
            return null;
        }
        if (category == Category.STRING) {
            return String.CASE_INSENSITIVE_ORDER.compare((String) a, (String) b);
        }
        if (a instanceof Comparable ca) {
            return ca.compareTo(b);
        }
        return null;
    }

    /** Key used to sort a typed value (text folded to ignore case; multi-picklist sets joined). */
    static Comparable<?> sortKey(Category category, Object typed) {
        if (category == Category.STRING && typed instanceof String s) {
            return fold(s);
        }
        if (typed instanceof Set<?> set) {
            return String.join(";", new TreeSet<>(set.stream().map(String::valueOf).toList()));
        }
        if (typed instanceof Comparable<?> c) {
            return c;
        }
        return fold(String.valueOf(typed));
    }

    /** Per-character case folding, consistent with {@link String#CASE_INSENSITIVE_ORDER}. */
    static String fold(String s) {
        char[] chars = s.toCharArray();
        for (int i = 0; i < chars.length; i++) {
            chars[i] = Character.toLowerCase(Character.toUpperCase(chars[i]));
        }
        return new String(chars);
    }

    /** Text of a scalar record value (String, Number, Boolean), or null for anything else. */
    static String scalarText(Object raw) {
        if (raw instanceof String s) {
            return s;
        }
        if (raw instanceof BigDecimal bd) {
            return bd.toPlainString();
        }
        if (raw instanceof Number || raw instanceof Boolean || raw instanceof Character) {
            return raw.toString();
        }
        return null;
    }

    static Object number(Object raw) {
        try {
            if (raw instanceof BigDecimal bd) {
                return bd;
            }
            if (raw instanceof Integer || raw instanceof Long || raw instanceof Short || raw instanceof Byte) {
                return BigDecimal.valueOf(((Number) raw).longValue());
            }
            if (raw instanceof Double || raw instanceof Float) {
                double d = ((Number) raw).doubleValue();
                return Double.isFinite(d) ? new BigDecimal(Double.toString(d)) : INCOMPARABLE;
            }
            if (raw instanceof Number n) {
                return new BigDecimal(n.toString());
            }
            if (raw instanceof String s) {
                String t = s.trim();
                if (t.length() > 400) {
                    return INCOMPARABLE;
                }
                return new BigDecimal(t.startsWith("+") ? t.substring(1) : t);
            }
        } catch (NumberFormatException | ArithmeticException e) {
            return INCOMPARABLE;
        }
        return INCOMPARABLE;
    }

    static Object bool(Object raw) {
        if (raw instanceof Boolean b) {
            return b;
        }
        if (raw instanceof String s) {
            if (s.equalsIgnoreCase("true")) {
                return Boolean.TRUE;
            }
            if (s.equalsIgnoreCase("false")) {
                return Boolean.FALSE;
            }
        }
        return INCOMPARABLE;
    }

    static Object date(Object raw) {
        if (raw instanceof LocalDate d) {
            return d;
        }
        if (raw instanceof String s) {
            Matcher m = STORED_DATETIME.matcher(s.trim());
            if (m.matches()) {
                try {
                    return LocalDate.of(Integer.parseInt(m.group(1)), Integer.parseInt(m.group(2)),
                            Integer.parseInt(m.group(3)));
                } catch (DateTimeException e) {
                    return INCOMPARABLE;
                }
            }
            return INCOMPARABLE;
        }
        if (raw instanceof LocalDateTime ldt) {
            return ldt.toLocalDate();
        }
        Object instant = dateTime(raw);
        if (instant instanceof Instant i) {
            return LocalDate.ofInstant(i, ZoneOffset.UTC);
        }
        return INCOMPARABLE;
    }

    static Object dateTime(Object raw) {
        try {
            if (raw instanceof Instant i) {
                return i;
            }
            if (raw instanceof String s) {
                Matcher m = STORED_DATETIME.matcher(s.trim());
                if (!m.matches()) {
                    return INCOMPARABLE;
                }
                LocalDateTime local = LocalDateTime.of(Integer.parseInt(m.group(1)), Integer.parseInt(m.group(2)),
                        Integer.parseInt(m.group(3)), m.group(4) == null ? 0 : Integer.parseInt(m.group(4)),
                        m.group(5) == null ? 0 : Integer.parseInt(m.group(5)),
                        m.group(6) == null ? 0 : Integer.parseInt(m.group(6)), Lexer.nanos(m.group(7)));
                return local.toInstant(Lexer.offset(m.group(8)));
            }
            if (raw instanceof LocalDate d) {
                return d.atStartOfDay(ZoneOffset.UTC).toInstant();
            }
            if (raw instanceof OffsetDateTime odt) {
                return odt.toInstant();
            }
            if (raw instanceof ZonedDateTime zdt) {
                return zdt.toInstant();
            }
            if (raw instanceof LocalDateTime ldt) {
                return ldt.toInstant(ZoneOffset.UTC);
            }
            if (raw instanceof Date d) {
                return d.toInstant();
            }
            if (raw instanceof Long || raw instanceof Integer) {
                return Instant.ofEpochMilli(((Number) raw).longValue());
            }
        } catch (DateTimeException | ArithmeticException | NumberFormatException e) {
            return INCOMPARABLE;
        }
        return INCOMPARABLE;
    }

    static Object time(Object raw) {
        if (raw instanceof LocalTime t) {
            return t;
        }
        if (raw instanceof String s) {
            Matcher m = STORED_TIME.matcher(s.trim());
            if (m.matches()) {
                try {
                    return LocalTime.of(Integer.parseInt(m.group(1)), Integer.parseInt(m.group(2)),
                            m.group(3) == null ? 0 : Integer.parseInt(m.group(3)), Lexer.nanos(m.group(4)));
                } catch (DateTimeException e) {
                    return INCOMPARABLE;
                }
            }
        }
        return INCOMPARABLE;
    }

    /** A multi-select picklist value as the set of its folded, trimmed entries; null when empty. */
    static Object multi(Object raw) {
        Set<String> out = new TreeSet<>();
        if (raw instanceof String s) {
            for (String part : s.split(";", -1)) {
                String p = part.trim();
                if (!p.isEmpty()) {
                    out.add(fold(p));
                }
            }
        } else if (raw instanceof Collection<?> c) {
            for (Object o : c) {
                String p = o == null ? "" : String.valueOf(o).trim();
                if (!p.isEmpty()) {
                    out.add(fold(p));
                }
            }
        } else {
            return INCOMPARABLE;
        }
        return out.isEmpty() ? null : out;
    }

    /** Case-insensitive record lookup: canonical name first, then the name as written, then any case. */
    static Object lookup(Map<String, Object> record, String field, FieldTypes types) {
        if (record == null) {
            return null;
        }
        String canonical = types == null ? null : types.canonicalName(field);
        if (canonical != null && record.containsKey(canonical)) {
            return record.get(canonical);
        }
        if (record.containsKey(field)) {
            return record.get(field);
        }
        for (Map.Entry<String, Object> e : record.entrySet()) {
            if (e.getKey() != null && e.getKey().equalsIgnoreCase(field)) {
                return e.getValue();
            }
        }
        return null;
    }
}
