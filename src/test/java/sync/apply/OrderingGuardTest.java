package sync.apply;

import org.junit.jupiter.api.Test;
import sync.change.Change;

import java.time.Instant;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static sync.apply.OrderingGuard.Verdict.APPLY;
import static sync.apply.OrderingGuard.Verdict.DUPLICATE;
import static sync.apply.OrderingGuard.Verdict.STALE;

class OrderingGuardTest {
    private static final Instant AT = Instant.parse("2024-04-09T20:26:27.123Z");
    private static final OrderingGuard.Seen SEEN = new OrderingGuard.Seen(AT, 50L);

    private static Change at(Instant commit, String position) {
        return new Change("m", Change.Origin.SALESFORCE, Change.Op.UPSERT, "001RM000004UF9sYAG", null, Map.of(), commit, position, null, null);
    }

    @Test
    void newerAppliesOlderIsStale() {
        assertThat(OrderingGuard.check(at(AT.plusMillis(1), "10"), SEEN)).isEqualTo(APPLY);
        assertThat(OrderingGuard.check(at(AT.minusMillis(1), "99"), SEEN)).isEqualTo(STALE);
    }

    @Test
    void sameCommitTimeIsADuplicateUnlessLaterInTheStream() {
        assertThat(OrderingGuard.check(at(AT, "50"), SEEN)).isEqualTo(DUPLICATE);
        assertThat(OrderingGuard.check(at(AT, "49"), SEEN)).isEqualTo(DUPLICATE);
        assertThat(OrderingGuard.check(at(AT, "51"), SEEN)).isEqualTo(APPLY);
        assertThat(OrderingGuard.check(at(AT, "not-a-replay-id"), SEEN)).isEqualTo(DUPLICATE);
        assertThat(OrderingGuard.check(at(AT, "51"), new OrderingGuard.Seen(AT, null))).isEqualTo(DUPLICATE);
        // stored with microsecond precision
        assertThat(OrderingGuard.check(at(AT.plusNanos(400), "50"), SEEN)).isEqualTo(DUPLICATE);
    }

    @Test
    void unknownRecordsAndUntimedChangesApply() {
        assertThat(OrderingGuard.check(at(AT, "1"), null)).isEqualTo(APPLY);
        assertThat(OrderingGuard.check(at(null, "1"), SEEN)).isEqualTo(APPLY);
    }
}
