package sync.apply;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import sync.mapping.MappingResolver;
import sync.mapping.ResolvedMapping;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static sync.apply.Changes.id;

/**
 * Writes made by the applier carry a replication origin, so a logical decoding stream that
 * keeps only local changes (as Debezium's {@code origin=none}) never sees them.
 */
class ReplicationOriginTest {
    private static final String SLOT = "apply_origin_test";
    private static ResolvedMapping mapping;

    @BeforeAll
    static void setUp() throws SQLException {
        TestDb.freshSchema("apply_origin");
        TestDb.exec("CREATE TABLE apply_origin.account (sfid text PRIMARY KEY, name text)");
        try (Connection c = TestDb.dataSource().getConnection()) {
            mapping = MappingResolver.resolve("origin", MappingFixture.of("apply_origin.account", MappingFixture.policy("hard"),
                    "Name", "name"), MappingFixture.accountDescribe(), c);
        }
    }

    @AfterAll
    static void dropSlot() {
        TestDb.exec("SELECT pg_drop_replication_slot(slot_name) FROM pg_replication_slots WHERE slot_name = '" + SLOT + "'");
    }

    @Test
    void appliedChangesAreInvisibleToAnOnlyLocalDecodingStream() {
        TestDb.exec("SELECT pg_create_logical_replication_slot('" + SLOT + "', 'test_decoding')");
        PostgresApplier applier = new PostgresApplier(TestDb.dataSource(), "origintest");

        applier.apply(mapping, List.of(new Changes("origin").upsert(id(1), 1, 1, "Name", "from Salesforce")), null);
        // Decoding reads flushed WAL only, and the embedded server commits asynchronously: a
        // synchronous commit flushes everything before it, the applier's commit included.
        TestDb.exec("SET synchronous_commit = on",
                "INSERT INTO apply_origin.account (sfid, name) VALUES ('" + id(2) + "', 'from the app')");

        List<String> all = TestDb.rows("SELECT data FROM pg_logical_slot_peek_changes('" + SLOT + "', NULL, NULL)").stream()
                .map(r -> (String) r.get("data")).toList();
        List<String> local = TestDb.rows("SELECT data FROM pg_logical_slot_get_changes('" + SLOT
                + "', NULL, NULL, 'only-local', '1', 'skip-empty-xacts', '1')").stream().map(r -> (String) r.get("data")).toList();

        assertThat(all).anySatisfy(d -> assertThat(d).contains("from Salesforce"));
        assertThat(local).anySatisfy(d -> assertThat(d).contains("apply_origin.account").contains("from the app"));
        assertThat(local).noneSatisfy(d -> assertThat(d).contains("from Salesforce"));
        assertThat(local).noneSatisfy(d -> assertThat(d).contains("sync.record_state"));
        assertThat(TestDb.rows("SELECT roname FROM pg_replication_origin WHERE roname LIKE 'origintest%'"))
                .contains(Map.of("roname", "origintest_1"));
    }

    @Test
    void eachSessionTagsItselfOnceWithAnOriginNoOtherSessionHolds() throws SQLException {
        PostgresApplier applier = new PostgresApplier(TestDb.dataSource(), "sessiontest");
        try (Connection first = TestDb.dataSource().getConnection(); Connection second = TestDb.dataSource().getConnection()) {
            assertThat(applier.tag(first)).isEqualTo("sessiontest_1");
            assertThat(applier.tag(first)).isEqualTo("sessiontest_1");
            // sessiontest_1 is active in the first session: the second takes the next one
            assertThat(applier.tag(second)).isEqualTo("sessiontest_2");
            try (PreparedStatement ps = second.prepareStatement("SELECT pg_replication_origin_session_is_setup()");
                 var rs = ps.executeQuery()) {
                rs.next();
                assertThat(rs.getBoolean(1)).isTrue();
            }
        }
        try (Connection third = TestDb.dataSource().getConnection()) {
            // released when its session ended
            assertThat(applier.tag(third)).isEqualTo("sessiontest_1");
        }
    }
}
