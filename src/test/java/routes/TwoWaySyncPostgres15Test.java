package routes;

import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledIf;
import sync.debezium.DebeziumSource;
import sync.testing.Postgres15;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Every two-way invariant of {@link TwoWaySyncTest}, on PostgreSQL 15: there pgoutput has no
 * {@code origin} option, so the slot streams Sluice's own writes (applied Salesforce changes,
 * Id write-backs) and the route must drop them by their replication origin. Skipped, before
 * Quarkus starts, on a machine without Debian's PostgreSQL 15 server binaries.
 */
@QuarkusTest
@TestProfile(TwoWaySyncPostgres15Profile.class)
@EnabledIf(value = "sync.testing.Postgres15#installed", disabledReason = Postgres15.NOT_INSTALLED)
class TwoWaySyncPostgres15Test extends TwoWaySyncTest {

    /**
     * The inherited tests read a PostgreSQL 15 slot without {@code origin=none}: Sluice's own
     * writes reach the route, and only its origin filter keeps them from Salesforce.
     */
    @Test
    void theCaptureReadsPostgres15WithoutOriginFiltering() {
        DebeziumSource source = engine.outbound().source();
        assertThat(source.serverMajor()).isEqualTo(15);
        assertThat(source.serverFiltersOrigins()).isFalse();
        assertThat(source.configuration().getSlotStreamParams()).isNull();
    }
}
