package sync.apply;

import sync.change.Change;

import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;

/** Builds Salesforce changes for tests: commit times in seconds since a fixed instant, replayIds as given. */
final class Changes {
    static final Instant T0 = Instant.parse("2024-04-09T20:00:00Z");

    private final String mapping;

    Changes(String mapping) {
        this.mapping = mapping;
    }

    Change upsert(String sfid, int second, long replayId, Object... fieldValuePairs) {
        return change(Change.Op.UPSERT, sfid, second, replayId, fieldValuePairs);
    }

    Change delete(String sfid, int second, long replayId) {
        return change(Change.Op.DELETE, sfid, second, replayId);
    }

    Change undelete(String sfid, int second, long replayId, Object... fieldValuePairs) {
        return change(Change.Op.UNDELETE, sfid, second, replayId, fieldValuePairs);
    }

    Change resync(String sfid, int second, long replayId) {
        return change(Change.Op.RESYNC, sfid, second, replayId);
    }

    Change change(Change.Op op, String sfid, int second, long replayId, Object... fieldValuePairs) {
        Map<String, Object> fields = new LinkedHashMap<>();
        for (int i = 0; i < fieldValuePairs.length; i += 2) {
            fields.put((String) fieldValuePairs[i], fieldValuePairs[i + 1]);
        }
        return new Change(mapping, Change.Origin.SALESFORCE, op, sfid, null, fields, T0.plusSeconds(second),
                Long.toString(replayId), new Change.Transaction("tx-" + replayId, 1), null);
    }

    /** An 18-character Salesforce Id with the given number. */
    static String id(int n) {
        return String.format("001RM%013d", n);
    }
}
