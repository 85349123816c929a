-- Apply side (Salesforce -> PostgreSQL): the ordering guard needs, besides the commit time,
-- the position of the last applied change per record. Several change events of one Salesforce
-- transaction share a commit timestamp; comparing replayIds tells a later event of that
-- transaction (apply) from a redelivery of one already applied (no-op).
ALTER TABLE sync.record_state ADD COLUMN salesforce_position bigint;

COMMENT ON COLUMN sync.record_state.salesforce_commit_at IS
    'Commit time of the last Salesforce change applied to PostgreSQL; older changes are skipped';
COMMENT ON COLUMN sync.record_state.salesforce_position IS
    'replayId of that change; with an equal commit time, only a higher replayId is applied';

-- Every applied Salesforce change rewrites its record's state row, touching no indexed column:
-- leave room in each page so those updates stay HOT (no new entries in the three indexes).
ALTER TABLE sync.record_state SET (fillfactor = 70);
