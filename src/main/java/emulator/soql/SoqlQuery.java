package emulator.soql;

import emulator.soql.Ast.And;
import emulator.soql.Ast.Compare;
import emulator.soql.Ast.Cond;
import emulator.soql.Ast.FieldRef;
import emulator.soql.Ast.Literal;
import emulator.soql.Ast.LiteralKind;
import emulator.soql.Ast.Not;
import emulator.soql.Ast.Op;
import emulator.soql.Ast.Or;
import emulator.soql.Values.Category;
import java.time.Clock;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.OptionalInt;
import java.util.Set;

/** A parsed SOQL query (see {@link Soql#parse}). Immutable and thread-safe. */
public final class SoqlQuery {

    private final String text;
    private final String objectName;
    private final int objectPosition;
    private final List<FieldRef> selectRefs;
    private final List<String> fields;
    private final boolean countOnly;
    private final Cond where;
    private final List<Ordering> orderBy;
    private final List<FieldRef> orderRefs;
    private final OptionalInt limit;

    SoqlQuery(String text, String objectName, int objectPosition, List<FieldRef> selectRefs, boolean countOnly,
            Cond where, List<Ordering> orderBy, List<FieldRef> orderRefs, OptionalInt limit) {
        this.text = text;
        this.objectName = objectName;
        this.objectPosition = objectPosition;
        this.selectRefs = List.copyOf(selectRefs);
        this.fields = selectRefs.stream().map(FieldRef::name).toList();
        this.countOnly = countOnly;
        this.where = where;
        this.orderBy = List.copyOf(orderBy);
        this.orderRefs = List.copyOf(orderRefs);
        this.limit = limit;
    }

    /** The query text as given to {@link Soql#parse}. */
    public String text() {
        return text;
    }

    /** The sObject name as written in FROM. */
    public String objectName() {
        return objectName;
    }

    /** The SELECT list as written, in order; empty for {@code SELECT COUNT()}. */
    public List<String> fields() {
        return fields;
    }

    public List<Ordering> orderBy() {
        return orderBy;
    }

    public OptionalInt limit() {
        return limit;
    }

    /** True for {@code SELECT COUNT() FROM X ...}. */
    public boolean countOnly() {
        return countOnly;
    }

    /** True when the query has a WHERE clause. */
    public boolean hasWhere() {
        return where != null;
    }

    /** Every field named anywhere in the query (SELECT, WHERE, ORDER BY), as written, without duplicates. */
    public List<String> referencedFields() {
        List<String> out = new ArrayList<>();
        Set<String> seen = new java.util.HashSet<>();
        List<FieldRef> all = new ArrayList<>(selectRefs);
        collectFields(where, all);
        all.addAll(orderRefs);
        for (FieldRef f : all) {
            if (seen.add(f.name().toLowerCase(Locale.ROOT))) {
                out.add(f.name());
            }
        }
        return Collections.unmodifiableList(out);
    }

    /**
     * The INVALID_TYPE error Salesforce returns when the FROM object does not exist (for the emulator to throw when
     * it has no such sObject): "sObject type 'X' is not supported. ...".
     */
    public SoqlException unknownObjectError() {
        return Errors.noSuchEntity(text, objectPosition, objectName);
    }

    /**
     * Checks every referenced field against the object's fields and every literal against its field's type.
     *
     * @param entityName the object's canonical name, used in messages ("No such column 'X' on entity 'Account'")
     * @param types the object's fields; null means the object does not exist (INVALID_TYPE)
     * @return canonical names of the SELECT list, in order (empty for COUNT())
     * @throws SoqlException INVALID_TYPE, INVALID_FIELD or INVALID_QUERY_FILTER_OPERATOR
     */
    public List<String> validate(String entityName, FieldTypes types) {
        if (types == null) {
            throw unknownObjectError();
        }
        String entity = entityName == null ? objectName : entityName;
        List<String> canonical = new ArrayList<>();
        for (FieldRef f : selectRefs) {
            requireType(f, entity, types);
            canonical.add(canonicalOf(f.name(), types));
        }
        List<FieldRef> whereFields = new ArrayList<>();
        collectFields(where, whereFields);
        for (FieldRef f : whereFields) {
            requireType(f, entity, types);
        }
        checkLiterals(where, types);
        for (FieldRef f : orderRefs) {
            requireType(f, entity, types);
        }
        return Collections.unmodifiableList(canonical);
    }

