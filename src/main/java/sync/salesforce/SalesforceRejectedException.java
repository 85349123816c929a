package sync.salesforce;

import java.util.List;

/**
 * Salesforce refused a call as a whole for what it was asked (an unknown object or external-id
 * field, a malformed request): the same call would fail again, so its records are dead-lettered
 * with {@link #errorCode()} and {@link #salesforceMessage()}.
 */
public class SalesforceRejectedException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    private final int httpStatus;
    private final transient List<SalesforceError> errors;

    public SalesforceRejectedException(String message, int httpStatus, List<SalesforceError> errors, Throwable cause) {
        super(message, cause);
        this.httpStatus = httpStatus;
        this.errors = errors == null ? List.of() : List.copyOf(errors);
    }

    public int httpStatus() {
        return httpStatus;
    }

    public List<SalesforceError> errors() {
        return errors;
    }

    /** Salesforce's errorCode (of the first error), e.g. {@code NOT_FOUND}, {@code MALFORMED_ID}. */
    public String errorCode() {
        return errors.isEmpty() ? null : errors.get(0).statusCode();
    }

    /** Salesforce's message (of the first error). */
    public String salesforceMessage() {
        return errors.isEmpty() ? null : errors.get(0).message();
    }
}
