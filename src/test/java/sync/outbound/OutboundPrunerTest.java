package sync.outbound;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import sync.apply.MappingFixture;
import sync.apply.TestDb;
import sync.mapping.MappingResolver;
import sync.mapping.ResolvedMapping;

import java.sql.Connection;
import java.sql.SQLException;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Pruning {@code sync.outbound_change} against a real table: which settled rows go, and which
 * stay because the queue, the echo guard, an open dead letter or the writer's Id lookup still
 * needs them.
 */
class OutboundPrunerTest {
    private static final String SCHEMA = "outbound_prune";
    private static final Duration WINDOW = Duration.ofHours(1);
    private static final AtomicInteger MAPPINGS = new AtomicInteger();
    private static final AtomicInteger LSN = new AtomicInteger();

    @BeforeAll
    static void setUp() {
        TestDb.freshSchema(SCHEMA);
    }

    /** A fresh table (bigint key, sfid, name) and its mapping, named like the table. */
    private static OutboundMapping mapping(boolean replicaIdentityFull) throws SQLException {
        String table = "account_" + MAPPINGS.incrementAndGet();
        TestDb.exec("CREATE TABLE " + SCHEMA + "." + table + " (id bigint PRIMARY KEY, sfid text UNIQUE, name text)");
        if (replicaIdentityFull) {
            TestDb.exec("ALTER TABLE " + SCHEMA + "." + table + " REPLICA IDENTITY FULL");
        }
        MappingFixture config = MappingFixture.of(SCHEMA + "." + table, MappingFixture.policy("hard"), "Name", "name");
        try (Connection c = TestDb.dataSource().getConnection()) {
            ResolvedMapping r = MappingResolver.resolve("prune_" + table, config, MappingFixture.accountDescribe(), c);
            OutboundMapping m = OutboundMapping.resolve(r, config, MappingFixture.accountDescribe(), c);
            assertThat(m.replicaIdentityFull()).isEqualTo(replicaIdentityFull);
            return m;
        }
    }

    private static void row(OutboundMapping m, long key, String sfid) {
        TestDb.exec("INSERT INTO " + m.mapping().qualifiedTable() + " (id, sfid, name) VALUES (" + key + ", "
                + (sfid == null ? "NULL" : "'" + sfid + "'") + ", 'n')");
    }

    /**
     * A queued change of {@code key}: {@code status} with {@code age} (sent_at for sent rows,
     * captured_at otherwise), {@code sfid} as captured and {@code resultId} as Salesforce answered.
     */
    private static long change(OutboundMapping m, long key, String op, String status, Duration age, String sfid,
                               String resultId, Long deadLetter) {
        String ago = "now() - interval '" + age.toSeconds() + " seconds'";
        return ((Number) TestDb.value("INSERT INTO sync.outbound_change (mapping, op, pg_key, sfid, fields, commit_at, lsn,"
                + " captured_at, status, sent_at, result_id, dead_letter) VALUES ('" + m.name() + "', '" + op + "', '" + key
                + "', " + text(sfid) + ", '{}', " + ago + ", " + LSN.incrementAndGet() + ", " + ago + ", '" + status + "', "
                + (status.equals("sent") ? ago : "NULL") + ", " + text(resultId) + ", " + deadLetter + ") RETURNING id"))
                .longValue();
    }

    private static long letter(OutboundMapping m, String status) {
        return ((Number) TestDb.value("INSERT INTO sync.dead_letter (mapping, direction, record_id, payload, error, status)"
                + " VALUES ('" + m.name() + "', 'to-salesforce', NULL, '{}', 'REQUIRED_FIELD_MISSING', '" + status
                + "') RETURNING id")).longValue();
    }

    private static String text(String s) {
        return s == null ? "NULL" : "'" + s + "'";
    }

    private static List<Long> remaining(OutboundMapping m) {
        return TestDb.rows("SELECT id FROM sync.outbound_change WHERE mapping = '" + m.name() + "' ORDER BY id").stream()
                .map(r -> ((Number) r.get("id")).longValue()).toList();
    }

    private static int prune(OutboundMapping m) {
        return new OutboundPruner(TestDb.dataSource(), Map.of(m.name(), m), WINDOW).prune();
    }

    private static final Duration OLD = Duration.ofHours(2);
    private static final Duration RECENT = Duration.ofMinutes(5);

