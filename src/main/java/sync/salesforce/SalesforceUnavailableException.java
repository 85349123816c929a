package sync.salesforce;

import java.util.List;

/**
 * A Salesforce call failed as a whole for a reason that may pass: no answer (I/O error, timeout),
 * a 5xx, the daily request limit, a row lock, or a session camel-salesforce could not renew.
 * Nothing about the records is known to be wrong: retry the same call with backoff.
 */
public class SalesforceUnavailableException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    private final int httpStatus;
    private final transient List<SalesforceError> errors;

    public SalesforceUnavailableException(String message, int httpStatus, List<SalesforceError> errors, Throwable cause) {
        super(message, cause);
        this.httpStatus = httpStatus;
        this.errors = errors == null ? List.of() : List.copyOf(errors);
    }

    /** The HTTP status, 0 when no response arrived. */
    public int httpStatus() {
        return httpStatus;
    }

    /** Salesforce's errors, empty when the answer had none (or there was no answer). */
    public List<SalesforceError> errors() {
        return errors;
    }
}
