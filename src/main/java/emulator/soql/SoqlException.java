package emulator.soql;

/**
 * A SOQL query was rejected. {@link #errorCode()} is the Salesforce REST error code to put in the
 * error body ({@code [{"message": ..., "errorCode": ...}]}, HTTP 400):
 * <ul>
 *   <li>{@code MALFORMED_QUERY} - syntax error or a construct this emulator does not support;</li>
 *   <li>{@code INVALID_FIELD} - unknown column, or a literal of the wrong type for the field;</li>
 *   <li>{@code INVALID_TYPE} - unknown sObject in FROM (see {@link SoqlQuery#validate});</li>
 *   <li>{@code INVALID_QUERY_FILTER_OPERATOR} - malformed id literal compared to an id/reference field, or
 *       INCLUDES/EXCLUDES used on a field that is not a multi-select picklist.</li>
 * </ul>
 */
public final class SoqlException extends RuntimeException {

    private static final long serialVersionUID = 1L;

    public static final String MALFORMED_QUERY = "MALFORMED_QUERY";
    public static final String INVALID_FIELD = "INVALID_FIELD";
    public static final String INVALID_TYPE = "INVALID_TYPE";
    public static final String INVALID_QUERY_FILTER_OPERATOR = "INVALID_QUERY_FILTER_OPERATOR";

    private final String errorCode;

    public SoqlException(String errorCode, String message) {
        super(message);
        this.errorCode = errorCode;
    }

    public String errorCode() {
        return errorCode;
    }
}