    /** Whether a record matches WHERE (true when there is no WHERE); date literals are relative to today (UTC). */
    public boolean matches(Map<String, Object> record, FieldTypes types) {
        return matches(record, types, Clock.systemUTC());
    }

    /** As {@link #matches(Map, FieldTypes)}, with "today" for TODAY, LAST_N_DAYS:n etc. taken from {@code clock}. */
    public boolean matches(Map<String, Object> record, FieldTypes types, Clock clock) {
        if (where == null) {
            return true;
        }
        LocalDate today = LocalDate.ofInstant(clock.instant(), ZoneOffset.UTC);
        return eval(where, record, types, today);
    }

    /**
     * ORDER BY as a comparator: values compared by field type (text ignoring case), nulls first for ASC and last
     * for DESC unless NULLS FIRST/LAST says otherwise. Without ORDER BY every pair compares equal; use a stable
     * sort to keep the store's order for ties.
     */
    public Comparator<Map<String, Object>> comparator(FieldTypes types) {
        List<Ordering> orders = orderBy;
        List<Category> categories = new ArrayList<>();
        for (Ordering o : orders) {
            categories.add(types == null ? null : Values.categoryOfType(types.typeOf(o.field())));
        }
        return (a, b) -> {
            for (int i = 0; i < orders.size(); i++) {
                Ordering o = orders.get(i);
                SortKey ka = sortKey(categories.get(i), Values.lookup(a, o.field(), types));
                SortKey kb = sortKey(categories.get(i), Values.lookup(b, o.field(), types));
                int c;
                if (ka == null && kb == null) {
                    continue;
                } else if (ka == null) {
                    c = o.nullsFirst() ? -1 : 1;
                } else if (kb == null) {
                    c = o.nullsFirst() ? 1 : -1;
                } else {
                    c = ka.compareTo(kb);
                    if (!o.ascending()) {
                        c = -c;
                    }
                }
                if (c != 0) {
                    return c;
                }
            }
            return 0;
        };
    }

    @Override
    public String toString() {
        return "SoqlQuery[" + text + "]";
    }

    // ---------------------------------------------------------------- validation

    private void requireType(FieldRef f, String entity, FieldTypes types) {
        if (types.typeOf(f.name()) == null) {
            throw Errors.noSuchColumn(text, f.position(), f.name(), entity);
        }
    }

    private static String canonicalOf(String field, FieldTypes types) {
        String c = types.canonicalName(field);
        return c == null ? field : c;
    }

    private static void collectFields(Cond c, List<FieldRef> out) {
        if (c == null) {
            return;
        }
        if (c instanceof Compare cmp) {
            out.add(new FieldRef(cmp.field(), cmp.fieldPosition()));
        } else if (c instanceof And and) {
            and.operands().forEach(o -> collectFields(o, out));
        } else if (c instanceof Or or) {
            or.operands().forEach(o -> collectFields(o, out));
        } else if (c instanceof Not not) {
            collectFields(not.operand(), out);
        }
    }

    private void checkLiterals(Cond c, FieldTypes types) {
        if (c == null) {
            return;
        }
        if (c instanceof And and) {
            and.operands().forEach(o -> checkLiterals(o, types));
        } else if (c instanceof Or or) {
            or.operands().forEach(o -> checkLiterals(o, types));
        } else if (c instanceof Not not) {
            checkLiterals(not.operand(), types);
        } else if (c instanceof Compare cmp) {
            checkCompare(cmp, types);
        }
    }

