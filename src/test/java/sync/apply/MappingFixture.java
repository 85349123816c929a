package sync.apply;

import sync.config.PostgresDeletePolicy;
import sync.config.SyncConfig;
import sync.mapping.SalesforceField;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

/** A mapping as configuration would give it, and an Account-like describe, for tests. */
public record MappingFixture(String object, String table, SyncConfig.Direction direction, String idColumn,
                             Map<String, String> fields, PostgresDeletePolicy deletePolicy) implements SyncConfig.Mapping {

    public static MappingFixture of(String table, PostgresDeletePolicy deletes, String... fieldColumnPairs) {
        Map<String, String> fields = new LinkedHashMap<>();
        for (int i = 0; i < fieldColumnPairs.length; i += 2) {
            fields.put(fieldColumnPairs[i], fieldColumnPairs[i + 1]);
        }
        return new MappingFixture("Account", table, SyncConfig.Direction.TO_POSTGRES, "sfid", fields, deletes);
    }

    public MappingFixture withIdColumn(String column) {
        return new MappingFixture(object, table, direction, column, fields, deletePolicy);
    }

    /** Tables in these tests exist or are created by the test itself. */
    public boolean autoCreate() {
        return false;
    }

    @Override
    public Optional<SyncConfig.ExternalId> externalId() {
        return Optional.empty();
    }

    @Override
    public SyncConfig.Deletes deletes() {
        return new SyncConfig.Deletes() {
            @Override
            public PostgresDeletePolicy inPostgres() {
                return deletePolicy;
            }

            @Override
            public SyncConfig.SalesforceDeletePolicy inSalesforce() {
                return SyncConfig.SalesforceDeletePolicy.DELETE;
            }
        };
    }

    @Override
    public SyncConfig.ConflictPolicy conflicts() {
        return SyncConfig.ConflictPolicy.LAST_WRITER_WINS;
    }

    public static PostgresDeletePolicy policy(String text) {
        return PostgresDeletePolicy.parse(text);
    }

    /** Fields of an Account-like object, as describe reports them. */
    public static Map<String, SalesforceField> accountDescribe() {
        Map<String, SalesforceField> d = new LinkedHashMap<>();
        add(d, "Id", "id", 18, 0, 0);
        add(d, "Name", "string", 255, 0, 0);
        add(d, "Industry", "picklist", 255, 0, 0);
        add(d, "Type", "picklist", 255, 0, 0);
        add(d, "Regions__c", "multipicklist", 4099, 0, 0);
        add(d, "AnnualRevenue", "currency", 0, 18, 2);
        add(d, "Discount__c", "percent", 0, 5, 2);
        add(d, "Score__c", "double", 0, 18, 0);
        add(d, "NumberOfEmployees", "int", 0, 8, 0);
        add(d, "Active__c", "boolean", 0, 0, 0);
        add(d, "SLAExpirationDate__c", "date", 0, 0, 0);
        add(d, "LastReviewed__c", "datetime", 0, 0, 0);
        add(d, "OpensAt__c", "time", 0, 0, 0);
        add(d, "ParentId", "reference", 18, 0, 0);
        add(d, "Description", "textarea", 131072, 0, 0);
        add(d, "BillingAddress", "address", 0, 0, 0);
        add(d, "BillingStreet", "textarea", 255, 0, 0);
        add(d, "BillingCity", "string", 40, 0, 0);
        add(d, "BillingPostalCode", "string", 20, 0, 0);
        add(d, "BillingCountry", "string", 80, 0, 0);
        add(d, "CreatedDate", "datetime", 0, 0, 0);
        add(d, "LastModifiedDate", "datetime", 0, 0, 0);
        return d;
    }

    private static void add(Map<String, SalesforceField> d, String name, String type, int length, int precision, int scale) {
        d.put(name, new SalesforceField(name, type, true, true, true, length, precision, scale));
    }
}
