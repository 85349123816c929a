-- PostgreSQL -> Salesforce backlogs go through Bulk API 2.0 ingest jobs. A job is recorded here,
-- and on the changes it carries, before any record is uploaded: after a stop, the writer reads
-- what the job did (its successful and failed results) instead of sending the changes again.
CREATE TABLE sync.outbound_bulk_job (
    id         text        PRIMARY KEY,             -- Salesforce's job Id
    mapping    text        NOT NULL,
    operation  text        NOT NULL CHECK (operation IN ('CREATE', 'UPSERT', 'UPDATE', 'DELETE')),
    records    integer     NOT NULL,
    created_at timestamptz NOT NULL DEFAULT now()
);

-- The job of the change's latest attempt (cleared when it is claimed for another attempt).
ALTER TABLE sync.outbound_change ADD COLUMN bulk_job text;
CREATE INDEX outbound_change_bulk_job_idx ON sync.outbound_change (bulk_job) WHERE bulk_job IS NOT NULL;
