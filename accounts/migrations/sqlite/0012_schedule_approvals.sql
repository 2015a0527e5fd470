-- Four eyes once for a schedule: a schedule made under a grant with `approval` waits
-- ('awaiting-approval') with a request of its own; approving the request lets it run, and
-- rejecting, withdrawing or letting it expire pauses it.
ALTER TABLE approval_requests ADD COLUMN schedule_id TEXT NOT NULL DEFAULT '';
ALTER TABLE approval_requests ADD COLUMN schedule TEXT NOT NULL DEFAULT '';
ALTER TABLE schedules ADD COLUMN approval_id TEXT NOT NULL DEFAULT '';
ALTER TABLE schedules ADD COLUMN approved_by TEXT NOT NULL DEFAULT '';