    private void checkCompare(Compare cmp, FieldTypes types) {
        String type = types.typeOf(cmp.field());
        Category category = Values.categoryOfType(type);
        String field = canonicalOf(cmp.field(), types);
        int at = cmp.fieldPosition();
        if ((cmp.op() == Op.INCLUDES || cmp.op() == Op.EXCLUDES) && category != Category.MULTI) {
            throw Errors.filterOperator(text, at, "includes or excludes operator only valid on multipicklist field");
        }
        for (Literal lit : cmp.values()) {
            LiteralKind kind = lit.kind();
            if (kind == LiteralKind.NULL) {
                continue;
            }
            switch (category) {
                case BOOLEAN -> {
                    if (kind != LiteralKind.BOOLEAN) {
                        throw Errors.wrongValueType(text, at, field, "boolean", false);
                    }
                }
                case NUMBER -> {
                    if (kind != LiteralKind.NUMBER) {
                        throw Errors.wrongValueType(text, at, field, numberTypeName(type), false);
                    }
                }
                case DATE -> {
                    if (kind != LiteralKind.DATE && kind != LiteralKind.RELATIVE_DATE) {
                        throw Errors.wrongValueType(text, at, field, "date", false);
                    }
                }
                case DATETIME -> {
                    if (kind != LiteralKind.DATETIME && kind != LiteralKind.RELATIVE_DATE) {
                        throw Errors.wrongValueType(text, at, field, "dateTime", false);
                    }
                }
                case TIME -> {
                    if (kind != LiteralKind.TIME) {
                        throw Errors.wrongValueType(text, at, field, "time", false);
                    }
                }
                case ID -> {
                    if (kind != LiteralKind.STRING) {
                        throw Errors.wrongValueType(text, at, field, "id", true);
                    }
                    String s = (String) lit.value();
                    if (cmp.op() != Op.LIKE && !s.isEmpty() && !Ids.isWellFormed(s)) {
                        throw Errors.filterOperator(text, at, "invalid ID field: " + s);
                    }
                }
                default -> {
                    if (kind != LiteralKind.STRING) {
                        throw Errors.wrongValueType(text, at, field, "string", true);
                    }
                }
            }
        }
    }

    private static String numberTypeName(String type) {
        return switch (type.toLowerCase(Locale.ROOT)) {
            case "int", "integer" -> "integer";
            case "long" -> "long";
            default -> "double";
        };
    }

    // ---------------------------------------------------------------- evaluation

    private static boolean eval(Cond c, Map<String, Object> record, FieldTypes types, LocalDate today) {
        if (c instanceof Compare cmp) {
            return evalCompare(cmp, record, types, today);
        }
        if (c instanceof And and) {
            for (Cond o : and.operands()) {
                if (!eval(o, record, types, today)) {
                    return false;
                }
            }
            return true;
        }
        if (c instanceof Or or) {
            for (Cond o : or.operands()) {
                if (eval(o, record, types, today)) {
                    return true;
                }
            }
            return false;
        }
        if (c instanceof Not not) {
            return !eval(not.operand(), record, types, today);
        }
        return false;
    }

    private static boolean evalCompare(Compare cmp, Map<String, Object> record, FieldTypes types, LocalDate today) {
        Object raw = Values.lookup(record, cmp.field(), types);
        Category category = types == null ? null : Values.categoryOfType(types.typeOf(cmp.field()));
        if (category == null) {
            category = guessCategory(cmp.values(), raw);
        }
        switch (cmp.op()) {
            case EQ:
                return equalsLiteral(category, raw, cmp.values().get(0), today);
            case NE:
                return !equalsLiteral(category, raw, cmp.values().get(0), today);
            case LT:
            case LE:
            case GT:
            case GE:
                return ordered(cmp.op(), category, raw, cmp.values().get(0), today);
            case LIKE:
                return like(raw, cmp.values().get(0));
            case IN:
                return in(category, raw, cmp.values(), today);
            case NOT_IN:
                return !in(category, raw, cmp.values(), today);
            case INCLUDES:
                return includes(raw, cmp.values());
            case EXCLUDES:
                return !includes(raw, cmp.values());
            default:
                return false;
        }
    }

    private static Category guessCategory(List<Literal> values, Object raw) {
        for (Literal l : values) {
            if (l.kind() != LiteralKind.NULL) {
                return Values.categoryOfLiteral(l.kind());
            }
        }
        return Values.categoryOfValue(raw);
    }

    private static boolean equalsLiteral(Category category, Object raw, Literal literal, LocalDate today) {
        Object v = Values.stored(category, raw);
        if (literal.kind() == LiteralKind.RELATIVE_DATE) {
            Object[] range = range(category, (RelativeDate) literal.value(), today);
            if (range == null || v == null || v == Values.INCOMPARABLE) {
                return false;
            }
            return inRange(category, v, range);
        }
        Object l = Values.literal(category, literal);
        if (l == null) {
            return v == null;
        }
        if (v == null || v == Values.INCOMPARABLE || l == Values.INCOMPARABLE) {
            return false;
        }
        return Values.equal(category, v, l);
    }

