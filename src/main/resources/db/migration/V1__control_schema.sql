-- Sluice control schema: everything Sluice itself must remember lives here, in the same
-- PostgreSQL it syncs into, so a restarted pod resumes with no volume (DESIGN.md section 6).
-- Flyway creates the schema and keeps its history table in it (quarkus.flyway.schemas=sync).

-- Last durably applied Salesforce Streaming API position, per org and channel.
-- Written only after the changes up to replay_id are applied or dead-lettered.
CREATE TABLE sync.replay_position (
    org_id     text        NOT NULL,
    channel    text        NOT NULL,              -- e.g. /data/AccountChangeEvent
    replay_id  bigint      NOT NULL,
    updated_at timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (org_id, channel)
);

-- Debezium offsets (an offset store keyed like Kafka Connect's: opaque key and value bytes),
-- per connector name.
CREATE TABLE sync.debezium_offset (
    connector    text        NOT NULL,
    offset_key   bytea       NOT NULL,
    offset_value bytea,
    updated_at   timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (connector, offset_key)
);

-- Records that could not be applied, with what was tried and why; the stream moves on.
CREATE TABLE sync.dead_letter (
    id         bigserial   PRIMARY KEY,
    mapping    text        NOT NULL,
    direction  text        NOT NULL CHECK (direction IN ('to-postgres', 'to-salesforce')),
    record_id  text,                              -- Salesforce Id or PostgreSQL key, when known
    payload    jsonb       NOT NULL,              -- the canonical change as received
    error      text        NOT NULL,
    attempts   integer     NOT NULL DEFAULT 1 CHECK (attempts >= 0),
    status     text        NOT NULL DEFAULT 'new'
                           CHECK (status IN ('new', 'retrying', 'ignored', 'resolved')),
    created_at timestamptz NOT NULL DEFAULT now(),
    updated_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX dead_letter_open_idx ON sync.dead_letter (mapping, created_at)
    WHERE status IN ('new', 'retrying');
CREATE INDEX dead_letter_record_idx ON sync.dead_letter (mapping, record_id);

-- Idempotency keys of events already applied (e.g. a CDC transactionKey + sequence), per stream.
-- Rows older than the replay window can be pruned by processed_at.
CREATE TABLE sync.processed_event (
    stream       text        NOT NULL,
    event_key    text        NOT NULL,
    processed_at timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (stream, event_key)
);
CREATE INDEX processed_event_age_idx ON sync.processed_event (processed_at);

-- Full or partial re-reads of one mapping: initial load, GAP reconciliation, overflow,
-- expired replay position, or on request.
CREATE TABLE sync.resync_job (
    id             bigserial   PRIMARY KEY,
    mapping        text        NOT NULL,
    reason         text        NOT NULL
                               CHECK (reason IN ('initial-load', 'gap', 'overflow', 'replay-expired', 'manual')),
    watermark      timestamptz,                   -- SystemModstamp already covered; resumes from here
    status         text        NOT NULL DEFAULT 'pending'
                               CHECK (status IN ('pending', 'running', 'done', 'failed', 'cancelled')),
    records_total  bigint      CHECK (records_total >= 0),
    records_done   bigint      NOT NULL DEFAULT 0 CHECK (records_done >= 0),
    records_failed bigint      NOT NULL DEFAULT 0 CHECK (records_failed >= 0),
    error          text,
    created_at     timestamptz NOT NULL DEFAULT now(),
    started_at     timestamptz,
    finished_at    timestamptz,
    updated_at     timestamptz NOT NULL DEFAULT now()
);
-- At most one active job per mapping.
CREATE UNIQUE INDEX resync_job_active_idx ON sync.resync_job (mapping)
    WHERE status IN ('pending', 'running');

-- Per-record sync state for ordering guards and conflict handling: the last commit seen on
-- each side. A row created in PostgreSQL has no Salesforce Id until it is inserted there.
CREATE TABLE sync.record_state (
    id                   bigserial   PRIMARY KEY,
    mapping              text        NOT NULL,
    sfid                 text        CHECK (sfid ~ '^[A-Za-z0-9]{18}$'),
    pg_key               text,
    salesforce_commit_at timestamptz,
    postgres_commit_at   timestamptz,
    last_origin          text        CHECK (last_origin IN ('SALESFORCE', 'POSTGRES')),
    updated_at           timestamptz NOT NULL DEFAULT now(),
    CHECK (sfid IS NOT NULL OR pg_key IS NOT NULL),
    UNIQUE (mapping, sfid),
    UNIQUE (mapping, pg_key)
);
