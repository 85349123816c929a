package sync.outbound;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import sync.apply.MappingFixture;
import sync.apply.TestDb;
import sync.mapping.MappingResolver;
import sync.mapping.ResolvedMapping;

import java.sql.Connection;
import java.sql.SQLException;
import java.util.List;
import java.util.Map;
import java.util.NoSuchElementException;
import java.util.concurrent.atomic.AtomicInteger;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * Retrying and ignoring to-salesforce dead letters against a real table and queue: what a retry
 * queues (the row as it is now), how a value that does not convert counts as an attempt, and how
 * the writer's outcomes settle a retried letter. The end-to-end path through Salesforce is in
 * routes.TwoWaySyncTest.
 */
class OutboundDeadLettersTest {
    private static final String SCHEMA = "outbound_letters";
    private static final AtomicInteger MAPPINGS = new AtomicInteger();
    private static final AtomicInteger LSN = new AtomicInteger();
    private static final String SFID = "001000000000001AAA";

    @BeforeAll
    static void setUp() {
        TestDb.freshSchema(SCHEMA);
    }

    /** A fresh table (bigint key, sfid, name, industry, employees as numeric) and its mapping. */
    private static OutboundMapping mapping() throws SQLException {
        String table = "account_" + MAPPINGS.incrementAndGet();
        TestDb.exec("CREATE TABLE " + SCHEMA + "." + table + " (id bigint PRIMARY KEY, sfid text UNIQUE, name text,"
                + " industry text, employees numeric)");
        MappingFixture config = MappingFixture.of(SCHEMA + "." + table, MappingFixture.policy("hard"),
                "Name", "name", "Industry", "industry", "NumberOfEmployees", "employees");
        try (Connection c = TestDb.dataSource().getConnection()) {
            ResolvedMapping r = MappingResolver.resolve("letters_" + table, config, MappingFixture.accountDescribe(), c);
            return OutboundMapping.resolve(r, config, MappingFixture.accountDescribe(), c);
        }
    }

    private static OutboundDeadLetters letters(OutboundMapping m) {
        return new OutboundDeadLetters(TestDb.dataSource(), Map.of(m.name(), m));
    }

    private static long letter(OutboundMapping m, String recordId, String payload) {
        return ((Number) TestDb.value("INSERT INTO sync.dead_letter (mapping, direction, record_id, payload, error) VALUES ('"
                + m.name() + "', 'to-salesforce', '" + recordId + "', '" + payload + "', 'refused') RETURNING id")).longValue();
    }

    private static long failedChange(OutboundMapping m, long key, String fields, String commitAt, long letter) {
        return ((Number) TestDb.value("INSERT INTO sync.outbound_change (mapping, op, pg_key, sfid, fields, commit_at, lsn,"
                + " status, dead_letter) VALUES ('" + m.name() + "', 'UPSERT', '" + key + "', '" + SFID + "', '" + fields
                + "', '" + commitAt + "', " + LSN.incrementAndGet() + ", 'failed', " + letter + ") RETURNING id")).longValue();
    }

    private static Map<String, Object> queued(long letter) {
        List<Map<String, Object>> rows = TestDb.rows("SELECT id, op, pg_key, sfid, fields::text AS fields, lsn,"
                + " extract(epoch FROM commit_at)::bigint AS commit_epoch FROM sync.outbound_change WHERE dead_letter = " + letter
                + " AND status = 'pending'");
        assertThat(rows).hasSize(1);
        return rows.get(0);
    }

    private static Object letterColumn(long id, String column) {
        return TestDb.value("SELECT " + column + " FROM sync.dead_letter WHERE id = " + id);
    }

    @Test
    void aRefusedUpdateIsRetriedWithItsFieldsCurrentValuesBehindTheRecordsLastCommit() throws SQLException {
        OutboundMapping m = mapping();
        TestDb.exec("INSERT INTO " + m.mapping().qualifiedTable() + " VALUES (1, '" + SFID + "', 'Renamed', 'Energy', 12)");
        long id = letter(m, SFID, "{\"kind\": \"outbound\", \"operation\": \"UPDATE\", \"pgKey\": \"1\", \"sfid\": \""
                + SFID + "\", \"fields\": {\"Name\": \"Old name\"}, \"queued\": [1]}");
        failedChange(m, 1, "{\"Name\": \"Old name\"}", "2026-11-21 10:00:00+00", id);

        OutboundDeadLetters.Retry r = letters(m).retry(id);

        assertThat(r.status()).isEqualTo("retrying");
        assertThat(r.queued()).contains("UPSERT");
        Map<String, Object> q = queued(id);
        // Only the refused field, with the row's value now; Industry went on its own meanwhile.
        assertThat(q.get("fields")).isEqualTo("{\"Name\": \"Renamed\"}");
        assertThat(q.get("sfid")).isEqualTo(SFID);
        assertThat(q.get("pg_key")).isEqualTo("1");
        assertThat(((Number) q.get("lsn")).longValue()).isEqualTo(-((Number) q.get("id")).longValue());
        assertThat(((Number) q.get("commit_epoch")).longValue())
                .isEqualTo(java.time.Instant.parse("2026-11-21T10:00:00Z").getEpochSecond());
        assertThat(letterColumn(id, "status")).isEqualTo("retrying");
        assertThatThrownBy(() -> letters(m).retry(id)).isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("still queued");
    }

