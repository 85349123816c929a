package sync.apply;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import sync.change.CdcEvents;
import sync.change.Change;
import sync.mapping.MappingResolver;
import sync.mapping.ResolvedMapping;

import java.math.BigDecimal;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;

import static org.assertj.core.api.Assertions.assertThat;
import static sync.apply.Changes.id;

/** Create, update, delete, undelete, merged, out-of-order and redelivered changes against a real table. */
class PostgresApplierTest {
    private static final String SCHEMA = "apply_core";
    private static final AtomicInteger TABLES = new AtomicInteger();
    private static PostgresApplier applier;

    @BeforeAll
    static void setUp() {
        TestDb.freshSchema(SCHEMA);
        applier = new PostgresApplier(TestDb.dataSource(), "applytest");
    }

    /** A fresh table and its resolved mapping; the mapping is named like the table. */
    private static ResolvedMapping account(String deletes) throws SQLException {
        String table = "account_" + TABLES.incrementAndGet();
        TestDb.exec("CREATE TABLE " + SCHEMA + "." + table + " (id bigserial PRIMARY KEY, sfid varchar(18) UNIQUE,"
                + " name text, industry text, annual_revenue numeric(18,2), employees integer, billing_street text,"
                + " billing_city varchar(40), billing_postal_code text, is_deleted boolean NOT NULL DEFAULT false)");
        MappingFixture m = MappingFixture.of(SCHEMA + "." + table, MappingFixture.policy(deletes),
                "Name", "name", "Industry", "industry", "AnnualRevenue", "annual_revenue", "NumberOfEmployees", "employees",
                "BillingStreet", "billing_street", "BillingCity", "billing_city", "BillingPostalCode", "billing_postal_code");
        try (Connection c = TestDb.dataSource().getConnection()) {
            return MappingResolver.resolve(table, m, MappingFixture.accountDescribe(), c);
        }
    }

    private static Map<String, Object> row(ResolvedMapping m, String sfid) {
        List<Map<String, Object>> rows = TestDb.rows("SELECT name, industry, annual_revenue, employees, billing_street, billing_city,"
                + " billing_postal_code, is_deleted FROM " + SCHEMA + "." + m.table().table() + " WHERE sfid = '" + sfid + "'");
        return rows.isEmpty() ? null : rows.get(0);
    }

    private static long count(ResolvedMapping m) {
        return ((Number) TestDb.value("SELECT count(*) FROM " + SCHEMA + "." + m.table().table())).longValue();
    }

    @Test
    void createThenPartialUpdateTouchesOnlyTheChangedColumnsAndExplicitNullsClear() throws SQLException {
        ResolvedMapping m = account("hard");
        Changes ch = new Changes(m.name());

        ApplyResult created = applier.apply(m, List.of(ch.upsert(id(1), 1, 1, "Name", "Acme", "Industry", "Biotechnology",
                "AnnualRevenue", 1250000.5, "CreatedDate", "2024-04-09T20:00:01.000Z")), null);
        ApplyResult updated = applier.apply(m, List.of(ch.upsert(id(1), 2, 2, "Industry", "Energy")), null);

        assertThat(created.applied()).isEqualTo(1);
        assertThat(created.missingRecords()).isEmpty();
        assertThat(updated.applied()).isEqualTo(1);
        assertThat(updated.missingRecords()).isEmpty();
        assertThat(row(m, id(1))).containsEntry("name", "Acme").containsEntry("industry", "Energy")
                .containsEntry("annual_revenue", new BigDecimal("1250000.50"));

        applier.apply(m, List.of(ch.upsert(id(1), 3, 3, "Industry", null, "AnnualRevenue", null)), null);
        assertThat(row(m, id(1))).containsEntry("name", "Acme").containsEntry("industry", null).containsEntry("annual_revenue", null);
    }

    @Test
    void anUpdateOfARecordTheTableLacksInsertsItAndAsksForARead() throws SQLException {
        ResolvedMapping m = account("hard");
        Changes ch = new Changes(m.name());
        TestDb.exec("INSERT INTO " + SCHEMA + "." + m.table().table() + " (sfid, name) VALUES ('" + id(2) + "', 'Known')");

        ApplyResult result = applier.apply(m, List.of(
                ch.upsert(id(1), 1, 1, "Industry", "Energy"),
                ch.upsert(id(2), 1, 2, "Industry", "Retail"),
                ch.upsert(id(3), 1, 3, "Name", "New", "CreatedDate", "2024-04-09T20:00:01.000Z")), null);

        assertThat(result.applied()).isEqualTo(3);
        assertThat(result.missingRecords()).containsExactly(id(1));
        assertThat(row(m, id(1))).containsEntry("industry", "Energy").containsEntry("name", null);
        assertThat(row(m, id(2))).containsEntry("industry", "Retail").containsEntry("name", "Known");
    }

