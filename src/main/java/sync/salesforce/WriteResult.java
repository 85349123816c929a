package sync.salesforce;

import java.util.List;

/**
 * The outcome of one record of an sObject Collections write, at the record's position in the
 * request. {@code id} is the record's Id (absent for a failed create), {@code created} tells an
 * upsert's insert from its update (true for every successful create, false for updates and deletes).
 */
public record WriteResult(boolean success, String id, boolean created, List<SalesforceError> errors) {
    public WriteResult {
        errors = errors == null ? List.of() : List.copyOf(errors);
    }

    /**
     * A failed record whose every error may pass (a row lock, a limit, a busy server): write it
     * again later. False for successes and for records Salesforce refused for their content.
     */
    public boolean retriable() {
        return !success && !errors.isEmpty() && errors.stream().allMatch(SalesforceError::retriable);
    }

    /** The first error's code, or null for a success. */
    public String errorCode() {
        return errors.isEmpty() ? null : errors.get(0).statusCode();
    }
}
