package emulator.soql;

/**
 * Builds error messages in Salesforce's SOQL error layout:
 *
 * <pre>
 * "\n" + line of the query holding the offending token + "\n"
 *      + spaces up to the token + "^\n"
 *      + "ERROR at Row:" + row + ":Column:" + column + "\n"
 *      + detail
 * </pre>
 *
 * Row and column are 1-based. Real Salesforce cuts very long lines down to a window around the token; this
 * emulator always prints the whole line.
 */
final class Errors {

    private Errors() {
    }

    /** Row/column (1-based) of a character offset in the query text. */
    record Position(int row, int column, String line) {
    }

    static Position position(String text, int offset) {
        int off = Math.max(0, Math.min(offset, text.length()));
        int lineStart = text.lastIndexOf('\n', off - 1) + 1;
        int lineEnd = text.indexOf('\n', off);
        if (lineEnd < 0) {
            lineEnd = text.length();
        }
        String line = text.substring(lineStart, lineEnd);
        if (line.endsWith("\r")) {
            line = line.substring(0, line.length() - 1);
        }
        int row = 1;
        for (int i = 0; i < lineStart; i++) {
            if (text.charAt(i) == '\n') {
                row++;
            }
        }
        return new Position(row, off - lineStart + 1, line);
    }

    static String located(String text, int offset, String detail) {
        Position p = position(text, offset);
        StringBuilder sb = new StringBuilder(p.line().length() * 2 + detail.length() + 40);
        sb.append('\n').append(p.line()).append('\n');
        sb.append(" ".repeat(p.column() - 1)).append('^').append('\n');
        sb.append("ERROR at Row:").append(p.row()).append(":Column:").append(p.column()).append('\n');
        sb.append(detail);
        return sb.toString();
    }

    static SoqlException malformed(String text, int offset, String detail) {
        return new SoqlException(SoqlException.MALFORMED_QUERY, located(text, offset, detail));
    }

    static SoqlException unexpected(String text, Token token) {
        if (token.kind() == Token.Kind.EOF) {
            return malformed(text, token.start(), "unexpected token: <EOF>");
        }
        return malformed(text, token.start(), "unexpected token: '" + token.text() + "'");
    }

    static SoqlException noSuchColumn(String text, int offset, String field, String entity) {
        return new SoqlException(SoqlException.INVALID_FIELD, located(text, offset,
                "No such column '" + field + "' on entity '" + entity + "'. If you are attempting to use a custom "
                        + "field, be sure to append the '__c' after the custom field name. Please reference your WSDL "
                        + "or the describe call for the appropriate names."));
    }

    static SoqlException noSuchEntity(String text, int offset, String entity) {
        return new SoqlException(SoqlException.INVALID_TYPE, located(text, offset,
                "sObject type '" + entity + "' is not supported. If you are attempting to use a custom object, be "
                        + "sure to append the '__c' after the entity name. Please reference your WSDL or the describe "
                        + "call for the appropriate names."));
    }

    static SoqlException wrongValueType(String text, int offset, String field, String typeName, boolean quoted) {
        return new SoqlException(SoqlException.INVALID_FIELD, located(text, offset,
                "value of filter criterion for field '" + field + "' must be of type " + typeName + " and should "
                        + (quoted ? "" : "not ") + "be enclosed in quotes"));
    }

    static SoqlException filterOperator(String text, int offset, String detail) {
        return new SoqlException(SoqlException.INVALID_QUERY_FILTER_OPERATOR, located(text, offset, detail));
    }
}
