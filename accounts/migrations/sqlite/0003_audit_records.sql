-- The audit trail: who asked the portal for what, and what came of it. Append-only: a record is
-- written before the portal acts (outcome 'pending') and completed once after; nothing is deleted.
CREATE TABLE audit_records (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    at INTEGER NOT NULL,
    user_name TEXT NOT NULL,
    groups TEXT NOT NULL DEFAULT '[]',
    action TEXT NOT NULL,
    runbook TEXT NOT NULL DEFAULT '',
    version TEXT NOT NULL DEFAULT '',
    mode TEXT NOT NULL DEFAULT '',
    role TEXT NOT NULL DEFAULT '',
    parameters TEXT NOT NULL DEFAULT '{}',
    targets TEXT NOT NULL DEFAULT '',
    execution_id TEXT NOT NULL DEFAULT '',
    outcome TEXT NOT NULL,
    detail TEXT NOT NULL DEFAULT '',
    client_address TEXT NOT NULL DEFAULT '',
    user_agent TEXT NOT NULL DEFAULT '',
    request_id TEXT NOT NULL DEFAULT '',
    completed_at INTEGER
);
CREATE INDEX audit_records_by_time ON audit_records (at);
CREATE INDEX audit_records_by_user ON audit_records (user_name, at);

CREATE TRIGGER audit_records_never_deleted BEFORE DELETE ON audit_records
BEGIN
    SELECT RAISE(ABORT, 'the audit trail is append-only: records are never deleted');
END;

CREATE TRIGGER audit_records_completed_once BEFORE UPDATE ON audit_records
WHEN OLD.outcome <> 'pending'
BEGIN
    SELECT RAISE(ABORT, 'the audit trail is append-only: a completed record does not change');
END;
