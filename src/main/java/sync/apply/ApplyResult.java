package sync.apply;

import sync.change.Change;

import java.util.List;

/**
 * What applying one batch did.
 *
 * @param applied        records written (upserted, deleted, flagged, or deletes the policy ignores)
 * @param stale          changes skipped because the record already holds a newer commit
 * @param duplicates     changes skipped because they were applied before (redeliveries)
 * @param deadLetters    records that could not be applied, each stored in {@code sync.dead_letter}
 * @param resyncs        RESYNC changes, not applied: the caller re-reads those records (or the
 *                       whole object, for a change without a record Id)
 * @param missingRecords records inserted from a change that does not carry the whole record
 *                       (an update or undelete of a row the table did not have): re-read them
 */
public record ApplyResult(int applied, int stale, int duplicates, List<DeadLetter> deadLetters, List<Change> resyncs,
                          List<String> missingRecords) {

    public ApplyResult {
        deadLetters = List.copyOf(deadLetters);
        resyncs = List.copyOf(resyncs);
        missingRecords = List.copyOf(missingRecords);
    }

    /** Changes skipped by the ordering guard: stale plus duplicates. */
    public int skipped() {
        return stale + duplicates;
    }

    /** Records dead-lettered. */
    public int deadLettered() {
        return deadLetters.size();
    }

    /**
     * One record that could not be applied.
     *
     * @param id       the {@code sync.dead_letter} row
     * @param recordId the Salesforce Id, when the change had one
     * @param error    why, with the PostgreSQL message, constraint and column when there was one
     */
    public record DeadLetter(long id, String recordId, String error) {
    }
}
