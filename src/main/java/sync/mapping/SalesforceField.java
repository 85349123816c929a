package sync.mapping;

/**
 * One field of a Salesforce object as describe reports it: what the mapping layer needs to
 * check a mapping and to choose a column type.
 *
 * @param name       field API name, e.g. {@code BillingCity} or {@code Loan_Amount__c}
 * @param type       describe type, e.g. {@code string}, {@code currency}, {@code datetime}
 * @param createable whether the integration user can set it on insert
 * @param updateable whether the integration user can change it
 * @param nillable   whether it may be null
 * @param length     maximum length of text fields (0 otherwise)
 * @param precision  total digits of number fields (0 otherwise)
 * @param scale      digits after the decimal point of number fields (0 otherwise)
 */
public record SalesforceField(String name, String type, boolean createable, boolean updateable, boolean nillable,
                              int length, int precision, int scale) {

    public SalesforceField {
        if (name == null || name.isBlank() || type == null || type.isBlank()) {
            throw new IllegalArgumentException("a Salesforce field needs a name and a type");
        }
    }
}
