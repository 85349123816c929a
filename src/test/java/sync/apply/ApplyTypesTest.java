package sync.apply;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import sync.mapping.MappingResolver;
import sync.mapping.ResolvedMapping;
import sync.mapping.SalesforceField;

import java.math.BigDecimal;
import java.sql.Array;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.LocalDate;
import java.time.LocalTime;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static sync.apply.Changes.id;

/** Every Salesforce type lands in its column exactly, in both Salesforce datetime forms. */
class ApplyTypesTest {
    private static final String SCHEMA = "apply_types";
    private static final String LONG_TEXT = "Grüße, 世界! 🌍 \"quoted\" \\ back\\slash, ' apostrophe\n".repeat(2500);
    private static ResolvedMapping mapping;
    private static PostgresApplier applier;

    @BeforeAll
    static void setUp() throws SQLException {
        TestDb.freshSchema(SCHEMA);
        TestDb.exec("""
                CREATE TABLE apply_types.typed (
                    sfid text PRIMARY KEY, name text, industry varchar(255), regions text, products text[],
                    revenue numeric(18,2), discount numeric(5,2), score bigint, employees integer, active boolean,
                    sla date, reviewed timestamptz, modified timestamp, opens time, parent_id varchar(18), description text,
                    billing_street text)""");
        Map<String, SalesforceField> describe = new java.util.LinkedHashMap<>(MappingFixture.accountDescribe());
        describe.put("Products__c", new SalesforceField("Products__c", "multipicklist", true, true, true, 4099, 0, 0));
        MappingFixture m = MappingFixture.of("apply_types.typed", MappingFixture.policy("hard"),
                "Name", "name", "Industry", "industry", "Regions__c", "regions", "Products__c", "products",
                "AnnualRevenue", "revenue", "Discount__c", "discount", "Score__c", "score", "NumberOfEmployees", "employees",
                "Active__c", "active", "SLAExpirationDate__c", "sla", "LastReviewed__c", "reviewed", "LastModifiedDate", "modified",
                "OpensAt__c", "opens", "ParentId", "parent_id", "Description", "description", "BillingStreet", "billing_street");
        try (Connection c = TestDb.dataSource().getConnection()) {
            mapping = MappingResolver.resolve("types", m, describe, c);
        }
        applier = new PostgresApplier(TestDb.dataSource(), "typestest");
    }

    @Test
    void everyTypeLandsExactly() throws SQLException {
        Changes ch = new Changes("types");
        ApplyResult result = applier.apply(mapping, List.of(
                ch.upsert(id(1), 1, 1, "Name", "Acme 株式会社", "Industry", "Biotechnology",
                        "Regions__c", "EMEA;APAC", "Products__c", "A, Inc.;Say \"hi\";back\\slash;{braces}",
                        "AnnualRevenue", new BigDecimal("12345678901234.56"), "Discount__c", 12.5, "Score__c", 42.0,
                        "NumberOfEmployees", 250, "Active__c", true, "SLAExpirationDate__c", "2024-02-29",
                        "LastReviewed__c", "2024-04-09T20:26:27.000+0000", "LastModifiedDate", "2024-04-09T20:26:27.123Z",
                        "OpensAt__c", "08:30:00.000Z", "ParentId", "001RM000004UF9sYAG", "Description", LONG_TEXT,
                        "BillingStreet", "1 Main St\nSuite 2"),
                ch.upsert(id(2), 1, 2, "LastReviewed__c", "2024-04-09T20:26:27.000Z", "Active__c", false,
                        "Products__c", "", "Discount__c", "0.05")), null);

        assertThat(result.deadLetters()).isEmpty();
        assertThat(result.applied()).isEqualTo(2);
        try (Connection c = TestDb.dataSource().getConnection();
             PreparedStatement ps = c.prepareStatement("SELECT * FROM apply_types.typed WHERE sfid = ?")) {
            ps.setString(1, id(1));
            try (ResultSet rs = ps.executeQuery()) {
                assertThat(rs.next()).isTrue();
                assertThat(rs.getString("name")).isEqualTo("Acme 株式会社");
                assertThat(rs.getString("industry")).isEqualTo("Biotechnology");
                assertThat(rs.getString("regions")).isEqualTo("EMEA;APAC");
                Array products = rs.getArray("products");
                assertThat((String[]) products.getArray()).containsExactly("A, Inc.", "Say \"hi\"", "back\\slash", "{braces}");
                assertThat(rs.getBigDecimal("revenue")).isEqualTo(new BigDecimal("12345678901234.56"));
                assertThat(rs.getBigDecimal("discount")).isEqualTo(new BigDecimal("12.50"));
                assertThat(rs.getLong("score")).isEqualTo(42L);
                assertThat(rs.getInt("employees")).isEqualTo(250);
                assertThat(rs.getBoolean("active")).isTrue();
                assertThat(rs.getObject("sla", LocalDate.class)).isEqualTo(LocalDate.of(2024, 2, 29));
                assertThat(rs.getObject("reviewed", OffsetDateTime.class).toInstant())
                        .isEqualTo(OffsetDateTime.of(2024, 4, 9, 20, 26, 27, 0, ZoneOffset.UTC).toInstant());
                assertThat(rs.getObject("modified", java.time.LocalDateTime.class))
                        .isEqualTo(java.time.LocalDateTime.of(2024, 4, 9, 20, 26, 27, 123_000_000));
                assertThat(rs.getObject("opens", LocalTime.class)).isEqualTo(LocalTime.of(8, 30));
                assertThat(rs.getString("parent_id")).isEqualTo("001RM000004UF9sYAG");
                assertThat(rs.getString("description")).isEqualTo(LONG_TEXT).hasSizeGreaterThan(100_000);
                assertThat(rs.getString("billing_street")).isEqualTo("1 Main St\nSuite 2");
            }
            ps.setString(1, id(2));
            try (ResultSet rs = ps.executeQuery()) {
                assertThat(rs.next()).isTrue();
                assertThat(rs.getObject("reviewed", OffsetDateTime.class).toInstant())
                        .isEqualTo(OffsetDateTime.of(2024, 4, 9, 20, 26, 27, 0, ZoneOffset.UTC).toInstant());
                assertThat(rs.getBoolean("active")).isFalse();
                assertThat((String[]) rs.getArray("products").getArray()).isEmpty();
                assertThat(rs.getBigDecimal("discount")).isEqualTo(new BigDecimal("0.05"));
                assertThat(rs.getDate("sla")).isNull();
            }
        }
        // both datetime forms are the same instant
        assertThat(TestDb.value("SELECT count(DISTINCT reviewed) FROM apply_types.typed")).isEqualTo(1L);
    }
}
