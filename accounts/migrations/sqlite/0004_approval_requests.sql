-- Starts that wait for a second person (four-eyes grants). A request is decided once; the form
-- fields it would start with (secret values included) are kept only while it is pending.
CREATE TABLE approval_requests (
    id TEXT PRIMARY KEY NOT NULL,
    requested_at INTEGER NOT NULL,
    requested_by TEXT NOT NULL,
    requester_groups TEXT NOT NULL DEFAULT '[]',
    grant_name TEXT NOT NULL,
    runbook TEXT NOT NULL,
    version TEXT NOT NULL DEFAULT '',
    mode TEXT NOT NULL DEFAULT '',
    role TEXT NOT NULL DEFAULT '',
    -- As shown: JSON, secret values masked.
    parameters TEXT NOT NULL DEFAULT '{}',
    targets TEXT NOT NULL DEFAULT '',
    cli TEXT NOT NULL DEFAULT '',
    -- What the portal starts on approval: the form's fields as JSON.
    fields TEXT NOT NULL DEFAULT '{}',
    -- pending, approved (being started), started, failed, rejected, withdrawn
    status TEXT NOT NULL DEFAULT 'pending',
    decided_by TEXT NOT NULL DEFAULT '',
    decided_at INTEGER,
    comment TEXT NOT NULL DEFAULT '',
    execution_id TEXT NOT NULL DEFAULT '',
    error TEXT NOT NULL DEFAULT ''
);
CREATE INDEX approval_requests_by_status ON approval_requests (status, requested_at);
CREATE INDEX approval_requests_by_execution ON approval_requests (execution_id);
