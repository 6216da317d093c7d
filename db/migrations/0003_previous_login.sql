-- The sign-in before the current one, shown to the user ("上次登录") so they can
-- notice a sign-in that was not theirs.
ALTER TABLE users ADD COLUMN prev_login_at TEXT NOT NULL DEFAULT '';
ALTER TABLE users ADD COLUMN prev_login_ip TEXT NOT NULL DEFAULT '';