    @ParameterizedTest
    @ValueSource(strings = {"hard", "soft(is_deleted)", "ignore"})
    void deletesFollowThePolicyAndUndeleteRestores(String policy) throws SQLException {
        ResolvedMapping m = account(policy);
        Changes ch = new Changes(m.name());
        applier.apply(m, List.of(ch.upsert(id(1), 1, 1, "Name", "Doomed"), ch.upsert(id(2), 1, 2, "Name", "Stays")), null);

        ApplyResult deleted = applier.apply(m, List.of(ch.delete(id(1), 2, 3)), null);

        assertThat(deleted.applied()).isEqualTo(1);
        assertThat(row(m, id(2))).containsEntry("name", "Stays").containsEntry("is_deleted", false);
        switch (policy) {
            case "hard" -> assertThat(row(m, id(1))).isNull();
            case "soft(is_deleted)" -> assertThat(row(m, id(1))).containsEntry("name", "Doomed").containsEntry("is_deleted", true);
            default -> assertThat(row(m, id(1))).containsEntry("name", "Doomed").containsEntry("is_deleted", false);
        }

        ApplyResult undeleted = applier.apply(m, List.of(ch.undelete(id(1), 3, 4, "Name", "Back", "Industry", "Energy")), null);

        assertThat(undeleted.applied()).isEqualTo(1);
        assertThat(row(m, id(1))).containsEntry("name", "Back").containsEntry("industry", "Energy").containsEntry("is_deleted", false);
        // A hard-deleted row comes back from the undelete's fields alone: the rest must be read.
        assertThat(undeleted.missingRecords()).isEqualTo(policy.equals("hard") ? List.of(id(1)) : List.of());
        assertThat(count(m)).isEqualTo(2);
    }

    @Test
    void aDeleteAfterAnUpdateInOneBatchWinsAndAnOlderUpdateCannotRevive() throws SQLException {
        ResolvedMapping m = account("hard");
        Changes ch = new Changes(m.name());

        ApplyResult result = applier.apply(m, List.of(ch.upsert(id(1), 1, 1, "Name", "Short-lived"), ch.delete(id(1), 2, 2)), null);
        ApplyResult late = applier.apply(m, List.of(ch.upsert(id(1), 1, 1, "Name", "Short-lived")), null);

        assertThat(result.applied()).isEqualTo(1);
        assertThat(row(m, id(1))).isNull();
        assertThat(late.applied()).isZero();
        assertThat(late.skipped()).isEqualTo(1);
        assertThat(row(m, id(1))).isNull();
    }

    @Test
    void aMergedEventAppliesToEveryRecordItNames() throws SQLException {
        ResolvedMapping m = account("hard");
        Map<String, Object> header = Map.of("changeType", "UPDATE", "recordIds", List.of(id(1), id(2), id(3)),
                "commitTimestamp", Changes.T0.toEpochMilli(), "transactionKey", "tx-merged", "sequenceNumber", 1,
                "changeOrigin", "com/salesforce/api/soap/61.0;client=SfdcInternalAPI/");
        List<Change> changes = CdcEvents.toChanges(m.name(), header, Map.of("Industry", "Banking", "LastModifiedDate",
                "2024-04-09T20:00:00.000Z"), 77);

        ApplyResult result = applier.apply(m, changes, null);

        assertThat(result.applied()).isEqualTo(3);
        for (int i = 1; i <= 3; i++) {
            assertThat(row(m, id(i))).containsEntry("industry", "Banking");
        }
    }

    @Test
    void compoundAddressComponentsLandInTheirColumns() throws SQLException {
        ResolvedMapping m = account("hard");
        Map<String, Object> header = Map.of("changeType", "CREATE", "recordIds", List.of(id(1)),
                "commitTimestamp", Changes.T0.toEpochMilli(), "transactionKey", "tx-a", "sequenceNumber", 1);
        Map<String, Object> payload = Map.of("Name", "Addressed", "CreatedDate", "2024-04-09T20:00:00.000Z",
                "BillingAddress", Map.of("Street", "1 Rue de Rivoli\nBâtiment B", "City", "Paris", "PostalCode", "75001"));

        applier.apply(m, CdcEvents.toChanges(m.name(), header, payload, 5), null);

        assertThat(row(m, id(1))).containsEntry("billing_street", "1 Rue de Rivoli\nBâtiment B")
                .containsEntry("billing_city", "Paris").containsEntry("billing_postal_code", "75001");
    }

