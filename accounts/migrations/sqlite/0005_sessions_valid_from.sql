-- Sessions of an account begun before this moment (milliseconds since the epoch) are over: set when
-- the password changes, so a stolen or forgotten session does not outlive the old password.
ALTER TABLE users ADD COLUMN sessions_valid_from INTEGER NOT NULL DEFAULT 0;
