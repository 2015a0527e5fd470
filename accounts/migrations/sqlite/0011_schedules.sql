-- Scheduled runs (see schedules.rs): a filled-in form, a cron expression in a time zone, and an
-- owner it runs as. `next_at` is the next occurrence (milliseconds since the epoch). Each
-- occurrence is claimed by moving `next_at` on and inserting its row in schedule_runs, in one
-- transaction: one replica starts it, however many see it due, and a replica that stops before
-- starting it leaves the schedule moved on, not stuck.
CREATE TABLE schedules (
    id TEXT PRIMARY KEY NOT NULL,
    name TEXT NOT NULL,
    owner TEXT NOT NULL,
    owner_groups TEXT NOT NULL DEFAULT '[]',
    owner_local INTEGER NOT NULL DEFAULT 1,
    runbook TEXT NOT NULL,
    fields TEXT NOT NULL,
    cron TEXT NOT NULL,
    time_zone TEXT NOT NULL,
    missed TEXT NOT NULL,
    overlap INTEGER NOT NULL DEFAULT 0,
    state TEXT NOT NULL,
    reason TEXT NOT NULL DEFAULT '',
    created_at INTEGER NOT NULL,
    next_at INTEGER NOT NULL,
    last_execution TEXT NOT NULL DEFAULT '',
    -- The grant its runs went under when it was made (its team endpoints hear of its pause).
    grant_name TEXT NOT NULL DEFAULT '',
    -- Who paused it: a person's name, or 'portal' (its owner lost the right to run it).
    paused_by TEXT NOT NULL DEFAULT ''
);
CREATE INDEX schedules_due ON schedules (state, next_at);

CREATE TABLE schedule_runs (
    schedule_id TEXT NOT NULL,
    occurrence INTEGER NOT NULL,
    replica TEXT NOT NULL,
    claimed_at INTEGER NOT NULL,
    execution_id TEXT NOT NULL DEFAULT '',
    outcome TEXT NOT NULL DEFAULT 'starting',
    detail TEXT NOT NULL DEFAULT '',
    PRIMARY KEY (schedule_id, occurrence)
);
