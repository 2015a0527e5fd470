-- The portal's tables on PostgreSQL: the same as SQLite's migrations 0001 to 0007 (see
-- migrations/sqlite for what each holds), with PostgreSQL's types and triggers.
CREATE TABLE users (
    name TEXT PRIMARY KEY NOT NULL,
    groups TEXT NOT NULL DEFAULT '[]',
    password_hash TEXT NOT NULL,
    created_at BIGINT NOT NULL,
    password_changed_at BIGINT NOT NULL,
    sessions_valid_from BIGINT NOT NULL DEFAULT 0
);

CREATE TABLE started_executions (
    execution_id TEXT PRIMARY KEY NOT NULL,
    user_name TEXT NOT NULL,
    request_id TEXT NOT NULL,
    started_at BIGINT NOT NULL
);
CREATE INDEX started_executions_by_user ON started_executions (user_name, started_at);

CREATE TABLE audit_records (
    id BIGSERIAL PRIMARY KEY,
    at BIGINT NOT NULL,
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
    completed_at BIGINT
);
CREATE INDEX audit_records_by_time ON audit_records (at);
CREATE INDEX audit_records_by_user ON audit_records (user_name, at);

CREATE FUNCTION audit_records_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'DELETE' THEN
        RAISE EXCEPTION 'the audit trail is append-only: records are never deleted';
    END IF;
    IF OLD.outcome <> 'pending' THEN
        RAISE EXCEPTION 'the audit trail is append-only: a completed record does not change';
    END IF;
    RETURN NEW;
END;
$$;
CREATE TRIGGER audit_records_append_only BEFORE UPDATE OR DELETE ON audit_records
    FOR EACH ROW EXECUTE FUNCTION audit_records_append_only();
CREATE TRIGGER audit_records_never_truncated BEFORE TRUNCATE ON audit_records
    FOR EACH STATEMENT EXECUTE FUNCTION audit_records_append_only();

CREATE TABLE approval_requests (
    id TEXT PRIMARY KEY NOT NULL,
    requested_at BIGINT NOT NULL,
    requested_by TEXT NOT NULL,
    requester_groups TEXT NOT NULL DEFAULT '[]',
    grant_name TEXT NOT NULL,
    runbook TEXT NOT NULL,
    version TEXT NOT NULL DEFAULT '',
    mode TEXT NOT NULL DEFAULT '',
    role TEXT NOT NULL DEFAULT '',
    parameters TEXT NOT NULL DEFAULT '{}',
    targets TEXT NOT NULL DEFAULT '',
    cli TEXT NOT NULL DEFAULT '',
    fields TEXT NOT NULL DEFAULT '{}',
    status TEXT NOT NULL DEFAULT 'pending',
    decided_by TEXT NOT NULL DEFAULT '',
    decided_at BIGINT,
    comment TEXT NOT NULL DEFAULT '',
    execution_id TEXT NOT NULL DEFAULT '',
    error TEXT NOT NULL DEFAULT '',
    requester_local BIGINT NOT NULL DEFAULT 1
);
CREATE INDEX approval_requests_by_status ON approval_requests (status, requested_at);
CREATE INDEX approval_requests_by_execution ON approval_requests (execution_id);
CREATE INDEX approval_requests_by_time ON approval_requests (requested_at DESC, id DESC);

CREATE TABLE sso_identities (
    issuer TEXT NOT NULL,
    subject TEXT NOT NULL,
    name TEXT NOT NULL,
    first_seen BIGINT NOT NULL,
    last_seen BIGINT NOT NULL,
    PRIMARY KEY (issuer, subject)
);
-- SQLite's `name ... UNIQUE COLLATE NOCASE`: one name whatever its case.
CREATE UNIQUE INDEX sso_identities_name ON sso_identities (lower(name));
