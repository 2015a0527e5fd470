-- Runbook stars (see runbook_stars.rs): the runbooks each person starred, which their catalog
-- lists first. A person's own preference, kept by their name as the portal knows them.
CREATE TABLE runbook_stars (
    user_name TEXT NOT NULL,
    runbook TEXT NOT NULL,
    PRIMARY KEY (user_name, runbook)
);
