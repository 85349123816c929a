package emulator.soql;

/** The fields of the queried sObject, as needed by {@link SoqlQuery#validate}, {@link SoqlQuery#matches} and
 * {@link SoqlQuery#comparator}. */
public interface FieldTypes {

    /**
     * Salesforce describe type of a field of the queried object ("id", "string", "textarea", "picklist",
     * "multipicklist", "reference", "boolean", "int", "double", "currency", "percent", "date", "datetime", "time",
     * "email", "phone", "url", "address" ...), or null if the object has no such field. Case-insensitive field
     * names.
     */
    String typeOf(String field);

    /** Canonical spelling of the field name (as declared), or null if unknown. */
    String canonicalName(String field);
}
