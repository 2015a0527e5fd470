-- Who started each execution the portal started: AWS records the portal's own identity as
-- ExecutedBy, so only this table knows the person (and grants that show "own" executions use it).
CREATE TABLE started_executions (
    execution_id TEXT PRIMARY KEY NOT NULL,
    user_name TEXT NOT NULL,
    request_id TEXT NOT NULL,
    started_at INTEGER NOT NULL
);
CREATE INDEX started_executions_by_user ON started_executions (user_name, started_at);
