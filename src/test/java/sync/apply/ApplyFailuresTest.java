package sync.apply;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import sync.change.Change;
import sync.mapping.MappingResolver;
import sync.mapping.ResolvedMapping;

import java.math.BigDecimal;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static sync.apply.Changes.id;

/**
 * Bad rows are dead-lettered while the rest commit; transient failures roll the whole batch
 * back; dead letters are retried once their cause is fixed.
 */
class ApplyFailuresTest {
    private static final String SCHEMA = "apply_failures";
    private static final AtomicInteger TABLES = new AtomicInteger();
    private static PostgresApplier applier;
    private static DeadLetters deadLetters;
    private static ReplayPositions positions;

    @BeforeAll
    static void setUp() {
        TestDb.freshSchema(SCHEMA);
        applier = new PostgresApplier(TestDb.dataSource(), "failtest", Duration.ofMillis(300));
        deadLetters = new DeadLetters(TestDb.dataSource(), applier);
        positions = new ReplayPositions(TestDb.dataSource());
    }

    /** A table whose name must not be null and whose revenue must not be negative. */
    private static ResolvedMapping guarded() throws SQLException {
        String table = "guarded_" + TABLES.incrementAndGet();
        TestDb.exec("CREATE TABLE " + SCHEMA + "." + table + " (sfid text PRIMARY KEY, name text NOT NULL,"
                + " revenue numeric(18,2) CONSTRAINT " + table + "_revenue_not_negative CHECK (revenue >= 0), employees integer)");
        MappingFixture m = MappingFixture.of(SCHEMA + "." + table, MappingFixture.policy("hard"),
                "Name", "name", "AnnualRevenue", "revenue", "NumberOfEmployees", "employees");
        try (Connection c = TestDb.dataSource().getConnection()) {
            return MappingResolver.resolve(table, m, MappingFixture.accountDescribe(), c);
        }
    }

    private static List<String> names(ResolvedMapping m) {
        return TestDb.rows("SELECT name FROM " + SCHEMA + "." + m.table().table() + " ORDER BY sfid").stream()
                .map(r -> (String) r.get("name")).toList();
    }

    @Test
    void constraintViolationsDeadLetterOnlyTheBadRowsNamingTheConstraint() throws SQLException {
        ResolvedMapping m = guarded();
        Changes ch = new Changes(m.name());
        PositionUpdate position = new PositionUpdate("00DRM000000TEST1AA", "/data/AccountChangeEvent/" + m.name(), 105);

        ApplyResult result = applier.apply(m, List.of(
                ch.upsert(id(1), 1, 101, "Name", "Good 1", "AnnualRevenue", 10),
                ch.upsert(id(2), 1, 102, "Name", "Negative", "AnnualRevenue", -5),
                ch.upsert(id(3), 1, 103, "Name", null, "AnnualRevenue", 7),
                ch.upsert(id(4), 1, 104, "Name", "Good 4", "AnnualRevenue", 0),
                ch.upsert(id(5), 1, 105, "Name", "Good 5", "AnnualRevenue", 1)), position);

        assertThat(result.applied()).isEqualTo(3);
        assertThat(names(m)).containsExactly("Good 1", "Good 4", "Good 5");
        assertThat(result.deadLetters()).extracting(ApplyResult.DeadLetter::recordId).containsExactly(id(2), id(3));
        assertThat(result.deadLetters().get(0).error()).contains("violates check constraint")
                .contains("constraint " + m.name() + "_revenue_not_negative").contains("23514");
        assertThat(result.deadLetters().get(1).error()).contains("not-null constraint").contains("column name").contains("23502");
        assertThat(positions.get(position.orgId(), position.channel())).hasValue(105);

        List<DeadLetters.Entry> open = deadLetters.open(m.name());
        assertThat(open).extracting(DeadLetters.Entry::recordId).containsExactly(id(2), id(3));
        DeadLetters.Entry negative = open.get(0);
        assertThat(negative.direction()).isEqualTo("to-postgres");
        assertThat(negative.attempts()).isEqualTo(1);
        assertThat(negative.status()).isEqualTo(DeadLetters.Status.NEW);
        assertThat(negative.error()).isEqualTo(result.deadLetters().get(0).error());
        Change payload = negative.change();
        assertThat(payload.op()).isEqualTo(Change.Op.UPSERT);
        assertThat(payload.sfid()).isEqualTo(id(2));
        assertThat(payload.commitTime()).isEqualTo(Changes.T0.plusSeconds(1));
        assertThat(payload.position()).isEqualTo("102");
        assertThat(payload.fields()).containsEntry("Name", "Negative").containsEntry("AnnualRevenue", -5);
        assertThat(TestDb.value("SELECT payload->>'op' FROM sync.dead_letter WHERE id = " + negative.id())).isEqualTo("UPSERT");
    }

