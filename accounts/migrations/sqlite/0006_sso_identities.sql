-- People who sign in by single sign-on, kept apart from local accounts. An identity is the
-- provider's stable (issuer, subject) pair; its portal name (`<handle>@<issuer host>`, the one
-- grants, sessions and the audit trail use) is given at its first sign-in and never changes, so
-- a later change of the provider's user name neither renames it nor lets anyone take its name.
CREATE TABLE sso_identities (
    issuer TEXT NOT NULL,
    subject TEXT NOT NULL,
    name TEXT NOT NULL UNIQUE COLLATE NOCASE,
    first_seen INTEGER NOT NULL,
    last_seen INTEGER NOT NULL,
    PRIMARY KEY (issuer, subject)
);
