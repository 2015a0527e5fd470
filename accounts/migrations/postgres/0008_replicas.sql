-- Portal processes sharing the database (see migrations/sqlite/0008_replicas.sql).
CREATE TABLE replicas (
    id TEXT PRIMARY KEY NOT NULL,
    started_at BIGINT NOT NULL,
    heartbeat_at BIGINT NOT NULL
);
ALTER TABLE audit_records ADD COLUMN replica TEXT NOT NULL DEFAULT '';
ALTER TABLE approval_requests ADD COLUMN replica TEXT NOT NULL DEFAULT '';
CREATE INDEX audit_records_pending ON audit_records (outcome) WHERE outcome = 'pending';
-- tower-sessions' PostgreSQL store creates its table itself, but two replicas creating it at
-- once can collide: made here, under the migrations' lock, it only finds it.
CREATE SCHEMA IF NOT EXISTS tower_sessions;
CREATE TABLE IF NOT EXISTS tower_sessions.session (
    id TEXT PRIMARY KEY NOT NULL,
    data BYTEA NOT NULL,
    expiry_date TIMESTAMPTZ NOT NULL
);