    @Test
    void aValueThatDoesNotConvertIsDeadLetteredNamingTheField() throws SQLException {
        ResolvedMapping m = guarded();
        Changes ch = new Changes(m.name());

        ApplyResult result = applier.apply(m, List.of(
                ch.upsert(id(1), 1, 1, "Name", "Fine", "NumberOfEmployees", 12),
                ch.upsert(id(2), 1, 2, "Name", "Lots", "NumberOfEmployees", "lots"),
                ch.upsert(id(3), 1, 3, "Name", "Nul\u0000byte")), null);

        assertThat(names(m)).containsExactly("Fine");
        assertThat(result.deadLetters()).extracting(ApplyResult.DeadLetter::recordId).containsExactly(id(2), id(3));
        assertThat(result.deadLetters().get(0).error()).contains("field NumberOfEmployees -> column employees")
                .contains("'lots'");
        assertThat(result.deadLetters().get(1).error()).contains("NUL character");
    }

    @Test
    void aLockHeldElsewhereFailsTheBatchAsTransientAndWritesNothing() throws SQLException {
        ResolvedMapping m = guarded();
        Changes ch = new Changes(m.name());
        applier.apply(m, List.of(ch.upsert(id(1), 1, 1, "Name", "Locked")), new PositionUpdate("00DRM000000TEST1AA", m.name(), 1));
        List<Change> batch = List.of(ch.upsert(id(2), 2, 2, "Name", "New"), ch.upsert(id(1), 2, 3, "Name", "Changed"),
                ch.upsert(id(3), 2, 4, "Name", "Bad", "AnnualRevenue", -1));

        try (Connection other = TestDb.dataSource().getConnection()) {
            other.setAutoCommit(false);
            try (PreparedStatement lock = other.prepareStatement("SELECT 1 FROM " + SCHEMA + "." + m.table().table()
                    + " WHERE sfid = ? FOR UPDATE")) {
                lock.setString(1, id(1));
                lock.executeQuery().close();
            }
            assertThatThrownBy(() -> applier.apply(m, batch, new PositionUpdate("00DRM000000TEST1AA", m.name(), 4)))
                    .isInstanceOf(TransientApplyException.class)
                    .hasMessageContaining("55P03")
                    .hasMessageContaining("mapping '" + m.name() + "'");
            other.rollback();
        }

        assertThat(names(m)).containsExactly("Locked");
        assertThat(positions.get("00DRM000000TEST1AA", m.name())).hasValue(1);
        assertThat(deadLetters.open(m.name())).isEmpty();
        assertThat(TestDb.value("SELECT count(*) FROM sync.record_state WHERE mapping = '" + m.name() + "'")).isEqualTo(1L);

        ApplyResult retried = applier.apply(m, batch, new PositionUpdate("00DRM000000TEST1AA", m.name(), 4));
        assertThat(retried.applied()).isEqualTo(2);
        assertThat(names(m)).containsExactly("Changed", "New");
        assertThat(positions.get("00DRM000000TEST1AA", m.name())).hasValue(4);
    }

