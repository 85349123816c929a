package sync.salesforce;

import java.util.List;
import java.util.Set;

/**
 * The one place that decides whether a Salesforce write failure is worth retrying.
 *
 * <p>Transient error codes name a condition of the org, not of the record: a row lock held by
 * another transaction ({@code UNABLE_TO_LOCK_ROW}), the daily or concurrent request limit
 * ({@code REQUEST_LIMIT_EXCEEDED}), a busy or slow server ({@code SERVER_UNAVAILABLE},
 * {@code REQUEST_RUNNING_TOO_LONG}), and a record rolled back only because a sibling failed
 * ({@code ALL_OR_NONE_OPERATION_ROLLED_BACK}). Every other code ({@code REQUIRED_FIELD_MISSING},
 * {@code DUPLICATE_VALUE}, {@code INVALID_FIELD}, {@code FIELD_CUSTOM_VALIDATION_EXCEPTION},
 * {@code ENTITY_IS_DELETED}, {@code INVALID_CROSS_REFERENCE_KEY}, {@code STRING_TOO_LONG}, ...)
 * is permanent: the same record would fail again, so it is dead-lettered.
 *
 * <p>A whole call is transient when it got no answer (I/O error, timeout), a 5xx, 408 or 429, a
 * 401 that camel-salesforce's re-login did not cure (the credentials, not the records, are at
 * fault), or any transient code (Salesforce answers {@code REQUEST_LIMIT_EXCEEDED} with 403 and
 * {@code UNABLE_TO_LOCK_ROW} with 400). Any other 4xx is a rejection of the request itself. A
 * refused (re-)login is transient too: it is about who calls, and an operator can fix it.
 */
public final class SalesforceErrors {
    private static final Set<String> TRANSIENT_CODES = Set.of("UNABLE_TO_LOCK_ROW", "REQUEST_LIMIT_EXCEEDED",
            "SERVER_UNAVAILABLE", "REQUEST_RUNNING_TOO_LONG", "ALL_OR_NONE_OPERATION_ROLLED_BACK");
    private static final Set<Integer> TRANSIENT_STATUSES = Set.of(0, 401, 408, 429, 500, 502, 503, 504);

    private SalesforceErrors() {
    }

    /** Whether a per-record or whole-call error code names a condition that may pass. */
    public static boolean isTransient(String errorCode) {
        return errorCode != null && TRANSIENT_CODES.contains(errorCode);
    }

    /** Whether a failed call (HTTP status, 0 for no answer, and Salesforce's errors) may succeed when repeated. */
    public static boolean isTransient(int httpStatus, List<SalesforceError> errors) {
        return TRANSIENT_STATUSES.contains(httpStatus) || errors.stream().anyMatch(SalesforceError::retriable);
    }

    /** The exception for a failed call: {@link SalesforceUnavailableException} or {@link SalesforceRejectedException}. */
    public static RuntimeException callFailed(String call, int httpStatus, List<SalesforceError> errors, Throwable cause) {
        String detail = !errors.isEmpty() ? " " + errors : cause != null ? " (" + cause.getMessage() + ")" : "";
        String message = call + " failed: " + (httpStatus == 0 ? "no answer from Salesforce" : "HTTP " + httpStatus) + detail;
        return isTransient(httpStatus, errors)
                ? new SalesforceUnavailableException(message, httpStatus, errors, cause)
                : new SalesforceRejectedException(message, httpStatus, errors, cause);
    }

    /** The exception for a call that failed because camel-salesforce could not log in (again). */
    public static SalesforceUnavailableException loginFailed(String call, int httpStatus, List<SalesforceError> errors,
                                                             Throwable cause) {
        return new SalesforceUnavailableException(call + " failed: Salesforce refused the login (HTTP " + httpStatus + ") "
                + errors, httpStatus, errors, cause);
    }
}
