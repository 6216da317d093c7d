-- The foundation: organisation, people, accounts, sessions, settings, audit.
-- One text for both engines (STYLE.md §2): INTEGER PRIMARY KEY is rewritten
-- for PostgreSQL, timestamps are RFC 3339 UTC text, booleans are BOOLEAN.

CREATE TABLE units (
    id          INTEGER PRIMARY KEY,
    parent_id   BIGINT REFERENCES units (id),
    kind        TEXT    NOT NULL,
    name        TEXT    NOT NULL,
    path        TEXT    NOT NULL,           -- '/1/4/17/': ids from the root, for subtree scope
    sort_order  BIGINT  NOT NULL DEFAULT 0,
    phone       TEXT    NOT NULL DEFAULT '',
    note        TEXT    NOT NULL DEFAULT '',
    disabled    BOOLEAN NOT NULL DEFAULT FALSE,
    created_at  TEXT    NOT NULL,
    updated_at  TEXT    NOT NULL
);
CREATE INDEX units_parent ON units (parent_id, sort_order);
CREATE INDEX units_path ON units (path);

CREATE TABLE people (
    id          INTEGER PRIMARY KEY,
    unit_id     BIGINT  NOT NULL REFERENCES units (id),
    name        TEXT    NOT NULL,
    phone       TEXT    NOT NULL DEFAULT '',
    position    TEXT    NOT NULL DEFAULT '',
    sort_order  BIGINT  NOT NULL DEFAULT 0,
    disabled    BOOLEAN NOT NULL DEFAULT FALSE,
    created_at  TEXT    NOT NULL,
    updated_at  TEXT    NOT NULL
);
CREATE INDEX people_unit ON people (unit_id, sort_order);

-- 分管: the units each leader is in charge of (escalation goes to them).
CREATE TABLE leader_units (
    person_id   BIGINT NOT NULL REFERENCES people (id),
    unit_id     BIGINT NOT NULL REFERENCES units (id),
    PRIMARY KEY (person_id, unit_id)
);
CREATE INDEX leader_units_unit ON leader_units (unit_id);

CREATE TABLE users (
    id                   INTEGER PRIMARY KEY,
    username             TEXT    NOT NULL,   -- case-folded
    display_name         TEXT    NOT NULL,
    person_id            BIGINT REFERENCES people (id),
    unit_id              BIGINT  NOT NULL REFERENCES units (id),
    password_hash        TEXT    NOT NULL,
    password_changed_at  TEXT    NOT NULL,
    must_change_password BOOLEAN NOT NULL DEFAULT TRUE,
    failed_logins        BIGINT  NOT NULL DEFAULT 0,
    locked_until         TEXT    NOT NULL DEFAULT '',
    last_login_at        TEXT    NOT NULL DEFAULT '',
    last_login_ip        TEXT    NOT NULL DEFAULT '',
    totp_secret          TEXT    NOT NULL DEFAULT '',
    totp_enabled         BOOLEAN NOT NULL DEFAULT FALSE,
    totp_last_step       BIGINT  NOT NULL DEFAULT 0,
    disabled             BOOLEAN NOT NULL DEFAULT FALSE,
    created_at           TEXT    NOT NULL,
    updated_at           TEXT    NOT NULL
);
CREATE UNIQUE INDEX users_username ON users (username);

CREATE TABLE password_history (
    id          INTEGER PRIMARY KEY,
    user_id     BIGINT NOT NULL REFERENCES users (id),
    hash        TEXT   NOT NULL,
    created_at  TEXT   NOT NULL
);
CREATE INDEX password_history_user ON password_history (user_id, id);

CREATE TABLE recovery_codes (
    id          INTEGER PRIMARY KEY,
    user_id     BIGINT NOT NULL REFERENCES users (id),
    code_hash   TEXT   NOT NULL,
    used_at     TEXT   NOT NULL DEFAULT ''
);
CREATE INDEX recovery_codes_user ON recovery_codes (user_id);

-- A role granted on a unit covers that unit and its whole subtree.
CREATE TABLE role_grants (
    id          INTEGER PRIMARY KEY,
    user_id     BIGINT NOT NULL REFERENCES users (id),
    role        TEXT   NOT NULL,
    unit_id     BIGINT NOT NULL REFERENCES units (id),
    created_at  TEXT   NOT NULL
);
CREATE UNIQUE INDEX role_grants_unique ON role_grants (user_id, role, unit_id);

-- Sessions are kept on the server; the cookie holds a random id whose
-- SHA-256 is the key here, so a copy of this table cannot be replayed.
CREATE TABLE sessions (
    id_hash      TEXT    PRIMARY KEY,
    user_id      BIGINT  NOT NULL REFERENCES users (id),
    csrf_token   TEXT    NOT NULL,
    mfa_pending  BOOLEAN NOT NULL DEFAULT FALSE,
    created_at   TEXT    NOT NULL,
    last_seen_at TEXT    NOT NULL,
    client_ip    TEXT    NOT NULL DEFAULT '',
    user_agent   TEXT    NOT NULL DEFAULT ''
);
CREATE INDEX sessions_user ON sessions (user_id);

-- One-time links for creating the first system administrator.
CREATE TABLE setup_tokens (
    token_hash  TEXT PRIMARY KEY,
    expires_at  TEXT NOT NULL,
    used_at     TEXT NOT NULL DEFAULT ''
);

-- Settings that administrators change at run time, one JSON document per group.
CREATE TABLE settings (
    key         TEXT   PRIMARY KEY,
    value       TEXT   NOT NULL,
    updated_at  TEXT   NOT NULL,
    updated_by  BIGINT NOT NULL DEFAULT 0
);

-- The audit trail: append-only and hash-chained. audit_head serialises
-- writers (its row is updated first in every recording transaction) and
-- remembers the chain's end, so removing the newest rows is detected too.
CREATE TABLE audit_log (
    id          INTEGER PRIMARY KEY,
    at          TEXT   NOT NULL,
    user_id     BIGINT NOT NULL DEFAULT 0,
    username    TEXT   NOT NULL DEFAULT '',
    client_ip   TEXT   NOT NULL DEFAULT '',
    request_id  TEXT   NOT NULL DEFAULT '',
    origin      TEXT   NOT NULL DEFAULT '',
    action      TEXT   NOT NULL,
    object_type TEXT   NOT NULL DEFAULT '',
    object_id   BIGINT NOT NULL DEFAULT 0,
    object_name TEXT   NOT NULL DEFAULT '',
    outcome     TEXT   NOT NULL DEFAULT 'success',
    detail      TEXT   NOT NULL DEFAULT '',
    prev_hash   TEXT   NOT NULL,
    hash        TEXT   NOT NULL
);
CREATE INDEX audit_log_at ON audit_log (at);
CREATE INDEX audit_log_user ON audit_log (user_id, id);
CREATE INDEX audit_log_object ON audit_log (object_type, object_id, id);

CREATE TABLE audit_head (
    id           BIGINT PRIMARY KEY,
    last_id      BIGINT NOT NULL,
    last_hash    TEXT   NOT NULL,
    purged_below BIGINT NOT NULL DEFAULT 0,   -- rows with id < this were removed by retention
    purged_hash  TEXT   NOT NULL DEFAULT ''   -- hash of the last removed row: where the chain resumes
);
INSERT INTO audit_head (id, last_id, last_hash, purged_below, purged_hash) VALUES (1, 0, '', 0, '');
