package sync.mapping;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import sync.apply.MappingFixture;
import sync.apply.TestDb;
import sync.config.PostgresDeletePolicy;
import sync.config.SyncConfig;

import java.sql.Connection;
import java.sql.SQLException;
import java.util.Map;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.params.provider.Arguments.arguments;

/** Mappings checked against real tables: every problem named with its fix, all of them at once. */
class MappingResolverTest {
    private static final String SCHEMA = "resolver";
    private static final Map<String, SalesforceField> DESCRIBE = MappingFixture.accountDescribe();
    private static final PostgresDeletePolicy HARD = MappingFixture.policy("hard");

    @BeforeAll
    static void tables() {
        TestDb.freshSchema(SCHEMA);
        TestDb.exec(
                "CREATE TABLE resolver.account (id serial PRIMARY KEY, sfid text UNIQUE, name varchar(255), industry text,"
                        + " revenue numeric(18,2), employees integer, active boolean, sla date, reviewed timestamptz, opens time,"
                        + " regions text[], billing_city varchar(10), counter integer, flag smallint, deleted boolean, meta jsonb)",
                "CREATE TABLE resolver.no_unique (sfid text, name text)",
                "CREATE TABLE resolver.partial_unique (sfid text, name text)",
                "CREATE UNIQUE INDEX ON resolver.partial_unique (sfid) WHERE sfid IS NOT NULL",
                "CREATE TABLE resolver.int_id (sfid integer PRIMARY KEY, name text)",
                "CREATE TABLE resolver.short_id (sfid varchar(15) PRIMARY KEY, name text)");
    }

    private static ResolvedMapping resolve(SyncConfig.Mapping m) throws SQLException {
        try (Connection c = TestDb.dataSource().getConnection()) {
            return MappingResolver.resolve("account", m, DESCRIBE, c);
        }
    }

    @Test
    void resolvesTypesFromTheCatalogAndCanonicalFieldNames() throws SQLException {
        ResolvedMapping r = resolve(MappingFixture.of("resolver.account", MappingFixture.policy("soft(deleted)"),
                "Id", "sfid", "name", "name", "AnnualRevenue", "revenue", "NumberOfEmployees", "employees", "Active__c", "active",
                "SLAExpirationDate__c", "sla", "LastReviewed__c", "reviewed", "OpensAt__c", "opens", "Regions__c", "regions",
                "CreatedDate", "industry"));

        assertThat(r.table().schema()).isEqualTo("resolver");
        assertThat(r.idColumn()).isEqualTo("sfid");
        assertThat(r.fields()).containsExactly(
                new FieldColumn("Name", "string", "name", "character varying", "varchar"),
                new FieldColumn("AnnualRevenue", "currency", "revenue", "numeric", "numeric"),
                new FieldColumn("NumberOfEmployees", "int", "employees", "integer", "int4"),
                new FieldColumn("Active__c", "boolean", "active", "boolean", "bool"),
                new FieldColumn("SLAExpirationDate__c", "date", "sla", "date", "date"),
                new FieldColumn("LastReviewed__c", "datetime", "reviewed", "timestamp with time zone", "timestamptz"),
                new FieldColumn("OpensAt__c", "time", "opens", "time without time zone", "time"),
                new FieldColumn("Regions__c", "multipicklist", "regions", "ARRAY", "text[]"),
                // text takes anything
                new FieldColumn("CreatedDate", "datetime", "industry", "text", "text"));
        assertThat(r.deletes().column()).hasValue("deleted");
    }