    @Test
    void anOlderEventNeverOverwritesANewerRow() throws SQLException {
        ResolvedMapping m = account("hard");
        Changes ch = new Changes(m.name());
        applier.apply(m, List.of(ch.upsert(id(1), 10, 10, "Name", "Newest", "Industry", "Energy")), null);

        ApplyResult late = applier.apply(m, List.of(ch.upsert(id(1), 5, 5, "Name", "Old"),
                ch.upsert(id(1), 11, 11, "Industry", "Retail")), null);

        assertThat(late.stale()).isEqualTo(1);
        assertThat(late.applied()).isEqualTo(1);
        assertThat(row(m, id(1))).containsEntry("name", "Newest").containsEntry("industry", "Retail");
    }

    @Test
    void outOfOrderEventsInOneBatchApplyInCommitOrder() throws SQLException {
        ResolvedMapping m = account("hard");
        Changes ch = new Changes(m.name());

        applier.apply(m, List.of(ch.upsert(id(1), 3, 3, "Name", "Third"), ch.upsert(id(1), 1, 1, "Name", "First", "Industry", "A"),
                ch.upsert(id(1), 2, 2, "Name", "Second")), null);

        assertThat(row(m, id(1))).containsEntry("name", "Third").containsEntry("industry", "A");
    }

    @Test
    void redeliveryIsANoOpButALaterEventOfTheSameTransactionApplies() throws SQLException {
        ResolvedMapping m = account("hard");
        Changes ch = new Changes(m.name());
        List<Change> batch = List.of(ch.upsert(id(1), 1, 1, "Name", "Once"), ch.upsert(id(2), 1, 2, "Name", "Twice"));
        applier.apply(m, batch, null);
        TestDb.exec("UPDATE " + SCHEMA + "." + m.table().table() + " SET name = 'edited in PostgreSQL' WHERE sfid = '" + id(1) + "'");

        ApplyResult again = applier.apply(m, batch, null);
        // same commit time (one Salesforce transaction), higher replayId: a later event, not a redelivery
        ApplyResult sameTransaction = applier.apply(m, List.of(ch.upsert(id(2), 1, 3, "Industry", "Later in tx")), null);

        assertThat(again.applied()).isZero();
        assertThat(again.duplicates()).isEqualTo(2);
        assertThat(row(m, id(1))).containsEntry("name", "edited in PostgreSQL");
        assertThat(sameTransaction.applied()).isEqualTo(1);
        assertThat(row(m, id(2))).containsEntry("name", "Twice").containsEntry("industry", "Later in tx");
        assertThat(TestDb.value("SELECT salesforce_position FROM sync.record_state WHERE mapping = '" + m.name()
                + "' AND sfid = '" + id(2) + "'")).isEqualTo(3L);
    }

    @Test
    void resyncsAreReturnedNotAppliedAndUnmappedFieldsAreIgnored() throws SQLException {
        ResolvedMapping m = account("hard");
        Changes ch = new Changes(m.name());
        Change overflow = new Change(m.name(), Change.Origin.SALESFORCE, Change.Op.RESYNC, null, null, Map.of(), Changes.T0, "9", null, null);

        ApplyResult result = applier.apply(m, List.of(ch.resync(id(1), 1, 1), overflow,
                ch.upsert(id(2), 1, 2, "Name", "Mapped", "OwnerId", "005RM000001hv4SYAQ", "Fax", "4155551212")), null);

        assertThat(result.resyncs()).hasSize(2).extracting(Change::sfid).containsExactly(id(1), null);
        assertThat(result.applied()).isEqualTo(1);
        assertThat(row(m, id(1))).isNull();
        assertThat(row(m, id(2))).containsEntry("name", "Mapped");
    }

    @Test
    void aChangeWithoutAValidSalesforceIdIsDeadLettered() throws SQLException {
        ResolvedMapping m = account("hard");
        Changes ch = new Changes(m.name());

        ApplyResult result = applier.apply(m, List.of(ch.upsert("001short", 1, 1, "Name", "Bad id"),
                ch.upsert(id(1), 1, 2, "Name", "Good")), null);

        assertThat(result.applied()).isEqualTo(1);
        assertThat(result.deadLetters()).singleElement().satisfies(d -> {
            assertThat(d.recordId()).isEqualTo("001short");
            assertThat(d.error()).contains("not an 18-character Salesforce Id");
        });
    }

    @Test
    void stateIsRecordedForEveryAppliedRecordInTheSyncSchema() throws SQLException {
        ResolvedMapping m = account("soft(is_deleted)");
        Changes ch = new Changes(m.name());

        applier.apply(m, List.of(ch.upsert(id(1), 1, 11, "Name", "A"), ch.delete(id(2), 2, 12)), null);

        assertThat(TestDb.rows("SELECT sfid, last_origin, salesforce_position FROM sync.record_state WHERE mapping = '"
                + m.name() + "' ORDER BY sfid")).containsExactly(
                Map.of("sfid", id(1), "last_origin", "SALESFORCE", "salesforce_position", 11L),
                Map.of("sfid", id(2), "last_origin", "SALESFORCE", "salesforce_position", 12L));
    }
}
