package sync.outbound;

import org.junit.jupiter.api.Test;
import sync.config.PostgresDeletePolicy;
import sync.config.SyncConfig;
import sync.mapping.FieldColumn;
import sync.mapping.ResolvedMapping;
import sync.sql.Identifiers;

import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

import static org.assertj.core.api.Assertions.assertThat;

class OutboundPlanTest {
    private static final String SFID = "0018d000000AbcdAAC";

    private static OutboundMapping mapping(Optional<String> externalId) {
        ResolvedMapping m = new ResolvedMapping("acct", "Account", Identifiers.TableName.parse("public.acct"), "sfid",
                List.of(new FieldColumn("Name", "string", "name", "text", "text"),
                        new FieldColumn("Industry", "picklist", "industry", "text", "text"),
                        new FieldColumn("LastModifiedDate", "datetime", "last_modified", "timestamp with time zone", "timestamptz")),
                PostgresDeletePolicy.parse("hard"), SyncConfig.Direction.BOTH);
        return new OutboundMapping(m, "id", "bigint", Set.of("Name", "Industry", "Pg_Id__c"), Set.of("Name", "Industry"),
                externalId, externalId.map(f -> "id"), SyncConfig.SalesforceDeletePolicy.DELETE,
                SyncConfig.ConflictPolicy.LAST_WRITER_WINS, true);
    }

    private static OutboundPlan.Queued q(long id, String op, String key, String sfid, Map<String, Object> fields) {
        return new OutboundPlan.Queued(id, op, key, sfid, fields, Instant.parse("2026-11-21T10:00:00Z").plusSeconds(id));
    }

    @Test
    void successiveUpdatesOfOneRecordCollapseInOrderIntoOneCall() {
        OutboundPlan.Plan p = OutboundPlan.plan(mapping(Optional.empty()), List.of(
                q(1, "UPSERT", "7", SFID, Map.of("Name", "a")),
                q(2, "UPSERT", "7", SFID, Map.of("Name", "b", "Industry", "Energy")),
                q(3, "UPSERT", "7", SFID, Map.of("Name", "c"))), Map.of());
        assertThat(p.items()).singleElement().satisfies(i -> {
            assertThat(i.kind()).isEqualTo(OutboundPlan.Kind.UPDATE);
            assertThat(i.fields()).containsExactlyInAnyOrderEntriesOf(Map.of("Name", "c", "Industry", "Energy"));
            assertThat(i.rows()).containsExactly(1L, 2L, 3L);
        });
    }

    @Test
    void aRowWithoutIdIsCreatedWithCreateableFieldsOnlyAndUpsertedWhenAnExternalIdIsSet() {
        Map<String, Object> fields = Map.of("Name", "n", "LastModifiedDate", "2026-01-01T00:00:00.000Z", "Pg_Id__c", "7");
        OutboundPlan.Plan create = OutboundPlan.plan(mapping(Optional.empty()), List.of(q(1, "UPSERT", "7", null, fields)), Map.of());
        assertThat(create.items()).singleElement().satisfies(i -> {
            assertThat(i.kind()).isEqualTo(OutboundPlan.Kind.CREATE);
            assertThat(i.fields()).doesNotContainKey("LastModifiedDate");
        });
        OutboundPlan.Plan upsert = OutboundPlan.plan(mapping(Optional.of("Pg_Id__c")), List.of(q(1, "UPSERT", "7", null, fields)), Map.of());
        assertThat(upsert.items()).singleElement().satisfies(i -> {
            assertThat(i.kind()).isEqualTo(OutboundPlan.Kind.UPSERT);
            assertThat(i.fields()).containsEntry("Pg_Id__c", "7");
        });
    }

    @Test
    void theTableKnowsTheIdOfARowCapturedBeforeItsWriteBack() {
        OutboundPlan.Plan p = OutboundPlan.plan(mapping(Optional.empty()), List.of(q(1, "UPSERT", "7", null, Map.of("Name", "x"))),
                Map.of("7", SFID));
        assertThat(p.items()).singleElement().satisfies(i -> {
            assertThat(i.kind()).isEqualTo(OutboundPlan.Kind.UPDATE);
            assertThat(i.sfid()).isEqualTo(SFID);
        });
    }

    @Test
    void updateThenDeleteIsADeleteAndCreateThenDeleteIsNothing() {
        OutboundPlan.Plan known = OutboundPlan.plan(mapping(Optional.empty()), List.of(
                q(1, "UPSERT", "7", SFID, Map.of("Name", "x")), q(2, "DELETE", "7", null, Map.of())), Map.of());
        assertThat(known.items()).singleElement().satisfies(i -> {
            assertThat(i.kind()).isEqualTo(OutboundPlan.Kind.DELETE);
            assertThat(i.rows()).containsExactly(1L, 2L);
        });
        OutboundPlan.Plan never = OutboundPlan.plan(mapping(Optional.empty()), List.of(
                q(1, "UPSERT", "8", null, Map.of("Name", "x")), q(2, "DELETE", "8", null, Map.of())), Map.of());
        assertThat(never.items()).isEmpty();
        assertThat(never.noops()).containsExactly(1L, 2L);
        OutboundPlan.Plan unknown = OutboundPlan.plan(mapping(Optional.empty()), List.of(q(1, "DELETE", "9", null, Map.of())), Map.of());
        assertThat(unknown.unknown()).singleElement().satisfies(i -> assertThat(i.pgKey()).isEqualTo("9"));
    }

    @Test
    void aDeleteFollowedByAReinsertKeepsTheOrderAcrossRounds() {
        OutboundPlan.Plan p = OutboundPlan.plan(mapping(Optional.empty()), List.of(
                q(1, "DELETE", "7", SFID, Map.of()), q(2, "UPSERT", "7", null, Map.of("Name", "again"))), Map.of());
        assertThat(p.items()).singleElement().satisfies(i -> assertThat(i.kind()).isEqualTo(OutboundPlan.Kind.DELETE));
        assertThat(p.deferred()).containsExactly(2L);
    }

    @Test
    void anUpdateOfReadOnlyFieldsOnlyNeedsNoCall() {
        OutboundPlan.Plan p = OutboundPlan.plan(mapping(Optional.empty()), List.of(
                q(1, "UPSERT", "7", SFID, Map.of("LastModifiedDate", "2026-01-01T00:00:00.000Z"))), Map.of());
        assertThat(p.items()).isEmpty();
        assertThat(p.noops()).containsExactly(1L);
    }
}
