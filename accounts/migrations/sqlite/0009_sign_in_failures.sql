-- The sign-in throttle's counts (see throttle.rs), kept where every replica counts the same
-- attempts: per account, per (account, client address) and per client address. `last` is in
-- milliseconds since the epoch; a count whose last failure is older than the window starts over.
CREATE TABLE sign_in_failures (
    scope TEXT NOT NULL,
    key TEXT NOT NULL,
    count INTEGER NOT NULL,
    last INTEGER NOT NULL,
    PRIMARY KEY (scope, key)
);
CREATE INDEX sign_in_failures_by_age ON sign_in_failures (last);