    private static boolean ordered(Op op, Category category, Object raw, Literal literal, LocalDate today) {
        Object v = Values.stored(category, raw);
        if (v == null || v == Values.INCOMPARABLE) {
            return false;
        }
        if (literal.kind() == LiteralKind.RELATIVE_DATE) {
            Object[] range = range(category, (RelativeDate) literal.value(), today);
            if (range == null) {
                return false;
            }
            Integer vsStart = Values.compare(category, v, range[0]);
            Integer vsEnd = Values.compare(category, v, range[1]);
            if (vsStart == null || vsEnd == null) {
                return false;
            }
            return switch (op) {
                case LT -> vsStart < 0;
                case LE -> vsEnd < 0;
                case GT -> vsEnd >= 0;
                default -> vsStart >= 0;
            };
        }
        Object l = Values.literal(category, literal);
        if (l == null || l == Values.INCOMPARABLE) {
            return false;
        }
        Integer c = Values.compare(category, v, l);
        if (c == null) {
            return false;
        }
        return switch (op) {
            case LT -> c < 0;
            case LE -> c <= 0;
            case GT -> c > 0;
            default -> c >= 0;
        };
    }

    /** Range of a relative date literal in the category's value space, or null if it does not apply. */
    private static Object[] range(Category category, RelativeDate date, LocalDate today) {
        LocalDate[] days = date.range(today);
        if (category == Category.DATE) {
            return new Object[] {days[0], days[1]};
        }
        if (category == Category.DATETIME) {
            Instant start = days[0].atStartOfDay(ZoneOffset.UTC).toInstant();
            Instant end = days[1].atStartOfDay(ZoneOffset.UTC).toInstant();
            return new Object[] {start, end};
        }
        return null;
    }

    private static boolean inRange(Category category, Object v, Object[] range) {
        Integer vsStart = Values.compare(category, v, range[0]);
        Integer vsEnd = Values.compare(category, v, range[1]);
        return vsStart != null && vsEnd != null && vsStart >= 0 && vsEnd < 0;
    }

    private static boolean like(Object raw, Literal literal) {
        String s = Values.scalarText(raw);
        if (s == null || s.isEmpty() || literal.like() == null) {
            return false;
        }
        return Like.matches(literal.like(), s);
    }

    private static boolean in(Category category, Object raw, List<Literal> values, LocalDate today) {
        for (Literal l : values) {
            if (equalsLiteral(category, raw, l, today)) {
                return true;
            }
        }
        return false;
    }

    @SuppressWarnings("unchecked")
    private static boolean includes(Object raw, List<Literal> values) {
        Object v = Values.multi(raw == null ? "" : raw);
        if (!(v instanceof Set<?>)) {
            return false;
        }
        Set<String> have = (Set<String>) v;
        for (Literal l : values) {
            Object wanted = Values.literal(Category.MULTI, l);
            if (wanted instanceof Set<?> w && have.containsAll(w)) {
                return true;
            }
        }
        return false;
    }

    // ---------------------------------------------------------------- ordering

    /** rank separates values that cannot be compared with each other (typed values first, then fallbacks). */
    private record SortKey(int rank, Comparable<?> key) implements Comparable<SortKey> {
        @Override
        @SuppressWarnings({"unchecked", "rawtypes"})
        public int compareTo(SortKey o) {
            if (rank != o.rank) {
                return Integer.compare(rank, o.rank);
            }
            return ((Comparable) key).compareTo(o.key);
        }
    }

    private static SortKey sortKey(Category category, Object raw) {
        if (raw == null) {
            return null;
        }
        if (category != null) {
            Object typed = Values.stored(category, raw);
            if (typed == null) {
                return null;
            }
            if (typed != Values.INCOMPARABLE) {
                return new SortKey(0, Values.sortKey(category, typed));
            }
            return new SortKey(1, Values.fold(Objects.toString(raw)));
        }
        // unknown field type: order by the Java type of the value
        if (raw instanceof Number) {
            Object n = Values.number(raw);
            if (n != Values.INCOMPARABLE) {
                return new SortKey(0, (Comparable<?>) n);
            }
        }
        if (raw instanceof Boolean b) {
            return new SortKey(1, b);
        }
        if (raw instanceof String s) {
            return s.isEmpty() ? null : new SortKey(2, Values.fold(s));
        }
        return new SortKey(3, Values.fold(Objects.toString(raw)));
    }
}