    @Test
    void settledRowsOlderThanTheWindowGoAndWhatIsStillNeededStays() throws SQLException {
        OutboundMapping m = mapping(true);
        // 1: the row holds its Id: its whole old history goes, a recent send stays for the echo guard.
        row(m, 1, "001000000000001AAA");
        long created1 = change(m, 1, "UPSERT", "sent", OLD, null, "001000000000001AAA", null);
        long updated1 = change(m, 1, "UPSERT", "sent", OLD, "001000000000001AAA", "001000000000001AAA", null);
        long recent1 = change(m, 1, "UPSERT", "sent", RECENT, "001000000000001AAA", "001000000000001AAA", null);
        // 2: the row lacks its Id: the newest change naming it stays, older ones go.
        row(m, 2, null);
        long created2 = change(m, 2, "UPSERT", "sent", OLD, null, "001000000000002AAA", null);
        long updated2 = change(m, 2, "UPSERT", "sent", OLD, null, "001000000000002AAA", null);
        long noId2 = change(m, 2, "UPSERT", "sent", OLD, null, null, null);
        // 3: the row is gone, its delete not queued yet: the Id stays for it.
        long created3 = change(m, 3, "UPSERT", "sent", OLD, null, "001000000000003AAA", null);
        // 4: deleted in Salesforce already: nothing of it is needed.
        long created4 = change(m, 4, "UPSERT", "sent", OLD, null, "001000000000004AAA", null);
        long deleted4 = change(m, 4, "DELETE", "sent", OLD, "001000000000004AAA", "001000000000004AAA", null);
        // 5: still on its way: never touched, however old.
        row(m, 5, "001000000000005AAA");
        long pending5 = change(m, 5, "UPSERT", "pending", OLD, "001000000000005AAA", null, null);
        long sending5 = change(m, 5, "UPSERT", "sending", OLD, "001000000000005AAA", null, null);
        // 6: failed: kept while its dead letter is open, pruned once it is closed.
        row(m, 6, "001000000000006AAA");
        long open6 = change(m, 6, "UPSERT", "failed", OLD, "001000000000006AAA", null, letter(m, "new"));
        long retrying6 = change(m, 6, "UPSERT", "failed", OLD, "001000000000006AAA", null, letter(m, "retrying"));
        long resolved6 = change(m, 6, "UPSERT", "failed", OLD, "001000000000006AAA", null, letter(m, "resolved"));
        long ignored6 = change(m, 6, "UPSERT", "failed", OLD, "001000000000006AAA", null, letter(m, "ignored"));
        long recentFailed6 = change(m, 6, "UPSERT", "failed", RECENT, "001000000000006AAA", null, letter(m, "ignored"));

        int deleted = prune(m);

        assertThat(remaining(m)).containsExactly(recent1, updated2, created3, pending5, sending5, open6, retrying6,
                recentFailed6);
        assertThat(deleted).isEqualTo(8);
        assertThat(List.of(created1, updated1, created2, noId2, created4, deleted4, resolved6, ignored6))
                .doesNotContainAnyElementsOf(remaining(m));
        // Nothing more to do: a second pass deletes nothing.
        assertThat(prune(m)).isZero();
    }

    @Test
    void withoutFullBeforeImagesTheLastIdOfEveryLiveRowStaysForItsDelete() throws SQLException {
        OutboundMapping m = mapping(false);
        row(m, 1, "001000000000001AAA");
        long created = change(m, 1, "UPSERT", "sent", OLD, null, "001000000000001AAA", null);
        long updated = change(m, 1, "UPSERT", "sent", OLD, "001000000000001AAA", "001000000000001AAA", null);
        long created2 = change(m, 2, "UPSERT", "sent", OLD, null, "001000000000002AAA", null);
        long deleted2 = change(m, 2, "DELETE", "sent", OLD, null, "001000000000002AAA", null);

        prune(m);

        // A later DELETE of row 1 would log only its key: the Id must still be found here.
        assertThat(remaining(m)).containsExactly(updated);
        assertThat(List.of(created, created2, deleted2)).doesNotContainAnyElementsOf(remaining(m));
    }

    @Test
    void aLargeBacklogIsDeletedInBatchesUntilNoneIsLeft() throws SQLException {
        OutboundMapping m = mapping(true);
        int n = OutboundPruner.BATCH * 2 + 500;
        TestDb.exec("INSERT INTO " + m.mapping().qualifiedTable() + " (id, sfid, name)"
                        + " SELECT k, '001' || lpad(k::text, 12, '0') || 'AAA', 'n' FROM generate_series(1, " + n + ") k",
                "INSERT INTO sync.outbound_change (mapping, op, pg_key, fields, commit_at, lsn, status, sent_at, result_id)"
                        + " SELECT '" + m.name() + "', 'UPSERT', k::text, '{}', now() - interval '2 hours', 1000000 + k, 'sent',"
                        + " now() - interval '2 hours', '001' || lpad(k::text, 12, '0') || 'AAA' FROM generate_series(1, " + n + ") k");
        long recent = change(m, 1, "UPSERT", "sent", RECENT, null, "001000000000001AAA", null);

        assertThat(prune(m)).isEqualTo(n);
        assertThat(remaining(m)).containsExactly(recent);
    }
}