    @Test
    void aDeadLetterRetriedAfterTheCauseIsFixedApplies() throws SQLException {
        ResolvedMapping m = guarded();
        Changes ch = new Changes(m.name());
        ApplyResult first = applier.apply(m, List.of(ch.upsert(id(1), 1, 1, "Name", "Refund", "AnnualRevenue", new BigDecimal("-20.50")),
                ch.upsert(id(2), 1, 2, "Name", "Other", "AnnualRevenue", new BigDecimal("-1"))), null);
        long refund = first.deadLetters().get(0).id();
        long other = first.deadLetters().get(1).id();

        ApplyResult stillFailing = deadLetters.retry(m, refund);

        assertThat(stillFailing.deadLetters()).singleElement().extracting(ApplyResult.DeadLetter::id).isEqualTo(refund);
        assertThat(deadLetters.find(refund)).get().satisfies(e -> {
            assertThat(e.attempts()).isEqualTo(2);
            assertThat(e.status()).isEqualTo(DeadLetters.Status.RETRYING);
        });
        assertThat(TestDb.value("SELECT count(*) FROM sync.dead_letter WHERE mapping = '" + m.name() + "'")).isEqualTo(2L);

        TestDb.exec("ALTER TABLE " + SCHEMA + "." + m.table().table() + " DROP CONSTRAINT " + m.name() + "_revenue_not_negative");
        ApplyResult fixed = deadLetters.retry(m, refund);

        assertThat(fixed.applied()).isEqualTo(1);
        assertThat(fixed.deadLetters()).isEmpty();
        assertThat(TestDb.value("SELECT revenue FROM " + SCHEMA + "." + m.table().table() + " WHERE sfid = '" + id(1) + "'"))
                .isEqualTo(new BigDecimal("-20.50"));
        assertThat(deadLetters.find(refund)).get().extracting(DeadLetters.Entry::status).isEqualTo(DeadLetters.Status.RESOLVED);
        assertThat(deadLetters.open(m.name())).extracting(DeadLetters.Entry::id).containsExactly(other);
        assertThatThrownBy(() -> deadLetters.retry(m, refund)).isInstanceOf(IllegalStateException.class).hasMessageContaining("resolved");

        assertThat(deadLetters.markIgnored(other)).isTrue();
        assertThat(deadLetters.open(m.name())).isEmpty();
    }

    @Test
    void aDeadLetterOvertakenByANewerChangeResolvesAndAsksForARead() throws SQLException {
        ResolvedMapping m = guarded();
        Changes ch = new Changes(m.name());
        long id = applier.apply(m, List.of(ch.upsert(id(1), 1, 1, "Name", "Old", "AnnualRevenue", -1)), null)
                .deadLetters().get(0).id();
        applier.apply(m, List.of(ch.upsert(id(1), 2, 2, "Name", "Newer")), null);

        ApplyResult retried = deadLetters.retry(m, id);

        assertThat(retried.stale()).isEqualTo(1);
        assertThat(retried.missingRecords()).containsExactly(id(1));
        assertThat(names(m)).containsExactly("Newer");
        assertThat(deadLetters.find(id)).get().extracting(DeadLetters.Entry::status).isEqualTo(DeadLetters.Status.RESOLVED);
    }

    @Test
    void deadLetterBookkeeping() throws SQLException {
        ResolvedMapping m = guarded();
        Changes ch = new Changes(m.name());
        long id = applier.apply(m, List.of(ch.upsert(id(1), 1, 1, "Name", null)), null).deadLetters().get(0).id();

        assertThat(deadLetters.markRetrying(id)).isTrue();
        assertThat(deadLetters.incrementAttempts(id, "tried by hand")).isTrue();
        assertThat(deadLetters.find(id)).get().satisfies(e -> {
            assertThat(e.status()).isEqualTo(DeadLetters.Status.RETRYING);
            assertThat(e.attempts()).isEqualTo(2);
            assertThat(e.error()).isEqualTo("tried by hand");
        });
        assertThat(deadLetters.markResolved(id)).isTrue();
        assertThat(deadLetters.open(m.name())).isEmpty();
        assertThat(deadLetters.markIgnored(id)).as("a resolved letter stays resolved").isFalse();
        assertThat(deadLetters.find(id)).get().extracting(DeadLetters.Entry::status).isEqualTo(DeadLetters.Status.RESOLVED);
        assertThat(deadLetters.markResolved(Long.MAX_VALUE)).isFalse();
        assertThatThrownBy(() -> deadLetters.retry(m, Long.MAX_VALUE)).isInstanceOf(IllegalArgumentException.class);

        long raw = ((Number) TestDb.value("INSERT INTO sync.dead_letter (mapping, direction, record_id, payload, error)"
                + " VALUES ('" + m.name() + "', 'to-postgres', NULL, '{\"kind\": \"raw-event\", \"replayId\": 5}', 'malformed')"
                + " RETURNING id")).longValue();
        assertThatThrownBy(() -> deadLetters.retry(m, raw)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("not a change payload but a raw-event").hasMessageContaining("mark it ignored");
    }
}