    @Test
    void aValueThatStillDoesNotConvertCountsAsAnAttemptAndTheFixedRowIsQueuedWhole() throws SQLException {
        OutboundMapping m = mapping();
        TestDb.exec("INSERT INTO " + m.mapping().qualifiedTable() + " (id, name, employees) VALUES (2, 'Acme', 1.5)");
        long id = letter(m, "2", "{\"kind\": \"captured-row\", \"operation\": \"c\", \"row\": \"Struct{id=2}\", \"lsn\": 9}");

        OutboundDeadLetters.Retry failed = letters(m).retry(id);

        assertThat(failed.status()).isEqualTo("retrying");
        assertThat(failed.queued()).isEmpty();
        assertThat(failed.error().orElseThrow()).contains("row id=2").contains("column employees -> field NumberOfEmployees");
        assertThat(letterColumn(id, "attempts")).isEqualTo(2);
        assertThat(letterColumn(id, "error")).isEqualTo(failed.error().get());
        assertThat(TestDb.value("SELECT count(*) FROM sync.outbound_change WHERE dead_letter = " + id)).isEqualTo(0L);

        TestDb.exec("UPDATE " + m.mapping().qualifiedTable() + " SET employees = 2 WHERE id = 2");
        OutboundDeadLetters.Retry retried = letters(m).retry(id);

        assertThat(retried.queued()).contains("UPSERT");
        // A record still to be created: every mapped column that has a value.
        assertThat(queued(id).get("fields")).isEqualTo("{\"Name\": \"Acme\", \"NumberOfEmployees\": 2}");
    }

    @Test
    void theWritersOutcomesSettleARetriedLetterOnItselfNeverInASecondOne() throws SQLException {
        OutboundMapping m = mapping();
        TestDb.exec("INSERT INTO " + m.mapping().qualifiedTable() + " (id, name) VALUES (3, NULL)");
        long id = letter(m, "3", "{\"kind\": \"outbound\", \"operation\": \"CREATE\", \"pgKey\": \"3\", \"sfid\": null,"
                + " \"fields\": {}, \"queued\": [1]}");
        letters(m).retry(id);
        long row = ((Number) queued(id).get("id")).longValue();
        long letters = ((Number) TestDb.value("SELECT count(*) FROM sync.dead_letter")).longValue();

        try (Connection c = TestDb.dataSource().getConnection()) {
            long again = OutboundDeadLetters.insert(c, m, new OutboundPlan.Item(OutboundPlan.Kind.CREATE, "3", null,
                    Map.of(), List.of(row)), "REQUIRED_FIELD_MISSING: Required fields are missing: [Name]");
            assertThat(again).isEqualTo(id);
        }
        assertThat(TestDb.value("SELECT count(*) FROM sync.dead_letter")).isEqualTo(letters);
        assertThat(letterColumn(id, "attempts")).isEqualTo(2);
        assertThat(letterColumn(id, "status")).isEqualTo("retrying");
        assertThat((String) letterColumn(id, "error")).startsWith("REQUIRED_FIELD_MISSING");

        TestDb.exec("UPDATE sync.outbound_change SET status = 'sent' WHERE id = " + row);
        try (Connection c = TestDb.dataSource().getConnection()) {
            OutboundDeadLetters.resolveSent(c, new Object[] {row});
        }
        assertThat(letterColumn(id, "status")).isEqualTo("resolved");
    }

    @Test
    void closedUnknownAndOtherDirectionLettersAreRefusedAndIgnoreWithdrawsAQueuedRetry() throws SQLException {
        OutboundMapping m = mapping();
        TestDb.exec("INSERT INTO " + m.mapping().qualifiedTable() + " (id, name) VALUES (4, 'Acme')");
        long id = letter(m, "4", "{\"kind\": \"outbound\", \"operation\": \"CREATE\", \"pgKey\": \"4\", \"fields\": {}}");
        long toPostgres = ((Number) TestDb.value("INSERT INTO sync.dead_letter (mapping, direction, payload, error) VALUES ('"
                + m.name() + "', 'to-postgres', '{}', 'x') RETURNING id")).longValue();
        long noKey = ((Number) TestDb.value("INSERT INTO sync.dead_letter (mapping, direction, payload, error) VALUES ('"
                + m.name() + "', 'to-salesforce', '{\"kind\": \"captured-row\", \"operation\": \"u\"}', 'x') RETURNING id"))
                .longValue();

        assertThatThrownBy(() -> letters(m).retry(Long.MAX_VALUE)).isInstanceOf(NoSuchElementException.class);
        assertThatThrownBy(() -> letters(m).retry(toPostgres)).isInstanceOf(NoSuchElementException.class)
                .hasMessageContaining("no to-salesforce dead letter");
        assertThatThrownBy(() -> letters(m).retry(noKey)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("names no row").hasMessageContaining("mark the letter ignored");
        assertThatThrownBy(() -> new OutboundDeadLetters(TestDb.dataSource(), Map.of()).retry(id))
                .isInstanceOf(IllegalStateException.class).hasMessageContaining("does not write to Salesforce");

        letters(m).retry(id);
        letters(m).ignore(id);

        assertThat(letterColumn(id, "status")).isEqualTo("ignored");
        assertThat(TestDb.value("SELECT count(*) FROM sync.outbound_change WHERE dead_letter = " + id)).isEqualTo(0L);
        assertThatThrownBy(() -> letters(m).retry(id)).isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("is ignored already");
        assertThatThrownBy(() -> letters(m).ignore(id)).isInstanceOf(IllegalStateException.class);
    }
}
