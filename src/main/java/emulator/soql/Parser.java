package emulator.soql;

import emulator.soql.Ast.Compare;
import emulator.soql.Ast.Cond;
import emulator.soql.Ast.FieldRef;
import emulator.soql.Ast.Literal;
import emulator.soql.Ast.LiteralKind;
import emulator.soql.Ast.Op;
import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.OptionalInt;
import java.util.Set;

/**
 * Recursive-descent parser for the supported SOQL subset:
 *
 * <pre>
 * query     := SELECT (COUNT '(' ')' | field (',' field)*) FROM object
 *              [WHERE cond] [ORDER BY order (',' order)*] [LIMIT integer] EOF
 * order     := field [ASC | DESC] [NULLS (FIRST | LAST)]
 * cond      := unary ((AND unary)* | (OR unary)*)        -- AND and OR may not be mixed on one level
 * unary     := [NOT] primary
 * primary   := '(' cond ')' | field op value | field [NOT] IN list | field (INCLUDES | EXCLUDES) list
 *            | field LIKE string
 * </pre>
 */
final class Parser {

    /** SOQL reserved words (they cannot name a field or an object), plus the boolean literals. */
    private static final Set<String> RESERVED = Set.of("AND", "ASC", "DESC", "EXCLUDES", "FIRST", "FROM", "GROUP",
            "HAVING", "IN", "INCLUDES", "LAST", "LIKE", "LIMIT", "NOT", "NULL", "NULLS", "OR", "SELECT", "WHERE",
            "WITH", "TRUE", "FALSE");

    /** Deepest parenthesis nesting accepted (keeps recursion bounded for hostile input). */
    static final int MAX_DEPTH = 100;

    private static final int MAX_DATE_N = 1_000_000;

    private final String text;
    private final List<Token> tokens;
    private int index;

    private Parser(String text, List<Token> tokens) {
        this.text = text;
        this.tokens = tokens;
    }

    static SoqlQuery parse(String text) {
        Parser parser = new Parser(text, Lexer.tokenize(text));
        return parser.query();
    }

    private SoqlQuery query() {
        expectWord("SELECT");
        boolean countOnly = false;
        List<FieldRef> fields = new ArrayList<>();
        if (peek(0).isWord("COUNT") && peek(1).is(Token.Kind.LPAREN)) {
            index += 2;
            expect(Token.Kind.RPAREN);
            countOnly = true;
        } else {
            Map<String, FieldRef> seen = new HashMap<>();
            do {
                FieldRef field = fieldRef();
                if (seen.putIfAbsent(field.name().toLowerCase(Locale.ROOT), field) != null) {
                    throw Errors.malformed(text, field.position(), "duplicate field selected: " + field.name());
                }
                fields.add(field);
            } while (accept(Token.Kind.COMMA));
        }
        expectWord("FROM");
        Token object = next();
        if (!isName(object)) {
            throw Errors.unexpected(text, object);
        }
        Cond where = null;
        if (acceptWord("WHERE")) {
            where = condition(0);
        }
        List<Ordering> orderBy = new ArrayList<>();
        List<FieldRef> orderRefs = new ArrayList<>();
        if (peek(0).isWord("ORDER")) {
            index++;
            expectWord("BY");
            do {
                FieldRef field = fieldRef();
                boolean ascending = true;
                if (acceptWord("DESC")) {
                    ascending = false;
                } else {
                    acceptWord("ASC");
                }
                boolean nullsFirst = ascending;
                if (acceptWord("NULLS")) {
                    Token which = next();
                    if (which.isWord("FIRST")) {
                        nullsFirst = true;
                    } else if (which.isWord("LAST")) {
                        nullsFirst = false;
                    } else {
                        throw Errors.unexpected(text, which);
                    }
                }
                orderBy.add(new Ordering(field.name(), ascending, nullsFirst));
                orderRefs.add(field);
            } while (accept(Token.Kind.COMMA));
        }
        OptionalInt limit = OptionalInt.empty();
        if (acceptWord("LIMIT")) {
            limit = OptionalInt.of(nonNegativeInt(next(), Integer.MAX_VALUE));
        }
        Token end = peek(0);
        if (!end.is(Token.Kind.EOF)) {
            throw Errors.unexpected(text, end);
        }
        return new SoqlQuery(text, object.text(), object.start(), fields, countOnly, where, orderBy, orderRefs,
                limit);
    }

    private Cond condition(int depth) {
        List<Cond> operands = new ArrayList<>();
        operands.add(unary(depth));
        String joiner = null;
        while (peek(0).isWord("AND") || peek(0).isWord("OR")) {
            Token op = peek(0);
            String kind = op.upper();
            if (joiner != null && !joiner.equals(kind)) {
                // Salesforce requires parentheses when AND and OR are combined
                throw Errors.unexpected(text, op);
            }
            joiner = kind;
            index++;
            operands.add(unary(depth));
        }
        if (joiner == null) {
            return operands.get(0);
        }
        return joiner.equals("AND") ? new Ast.And(List.copyOf(operands)) : new Ast.Or(List.copyOf(operands));
    }

    private Cond unary(int depth) {
        if (acceptWord("NOT")) {
            return new Ast.Not(primary(depth));
        }
        return primary(depth);
    }

    private Cond primary(int depth) {
        Token t = peek(0);
        if (t.is(Token.Kind.LPAREN)) {
            if (depth >= MAX_DEPTH) {
                throw Errors.malformed(text, t.start(), "unexpected token: '(' (parentheses nested too deeply)");
            }
            index++;
            Cond inner = condition(depth + 1);
            expect(Token.Kind.RPAREN);
            return inner;
        }
        return comparison();
    }

