package emulator.soql;

import java.util.List;

/** Parsed WHERE-clause tree. */
final class Ast {

    private Ast() {
    }

    enum LiteralKind {
        STRING, NUMBER, BOOLEAN, NULL, DATE, DATETIME, TIME, RELATIVE_DATE
    }

    /**
     * A literal value. {@code value}: String, BigDecimal, Boolean, null, LocalDate, Instant, LocalTime or
     * RelativeDate depending on {@code kind}. {@code like} is set for string literals (the LIKE pattern).
     */
    record Literal(LiteralKind kind, Object value, String text, int position, int[] like) {
    }

    enum Op {
        EQ("="), NE("!="), LT("<"), LE("<="), GT(">"), GE(">="), LIKE("LIKE"), IN("IN"), NOT_IN("NOT IN"),
        INCLUDES("INCLUDES"), EXCLUDES("EXCLUDES");

        final String symbol;

        Op(String symbol) {
            this.symbol = symbol;
        }
    }

    sealed interface Cond permits And, Or, Not, Compare {
    }

    record And(List<Cond> operands) implements Cond {
    }

    record Or(List<Cond> operands) implements Cond {
    }

    record Not(Cond operand) implements Cond {
    }

    /** {@code field op value} or {@code field op (value, ...)} for IN / NOT IN / INCLUDES / EXCLUDES. */
    record Compare(String field, int fieldPosition, Op op, List<Literal> values) implements Cond {
    }

    /** A field reference with its offset in the query text (for error carets). */
    record FieldRef(String name, int position) {
    }
}
