-- Portal processes sharing the database, each with a heartbeat. Work a replica left pending (an
-- audit record written before AWS answered, an approved request being started) is repaired only
-- once its heartbeat has stopped: a live replica is still doing it.
CREATE TABLE replicas (
    id TEXT PRIMARY KEY NOT NULL,
    started_at INTEGER NOT NULL,
    heartbeat_at INTEGER NOT NULL
);
-- Records from before replicas were known belong to none: repaired at the first start.
ALTER TABLE audit_records ADD COLUMN replica TEXT NOT NULL DEFAULT '';
ALTER TABLE approval_requests ADD COLUMN replica TEXT NOT NULL DEFAULT '';
CREATE INDEX audit_records_pending ON audit_records (outcome) WHERE outcome = 'pending';
