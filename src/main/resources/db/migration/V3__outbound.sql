-- PostgreSQL -> Salesforce: changes captured from the WAL (Debezium) wait here until they are
-- written to Salesforce. A captured change is inserted before the Debezium offset that covers
-- it is stored (sync.debezium_offset), so a restart never skips one; a redelivered change is
-- recognised by (mapping, lsn) and not queued twice.
-- Rows that were sent stay for a while: the Salesforce -> PostgreSQL flow reads them to
-- recognise the change events our own writes cause (echoes) and to resolve conflicts.
CREATE TABLE sync.outbound_change (
    id           bigserial   PRIMARY KEY,
    mapping      text        NOT NULL,
    op           text        NOT NULL CHECK (op IN ('UPSERT', 'DELETE')),
    pg_key       text        NOT NULL,              -- the row's primary key value, as text
    sfid         text,                              -- the Salesforce Id, when known at capture
    fields       jsonb       NOT NULL,              -- Salesforce field -> value (Salesforce JSON form)
    commit_at    timestamptz NOT NULL,              -- commit time of the PostgreSQL transaction
    lsn          bigint      NOT NULL,              -- WAL position of the change
    captured_at  timestamptz NOT NULL DEFAULT now(),
    status       text        NOT NULL DEFAULT 'pending'
                             CHECK (status IN ('pending', 'sending', 'sent', 'failed')),
    attempts     integer     NOT NULL DEFAULT 0,
    next_attempt timestamptz,                       -- a transient failure waits until then
    sending_at   timestamptz,                       -- when the current attempt started
    sent_at      timestamptz,
    result_id    text,                              -- the Id Salesforce answered with
    error        text,
    dead_letter  bigint REFERENCES sync.dead_letter (id),
    UNIQUE (mapping, lsn)
);
CREATE INDEX outbound_change_queue_idx ON sync.outbound_change (mapping, id) WHERE status IN ('pending', 'sending');
CREATE INDEX outbound_change_record_idx ON sync.outbound_change (mapping, (coalesce(sfid, result_id)));
CREATE INDEX outbound_change_key_idx ON sync.outbound_change (mapping, pg_key);
CREATE INDEX outbound_change_sent_idx ON sync.outbound_change (sent_at) WHERE status = 'sent';

-- Written by Debezium's heartbeat (heartbeat.action.query) and published with the mapped
-- tables, so the replication slot's confirmed position moves on while they are idle.
CREATE TABLE sync.heartbeat (
    id      integer     PRIMARY KEY,
    beat_at timestamptz NOT NULL
);
