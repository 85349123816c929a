-- When the change event our own write caused (its echo) came back from Salesforce. Until it
-- does, a Salesforce change event that arrives for the same record was committed before our
-- write (change events arrive in commit order) and our write overwrote the fields it set.
ALTER TABLE sync.outbound_change ADD COLUMN echoed_at timestamptz;
