-- The sign-in throttle's counts (see migrations/sqlite/0009_sign_in_failures.sql).
CREATE TABLE sign_in_failures (
    scope TEXT NOT NULL,
    key TEXT NOT NULL,
    count BIGINT NOT NULL,
    last BIGINT NOT NULL,
    PRIMARY KEY (scope, key)
);
CREATE INDEX sign_in_failures_by_age ON sign_in_failures (last);
