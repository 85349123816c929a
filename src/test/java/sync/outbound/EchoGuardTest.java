package sync.outbound;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.api.Test;
import sync.change.Change;
import sync.config.SyncConfig;

import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Set;

import static org.assertj.core.api.Assertions.assertThat;

class EchoGuardTest {
    private static final String SFID = "0018d000000AbcdAAC";
    private static final Instant T = Instant.parse("2026-11-21T10:00:00Z");
    private static final Set<String> MAPPED = Set.of("Name", "Industry", "Website");

    private static Change sf(String client, Instant at, Map<String, Object> fields) {
        return new Change("acct", Change.Origin.SALESFORCE, Change.Op.UPSERT, SFID, null, fields, at, "1",
                new Change.Transaction("0001-tx", 0), client);
    }

    @Test
    void anEchoLosesWhatWeWroteAndKeepsWhatATriggerChanged() {
        EchoGuard.Decision d = EchoGuard.decide("sluice", SyncConfig.ConflictPolicy.LAST_WRITER_WINS, MAPPED,
                List.of(sf("sluice", T, Map.of("Name", "ours", "Website", "by trigger"))),
                Map.of(SFID, List.of(new EchoGuard.Outbound(1, "sent", Map.of("Name", "ours"), T.minusSeconds(1)))));
        assertThat(d.apply()).singleElement().satisfies(c -> assertThat(c.fields()).containsOnlyKeys("Website"));
    }

    @Test
    void anEchoOfAnOlderValueNeverOverwritesANewerOneAndAFullEchoIsNoWriteAtAll() {
        EchoGuard.Decision d = EchoGuard.decide("sluice", SyncConfig.ConflictPolicy.LAST_WRITER_WINS, MAPPED,
                List.of(sf("sluice", T, Map.of("Name", "v1", "LastModifiedDate", "x"))),
                Map.of(SFID, List.of(new EchoGuard.Outbound(1, "sent", Map.of("Name", "v1"), T.minusSeconds(2)),
                        new EchoGuard.Outbound(2, "sending", Map.of("Name", "v2"), T.minusSeconds(1)))));
        assertThat(d.apply()).isEmpty();
    }

    @Test
    void anEchoOfAWriteResetToPendingIsStillOursAndNeverOverwritesTheNewerQueuedValue() {
        // Sent, its outcome not recorded (PostgreSQL was down), reset to pending by reconciliation;
        // a newer application change of the same field is queued behind it.
        EchoGuard.Decision d = EchoGuard.decide("sluice", SyncConfig.ConflictPolicy.LAST_WRITER_WINS, MAPPED,
                List.of(sf("sluice", T, Map.of("Name", "v1", "LastModifiedDate", "x"))),
                Map.of(SFID, List.of(new EchoGuard.Outbound(1, "pending", Map.of("Name", "v1"), T.minusSeconds(3)),
                        new EchoGuard.Outbound(2, "pending", Map.of("Name", "v2"), T.minusSeconds(1)))));
        assertThat(d.apply()).isEmpty();
    }

    @ParameterizedTest(name = "{0}: Salesforce edit {1}s after the queued PostgreSQL edit -> Salesforce applied: {2}")
    @CsvSource({
            "LAST_WRITER_WINS, 5, true",
            "LAST_WRITER_WINS, -5, false",
            "SALESFORCE_WINS, -5, true",
            "POSTGRES_WINS, 5, false"})
    void concurrentEditsOfOneFieldResolvePerPolicyAndOtherFieldsMerge(SyncConfig.ConflictPolicy policy, long offset,
                                                                    boolean salesforceApplied) {
        EchoGuard.Decision d = EchoGuard.decide("sluice", policy, MAPPED,
                List.of(sf(null, T.plusSeconds(offset), Map.of("Name", "from sf", "Industry", "Energy"))),
                Map.of(SFID, List.of(new EchoGuard.Outbound(9, "pending", Map.of("Name", "from pg", "Website", "w"), T))));
        Map<String, Object> applied = d.apply().get(0).fields();
        assertThat(applied).containsEntry("Industry", "Energy");
        assertThat(applied.containsKey("Name")).isEqualTo(salesforceApplied);
        // The losing PostgreSQL value leaves the queue; the field only PostgreSQL changed stays.
        assertThat(d.strip().getOrDefault(9L, Set.of())).isEqualTo(salesforceApplied ? Set.of("Name") : Set.of());
    }

