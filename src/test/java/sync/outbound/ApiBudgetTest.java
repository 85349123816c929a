package sync.outbound;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import sync.apply.TestDb;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.OptionalLong;

import static org.assertj.core.api.Assertions.assertThat;

/** The daily API budget, against the real sync.api_call table (shared embedded PostgreSQL). */
class ApiBudgetTest {
    private static final String CLIENT = "budget-test";
    private final MovableClock clock = new MovableClock(Instant.parse("2026-11-21T10:00:30Z"));

    @BeforeEach
    void clean() {
        TestDb.exec("DELETE FROM sync.api_call WHERE client IN ('" + CLIENT + "', 'other-client')");
    }

    @Test
    void ownCallsSurviveARestartAndLeaveTheWindowAfter24Hours() {
        ApiBudget budget = budget(3, CLIENT);
        for (int i = 0; i < 3; i++) {
            assertThat(budget.mayCall()).isTrue();
            budget.called();
            clock.advance(Duration.ofSeconds(40));
        }
        assertThat(budget.mayCall()).isFalse();
        assertThat(TestDb.value("SELECT sum(calls) FROM sync.api_call WHERE client = '" + CLIENT + "'")).hasToString("3");

        // A restart: the new budget reads the calls back and still holds writes.
        ApiBudget restarted = budget(3, CLIENT);
        assertThat(restarted.ownCalls()).isEqualTo(3);
        assertThat(restarted.mayCall()).isFalse();
        // Another client name (another Sluice on the org) has a budget of its own.
        assertThat(budget(3, "other-client").mayCall()).isTrue();

        // The first minute's calls leave the window 24 hours later.
        clock.advance(Duration.ofHours(24).minusSeconds(120));
        assertThat(restarted.mayCall()).isTrue();
        assertThat(restarted.ownCalls()).isEqualTo(2);
    }

    @Test
    void theStepsOfABulkJobCountOneByOneAndAreStoredAsSuch() {
        ApiBudget budget = budget(10, CLIENT);
        budget.called(9); // create, upload, close, polls, results of one ingest job
        assertThat(budget.mayCall()).isTrue();
        budget.called();
        assertThat(budget.mayCall()).isFalse();
        assertThat(TestDb.value("SELECT sum(calls) FROM sync.api_call WHERE client = '" + CLIENT + "'")).hasToString("10");
        assertThat(budget(10, CLIENT).ownCalls()).isEqualTo(10);
    }

    @Test
    void theOrgsReportedUsageHoldsWritesBackAndOneProbePerMinuteGoesThrough() {
        ApiBudget budget = budget(1_000, CLIENT);
        budget.called();
        budget.observe(89, 100);
        assertThat(budget.orgLimited()).isFalse();
        budget.observe(95, 100);
        clock.advance(Duration.ofSeconds(10));
        assertThat(budget.orgLimited()).isTrue();
        assertThat(budget.mayCall()).isFalse();
        clock.advance(Duration.ofMinutes(1));
        assertThat(budget.mayCall()).isTrue();
        budget.observe(40, 100);
        assertThat(budget.orgLimited()).isFalse();
    }

    private ApiBudget budget(long daily, String client) {
        return new ApiBudget(OptionalLong.of(daily), 0.9, clock, TestDb.dataSource(), client);
    }

    private static final class MovableClock extends Clock {
        private Instant now;

        MovableClock(Instant now) {
            this.now = now;
        }

        void advance(Duration d) {
            now = now.plus(d);
        }

        @Override
        public java.time.ZoneId getZone() {
            return ZoneOffset.UTC;
        }

        @Override
        public Clock withZone(java.time.ZoneId zone) {
            return this;
        }

        @Override
        public Instant instant() {
            return now;
        }
    }
}
