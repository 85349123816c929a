package sync.change;

import org.junit.jupiter.api.Test;

import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

class ChangeMergerTest {
    static Change change(String id, Change.Op op, long at, long replay, Map<String, Object> fields) {
        return new Change("m", Change.Origin.SALESFORCE, op, id, null, fields, Instant.ofEpochMilli(at),
                Long.toString(replay), null, null);
    }

    static Map<String, Object> f(Object... kv) {
        Map<String, Object> m = new LinkedHashMap<>();
        for (int i = 0; i < kv.length; i += 2) {
            m.put((String) kv[i], kv[i + 1]);
        }
        return m;
    }

    @Test
    void partialUpdatesMergeFieldByFieldAndExplicitNullsSurvive() {
        List<Change> out = ChangeMerger.merge(List.of(
                change("a", Change.Op.UPSERT, 1, 1, f("Name", "A", "Industry", "Banking")),
                change("a", Change.Op.UPSERT, 2, 2, f("Industry", null)),
                change("b", Change.Op.UPSERT, 2, 3, f("Name", "B"))));
        assertThat(out).hasSize(2);
        assertThat(out.get(0).fields()).isEqualTo(f("Name", "A", "Industry", null));
        assertThat(out.get(0).position()).isEqualTo("2");
    }

    @Test
    void olderEventArrivingLateDoesNotWin() {
        List<Change> out = ChangeMerger.merge(List.of(
                change("a", Change.Op.UPSERT, 5, 5, f("Name", "new")),
                change("a", Change.Op.UPSERT, 3, 3, f("Name", "old", "Phone", "1"))));
        assertThat(out.get(0).fields()).isEqualTo(f("Name", "new", "Phone", "1"));
        assertThat(out.get(0).commitTime()).isEqualTo(Instant.ofEpochMilli(5));
    }

    @Test
    void deleteWinsAndUndeleteRestores() {
        assertThat(ChangeMerger.merge(List.of(change("a", Change.Op.UPSERT, 1, 1, f("Name", "x")),
                change("a", Change.Op.DELETE, 2, 2, f()))).get(0).op()).isEqualTo(Change.Op.DELETE);
        Change restored = ChangeMerger.merge(List.of(change("a", Change.Op.DELETE, 1, 1, f()),
                change("a", Change.Op.UNDELETE, 2, 2, f("Name", "back")),
                change("a", Change.Op.UPSERT, 3, 3, f("Phone", "2")))).get(0);
        assertThat(restored.op()).isEqualTo(Change.Op.UNDELETE);
        assertThat(restored.fields()).isEqualTo(f("Name", "back", "Phone", "2"));
    }

    @Test
    void resyncsAreKeptBesideTheMergedChange() {
        List<Change> out = ChangeMerger.merge(List.of(change("a", Change.Op.UPSERT, 1, 1, f("Name", "x")),
                change("a", Change.Op.RESYNC, 2, 2, f()), change(null, Change.Op.RESYNC, 3, 3, f())));
        assertThat(out).extracting(Change::op).containsExactly(Change.Op.UPSERT, Change.Op.RESYNC, Change.Op.RESYNC);
    }
}