    @Test
    void aWholeRecordReadLaterStillLosesToAQueuedPostgresChangeOfTheSameField() {
        Change snapshot = new Change("acct", Change.Origin.SALESFORCE, Change.Op.UPSERT, SFID, null,
                Map.of("Name", "old in sf", "Industry", "Energy"), T.plusSeconds(60), "resync:1", null, null);
        EchoGuard.Decision d = EchoGuard.decide("sluice", SyncConfig.ConflictPolicy.LAST_WRITER_WINS, MAPPED, List.of(snapshot),
                Map.of(SFID, List.of(new EchoGuard.Outbound(9, "pending", Map.of("Name", "new in pg"), T))));
        assertThat(d.apply()).singleElement().satisfies(c -> assertThat(c.fields()).containsOnlyKeys("Industry"));
        assertThat(d.strip()).isEmpty();
    }

    @Test
    void aSalesforceEditCommittedBeforeOurWriteWasAnsweredIsOverwrittenByItUntilItsEchoArrives() {
        EchoGuard.Outbound written = new EchoGuard.Outbound(5, "sent", Map.of("Name", "from pg"), T.minusSeconds(3),
                T.plusMillis(300), false);
        // The edit arrives first: it was committed before our write, which overwrote its Name.
        EchoGuard.Decision d = EchoGuard.decide("sluice", SyncConfig.ConflictPolicy.LAST_WRITER_WINS, MAPPED,
                List.of(sf(null, T, Map.of("Name", "from sf", "Industry", "Energy")),
                        sf("sluice", T.plusMillis(200), Map.of("Name", "from pg"))),
                Map.of(SFID, List.of(written)));
        assertThat(d.apply()).singleElement().satisfies(c -> assertThat(c.fields()).containsOnlyKeys("Industry"));
        assertThat(d.overwrittenFields()).isEqualTo(1);
        assertThat(d.echoed()).containsExactly(5L);

        // The echo arrives first: an edit after it is newer than our write and lands.
        d = EchoGuard.decide("sluice", SyncConfig.ConflictPolicy.LAST_WRITER_WINS, MAPPED,
                List.of(sf("sluice", T.plusMillis(200), Map.of("Name", "from pg")),
                        sf(null, T.plusMillis(250), Map.of("Name", "from sf"))),
                Map.of(SFID, List.of(written)));
        assertThat(d.apply()).singleElement().satisfies(c -> assertThat(c.fields()).containsEntry("Name", "from sf"));
        assertThat(d.overwrittenFields()).isZero();
    }

    @Test
    void anEchoMarksTheWriteWhoseValuesItCarriesAndTheOnesSentBefore() {
        List<EchoGuard.Outbound> rows = List.of(
                new EchoGuard.Outbound(1, "sent", Map.of("Name", "a"), T, T.plusMillis(10), false),
                new EchoGuard.Outbound(2, "sent", Map.of("Name", "b"), T, T.plusMillis(20), false),
                new EchoGuard.Outbound(3, "sent", Map.of("Name", "c"), T, T.plusMillis(30), false));
        EchoGuard.Decision d = EchoGuard.decide("sluice", SyncConfig.ConflictPolicy.LAST_WRITER_WINS, MAPPED,
                List.of(sf("sluice", T.plusMillis(15), Map.of("Name", "b"))), Map.of(SFID, rows));
        assertThat(d.echoed()).containsExactlyInAnyOrder(1L, 2L);
        d = EchoGuard.decide("sluice", SyncConfig.ConflictPolicy.LAST_WRITER_WINS, MAPPED,
                List.of(sf("sluice", T.plusMillis(15), Map.of("Name", "not ours"))), Map.of(SFID, rows));
        assertThat(d.echoed()).isEmpty();
    }

    @Test
    void numbersCompareByValue() {
        assertThat(EchoGuard.same(new java.math.BigDecimal("1500.00"), 1500)).isTrue();
        assertThat(EchoGuard.same("a", "b")).isFalse();
        assertThat(EchoGuard.same(null, null)).isTrue();
    }
}
