-- When the change event our own write caused (its echo) came back from Salesforce. Until it
-- does, a Salesforce change event that arrives for the same record was committed before our
-- write (change events arrive in commit order) and our write overwrote the fields it set.
ALTER TABLE sync.outbound_change ADD COLUMN echoed_at timestamptz;

-- Sluice's own Salesforce API calls per minute and client name: the daily API budget
-- (sync.outbound.daily-api-budget) counts the last 24 hours across restarts.
CREATE TABLE sync.api_call (
    client text        NOT NULL,
    minute timestamptz NOT NULL,
    calls  integer     NOT NULL,
    PRIMARY KEY (client, minute)
);
