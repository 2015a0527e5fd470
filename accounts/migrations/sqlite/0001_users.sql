-- Local accounts: a name, the groups grants are given to, and an argon2id password hash (PHC string).
CREATE TABLE users (
    name TEXT PRIMARY KEY NOT NULL,
    groups TEXT NOT NULL DEFAULT '[]',
    password_hash TEXT NOT NULL,
    created_at INTEGER NOT NULL,
    password_changed_at INTEGER NOT NULL
);
