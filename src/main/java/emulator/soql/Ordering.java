package emulator.soql;

/**
 * One ORDER BY item. {@code nullsFirst} is already resolved: explicit NULLS FIRST/LAST if given, otherwise
 * true for ASC and false for DESC (Salesforce's defaults).
 */
public record Ordering(String field, boolean ascending, boolean nullsFirst) {
}