    static Stream<Arguments> problems() {
        return Stream.of(
                arguments(MappingFixture.of("resolver.missing", HARD, "Name", "name"),
                        "table resolver.missing does not exist — create it", "auto-create"),
                arguments(MappingFixture.of("resolver.account", HARD, "Name", "name").withIdColumn("sf_id"),
                        "has no id-column sf_id", "ADD COLUMN sf_id text UNIQUE"),
                arguments(MappingFixture.of("resolver.int_id", HARD, "Name", "name"),
                        "the id-column sfid is integer, but Salesforce Ids are 18-character text", "TYPE text"),
                arguments(MappingFixture.of("resolver.short_id", HARD, "Name", "name"),
                        "the id-column sfid is character varying(15)", "TYPE text"),
                arguments(MappingFixture.of("resolver.no_unique", HARD, "Name", "name"),
                        "the id-column sfid has no unique index, which the upsert (ON CONFLICT) needs",
                        "CREATE UNIQUE INDEX ON resolver.no_unique (sfid)"),
                arguments(MappingFixture.of("resolver.partial_unique", HARD, "Name", "name"),
                        "has no unique index", "not partial"),
                arguments(MappingFixture.of("resolver.account", HARD, "Nmae", "name"),
                        "Salesforce object Account has no field Nmae", "did you mean Name?"),
                arguments(MappingFixture.of("resolver.account", HARD, "Secret__c", "name"),
                        "has no field Secret__c", "custom fields end in __c"),
                arguments(MappingFixture.of("resolver.account", HARD, "Industry", "industy"),
                        "table resolver.account has no column industy (for field Industry)",
                        "ADD COLUMN industy text) or fix the mapping; did you mean industry?"),
                arguments(MappingFixture.of("resolver.account", HARD, "Active__c", "counter"),
                        "field Active__c (Salesforce boolean) cannot be stored in column counter (PostgreSQL integer)",
                        "ALTER COLUMN counter TYPE boolean"),
                arguments(MappingFixture.of("resolver.account", HARD, "AnnualRevenue", "counter"),
                        "column counter (PostgreSQL integer): the field has 2 decimal places", "TYPE numeric(18,2)"),
                arguments(MappingFixture.of("resolver.account", HARD, "LastReviewed__c", "sla"),
                        "field LastReviewed__c (Salesforce datetime) cannot be stored in column sla (PostgreSQL date)",
                        "TYPE timestamptz"),
                arguments(MappingFixture.of("resolver.account", HARD, "Name", "active"),
                        "field Name (Salesforce string) cannot be stored in column active (PostgreSQL boolean)", "TYPE text"),
                arguments(MappingFixture.of("resolver.account", HARD, "Name", "regions"),
                        "only a multi-select picklist can go to a text array", "TYPE text"),
                arguments(MappingFixture.of("resolver.account", HARD, "Description", "meta"),
                        "Sluice does not write jsonb columns", "TYPE text"),
                arguments(MappingFixture.of("resolver.account", HARD, "BillingCountry", "billing_city"),
                        "the field holds up to 80 characters, the column 10", "TYPE text"),
                arguments(MappingFixture.of("resolver.account", HARD, "BillingAddress", "billing_city"),
                        "field BillingAddress is a compound address field", "map its components instead (e.g. BillingCity"),
                arguments(MappingFixture.of("resolver.account", HARD, "Name", "sfid"),
                        "field Name is mapped to the id-column sfid", "map it to another column"),
                arguments(MappingFixture.of("resolver.account", MappingFixture.policy("soft(is_deleted)"), "Name", "name"),
                        "the soft-delete column is_deleted does not exist in resolver.account",
                        "ADD COLUMN is_deleted boolean NOT NULL DEFAULT false"),
                arguments(MappingFixture.of("resolver.account", MappingFixture.policy("soft(flag)"), "Name", "name"),
                        "the soft-delete column flag is smallint, not boolean", "TYPE boolean"));
    }

    @ParameterizedTest
    @MethodSource("problems")
    void eachProblemIsNamedWithItsFix(SyncConfig.Mapping m, String what, String fix) {
        assertThatThrownBy(() -> resolve(m)).isInstanceOf(MappingException.class)
                .satisfies(e -> assertThat(((MappingException) e).problems()).singleElement().asString()
                        .startsWith("mapping 'account': ").contains(what).contains(" — ").contains(fix));
    }

    @Test
    void everyProblemIsReportedAtOnce() {
        SyncConfig.Mapping m = MappingFixture.of("resolver.account", MappingFixture.policy("soft(flag)"),
                "Nmae", "name", "Industry", "industy", "Active__c", "counter", "Name", "name");

        assertThatThrownBy(() -> resolve(m)).isInstanceOf(MappingException.class)
                .satisfies(e -> {
                    assertThat(((MappingException) e).problems()).hasSize(4);
                    assertThat(e.getMessage().lines()).hasSize(4).allMatch(l -> l.startsWith("mapping 'account': ") && l.contains(" — "));
                });
    }

    @Test
    void anAutoCreatedTableResolvesCleanly() throws SQLException {
        MappingFixture m = MappingFixture.of(SCHEMA + ".created", MappingFixture.policy("soft(is_deleted)"),
                "Name", "name", "Industry", "industry", "Regions__c", "regions", "AnnualRevenue", "annual_revenue",
                "Discount__c", "discount", "Score__c", "score", "NumberOfEmployees", "employees", "Active__c", "active",
                "SLAExpirationDate__c", "sla", "LastReviewed__c", "last_reviewed", "OpensAt__c", "opens", "ParentId", "parent_id",
                "BillingStreet", "billing_street");

        String ddl = MappingResolver.autoCreateDdl("created", m, DESCRIBE);
        TestDb.exec(ddl);
        ResolvedMapping r = resolve(m);

        assertThat(ddl).startsWith("CREATE TABLE \"resolver\".\"created\" (")
                .contains("\"sfid\" text PRIMARY KEY", "\"regions\" text,", "\"annual_revenue\" numeric(18,2)",
                        "\"discount\" numeric(5,2)", "\"employees\" integer", "\"active\" boolean", "\"sla\" date",
                        "\"last_reviewed\" timestamptz", "\"opens\" time", "\"is_deleted\" boolean NOT NULL DEFAULT false");
        assertThat(r.fields()).hasSize(13);
    }

    @Test
    void autoCreateRefusesWhatItCannotType() {
        assertThatThrownBy(() -> MappingResolver.autoCreateDdl("created", MappingFixture.of("x", HARD,
                "BillingAddress", "address", "Nmae", "name"), DESCRIBE))
                .isInstanceOf(MappingException.class)
                .hasMessageContaining("mapping 'created': field BillingAddress is a compound address field")
                .hasMessageContaining("has no field Nmae");
    }
}
