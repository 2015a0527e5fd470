-- Notifications (see outbox.rs). An event is written with the change that caused it; one
-- replica fans it out into deliveries (one per recipient and address), which are sent with
-- retries, each attempt kept. Subscriptions are people's own: which events, where.
CREATE TABLE notification_events (
    id TEXT PRIMARY KEY NOT NULL,
    created_at INTEGER NOT NULL,
    event TEXT NOT NULL,
    notice TEXT NOT NULL,
    fanned_out INTEGER NOT NULL DEFAULT 0
);
CREATE INDEX notification_events_waiting ON notification_events (fanned_out, created_at);

CREATE TABLE notification_deliveries (
    id TEXT PRIMARY KEY NOT NULL,
    event_id TEXT NOT NULL,
    created_at INTEGER NOT NULL,
    channel TEXT NOT NULL,
    address TEXT NOT NULL,
    recipient TEXT NOT NULL,
    status TEXT NOT NULL DEFAULT 'pending',
    attempts INTEGER NOT NULL DEFAULT 0,
    next_attempt_at INTEGER NOT NULL,
    lease_until INTEGER NOT NULL DEFAULT 0,
    lease_by TEXT NOT NULL DEFAULT '',
    UNIQUE (event_id, channel, address)
);
CREATE INDEX notification_deliveries_due ON notification_deliveries (status, next_attempt_at);

CREATE TABLE notification_attempts (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    delivery_id TEXT NOT NULL,
    at INTEGER NOT NULL,
    replica TEXT NOT NULL,
    delivered INTEGER NOT NULL,
    detail TEXT NOT NULL
);
CREATE INDEX notification_attempts_of ON notification_attempts (delivery_id, at);

CREATE TABLE notification_subscriptions (
    user_name TEXT NOT NULL,
    groups TEXT NOT NULL DEFAULT '[]',
    channel TEXT NOT NULL,
    address TEXT NOT NULL,
    events TEXT NOT NULL,
    -- A local account's groups are read from users when a notice is fanned out (and a deleted
    -- account's subscriptions reach nobody); others' are kept as of when they saved.
    local INTEGER NOT NULL DEFAULT 0,
    PRIMARY KEY (user_name, channel)
);

-- What the portal has told of each execution it started: how it ended, the step it said was
-- waiting, whether it said it ran long; and the grant it runs under (for the grant's channels).
ALTER TABLE started_executions ADD COLUMN grant_name TEXT NOT NULL DEFAULT '';
ALTER TABLE started_executions ADD COLUMN ended_status TEXT;
ALTER TABLE started_executions ADD COLUMN waiting_step TEXT NOT NULL DEFAULT '';
ALTER TABLE started_executions ADD COLUMN overdue_told INTEGER NOT NULL DEFAULT 0;
ALTER TABLE started_executions ADD COLUMN checked_at INTEGER NOT NULL DEFAULT 0;
CREATE INDEX started_executions_running ON started_executions (ended_status, checked_at);
-- Executions started before notifications existed are not told of now.
UPDATE started_executions SET ended_status = 'before-notifications';
