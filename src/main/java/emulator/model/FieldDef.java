package emulator.model;

import java.util.List;

/**
 * One field of an sObject as describe reports it. {@code compoundFieldName} names the
 * compound (Address or Name) field a component belongs to; {@code componentName} is the
 * component's key inside that compound in change events (e.g. "Street").
 */
public record FieldDef(
        String name,
        String label,
        String type,
        int length,
        int precision,
        int scale,
        int digits,
        boolean nillable,
        boolean createable,
        boolean updateable,
        boolean externalId,
        boolean unique,
        boolean custom,
        boolean nameField,
        boolean defaultedOnCreate,
        boolean calculated,
        List<String> referenceTo,
        String relationshipName,
        List<String> picklistValues,
        boolean restrictedPicklist,
        String compoundFieldName,
        String componentName,
        Object defaultValue) {

    public String soapType() {
        return switch (type) {
            case "id", "reference" -> "tns:ID";
            case "boolean" -> "xsd:boolean";
            case "int" -> "xsd:int";
            case "double", "currency", "percent" -> "xsd:double";
            case "date" -> "xsd:date";
            case "datetime" -> "xsd:dateTime";
            case "time" -> "xsd:time";
            case "address" -> "urn:address";
            case "location" -> "urn:location";
            default -> "xsd:string";
        };
    }

    public boolean isCompound() {
        return "address".equals(type) || (nameField && !createable && !updateable && calculated);
    }

    public boolean isNumeric() {
        return switch (type) {
            case "int", "double", "currency", "percent" -> true;
            default -> false;
        };
    }

    public boolean isText() {
        return switch (type) {
            case "string", "textarea", "picklist", "multipicklist", "email", "phone", "url", "combobox",
                 "encryptedstring" -> true;
            default -> false;
        };
    }
}
