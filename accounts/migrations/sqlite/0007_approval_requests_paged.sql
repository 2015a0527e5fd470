-- Whether the requester signed in with a local account: on approval such a requester must still
-- have it (and is checked with its groups then). Requests kept before this knew no better: they
-- count as local, the safe reading.
ALTER TABLE approval_requests ADD COLUMN requester_local INTEGER NOT NULL DEFAULT 1;
-- The approvals list pages newest first.
CREATE INDEX approval_requests_by_time ON approval_requests (requested_at DESC, id DESC);
