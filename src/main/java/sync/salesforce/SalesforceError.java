package sync.salesforce;

import java.util.List;

/**
 * One error as Salesforce reports it: {@code statusCode} inside sObject Collections results,
 * {@code errorCode} in a failed call's error array (both land in {@code statusCode} here), its
 * message and the fields it names.
 */
public record SalesforceError(String statusCode, String message, List<String> fields) {
    public SalesforceError {
        fields = fields == null ? List.of() : List.copyOf(fields);
    }

    /** Whether the same write may succeed later (a lock, a limit, a busy server); see {@link SalesforceErrors}. */
    public boolean retriable() {
        return SalesforceErrors.isTransient(statusCode);
    }

    @Override
    public String toString() {
        return statusCode + ": " + message + (fields.isEmpty() ? "" : " " + fields);
    }
}