    private Cond comparison() {
        FieldRef field = fieldRef();
        Token t = next();
        Op op;
        if (t.is(Token.Kind.OPERATOR)) {
            op = switch (t.text()) {
                case "=" -> Op.EQ;
                case "!=", "<>" -> Op.NE;
                case "<" -> Op.LT;
                case "<=" -> Op.LE;
                case ">" -> Op.GT;
                default -> Op.GE;
            };
        } else if (t.isWord("LIKE")) {
            op = Op.LIKE;
        } else if (t.isWord("IN")) {
            op = Op.IN;
        } else if (t.isWord("NOT")) {
            Token in = next();
            if (!in.isWord("IN")) {
                throw Errors.unexpected(text, in);
            }
            op = Op.NOT_IN;
        } else if (t.isWord("INCLUDES")) {
            op = Op.INCLUDES;
        } else if (t.isWord("EXCLUDES")) {
            op = Op.EXCLUDES;
        } else {
            throw Errors.unexpected(text, t);
        }
        List<Literal> values = new ArrayList<>();
        if (op == Op.IN || op == Op.NOT_IN || op == Op.INCLUDES || op == Op.EXCLUDES) {
            expect(Token.Kind.LPAREN);
            do {
                values.add(literal(op));
            } while (accept(Token.Kind.COMMA));
            expect(Token.Kind.RPAREN);
        } else {
            values.add(literal(op));
        }
        return new Compare(field.name(), field.position(), op, List.copyOf(values));
    }

    private Literal literal(Op op) {
        Token t = next();
        Literal literal = switch (t.kind()) {
            case STRING -> new Literal(LiteralKind.STRING, t.value(), t.text(), t.start(), t.like());
            case NUMBER -> new Literal(LiteralKind.NUMBER, t.value(), t.text(), t.start(), null);
            case DATE -> new Literal(LiteralKind.DATE, t.value(), t.text(), t.start(), null);
            case DATETIME -> new Literal(LiteralKind.DATETIME, t.value(), t.text(), t.start(), null);
            case TIME -> new Literal(LiteralKind.TIME, t.value(), t.text(), t.start(), null);
            case COLON -> throw Errors.malformed(text, t.start(), "Bind variables only allowed in Apex code");
            case IDENT -> wordLiteral(t);
            default -> throw Errors.unexpected(text, t);
        };
        boolean stringOnly = op == Op.LIKE || op == Op.INCLUDES || op == Op.EXCLUDES;
        if (stringOnly && literal.kind() != LiteralKind.STRING
                && !(literal.kind() == LiteralKind.NULL && op != Op.LIKE)) {
            throw Errors.unexpected(text, t);
        }
        return literal;
    }

    private Literal wordLiteral(Token t) {
        String word = t.upper();
        switch (word) {
            case "TRUE":
                return new Literal(LiteralKind.BOOLEAN, Boolean.TRUE, t.text(), t.start(), null);
            case "FALSE":
                return new Literal(LiteralKind.BOOLEAN, Boolean.FALSE, t.text(), t.start(), null);
            case "NULL":
                return new Literal(LiteralKind.NULL, null, t.text(), t.start(), null);
            default:
                break;
        }
        if (RelativeDate.isPlain(word)) {
            return new Literal(LiteralKind.RELATIVE_DATE, new RelativeDate(word, 0), t.text(), t.start(), null);
        }
        if (RelativeDate.takesN(word)) {
            expect(Token.Kind.COLON);
            Token number = next();
            int n = nonNegativeInt(number, MAX_DATE_N);
            return new Literal(LiteralKind.RELATIVE_DATE, new RelativeDate(word, n),
                    text.substring(t.start(), number.end()), t.start(), null);
        }
        if (RESERVED.contains(word) || t.text().indexOf('.') >= 0) {
            throw Errors.unexpected(text, t);
        }
        // A bare identifier on the value side (e.g. another field) is read by Salesforce as an Apex bind.
        throw Errors.malformed(text, t.start(), "Bind variables only allowed in Apex code");
    }

    private int nonNegativeInt(Token t, int max) {
        if (t.is(Token.Kind.NUMBER) && t.text().chars().allMatch(c -> c >= '0' && c <= '9')) {
            BigDecimal value = (BigDecimal) t.value();
            if (value.compareTo(BigDecimal.valueOf(max)) <= 0) {
                return value.intValueExact();
            }
        }
        throw Errors.unexpected(text, t);
    }

    private FieldRef fieldRef() {
        Token t = next();
        if (!isName(t)) {
            throw Errors.unexpected(text, t);
        }
        return new FieldRef(t.text(), t.start());
    }

    /** A plain (undotted) identifier that is not a reserved word. */
    private static boolean isName(Token t) {
        return t.is(Token.Kind.IDENT) && t.text().indexOf('.') < 0 && !RESERVED.contains(t.upper());
    }

    private Token peek(int ahead) {
        int i = Math.min(index + ahead, tokens.size() - 1);
        return tokens.get(i);
    }

    private Token next() {
        Token t = peek(0);
        if (!t.is(Token.Kind.EOF)) {
            index++;
        }
        return t;
    }

    private boolean accept(Token.Kind kind) {
        if (peek(0).is(kind)) {
            index++;
            return true;
        }
        return false;
    }

    private boolean acceptWord(String word) {
        if (peek(0).isWord(word)) {
            index++;
            return true;
        }
        return false;
    }

    private void expect(Token.Kind kind) {
        Token t = next();
        if (!t.is(kind)) {
            throw Errors.unexpected(text, t);
        }
    }

    private void expectWord(String word) {
        Token t = next();
        if (!t.isWord(word)) {
            throw Errors.unexpected(text, t);
        }
    }
}
