-- Notifications (issue 4 §7): notices stored once, the in-app inbox of each
-- recipient, the DingTalk and WeCom group robots, the outbox of robot
-- deliveries, and the keys of reminders already sent. Times are RFC 3339
-- UTC text of fixed width ('' when not set), so they compare as text.

-- A notice: what happened, in words, with the page it is about.
CREATE TABLE notices (
    id          INTEGER PRIMARY KEY,
    kind        TEXT   NOT NULL,              -- report, problem, instruction, …, test
    title       TEXT   NOT NULL,
    body        TEXT   NOT NULL DEFAULT '',
    link        TEXT   NOT NULL DEFAULT '',   -- a path inside Guatu, e.g. /projects/12
    created_at  TEXT   NOT NULL
);

-- One row per recipient of a notice.
CREATE TABLE inbox (
    notice_id   BIGINT NOT NULL REFERENCES notices (id),
    user_id     BIGINT NOT NULL REFERENCES users (id),
    created_at  TEXT   NOT NULL,
    read_at     TEXT   NOT NULL DEFAULT '',
    PRIMARY KEY (notice_id, user_id)
);
CREATE INDEX inbox_user ON inbox (user_id, read_at, notice_id);

-- A group robot. unit_id NULL is 全镇: it hears notices about every unit.
-- The webhook carries the robot's token and secret is DingTalk's 加签 key:
-- both are kept only to send and are never shown whole on a page.
CREATE TABLE robot_channels (
    id          INTEGER PRIMARY KEY,
    unit_id     BIGINT REFERENCES units (id),
    platform    TEXT    NOT NULL,             -- dingtalk, wecom
    name        TEXT    NOT NULL,
    webhook     TEXT    NOT NULL,
    secret      TEXT    NOT NULL DEFAULT '',
    kinds       TEXT    NOT NULL DEFAULT '',  -- ',report,problem,': the notice kinds it receives
    enabled     BOOLEAN NOT NULL DEFAULT TRUE,
    claimed_at  TEXT    NOT NULL DEFAULT '',  -- touched by every claim, which serialises claims per robot
    created_at  TEXT    NOT NULL,
    updated_at  TEXT    NOT NULL
);
CREATE INDEX robot_channels_unit ON robot_channels (unit_id);

-- The outbox: one notice to one robot. A worker claims a due row by
-- setting a lease (lease_until, lease_token) so that two servers never send
-- the same row; attempted_at is when the last request left, which the rate
-- limit counts over the last minute.
CREATE TABLE robot_deliveries (
    id              INTEGER PRIMARY KEY,
    channel_id      BIGINT NOT NULL REFERENCES robot_channels (id),
    notice_id       BIGINT NOT NULL REFERENCES notices (id),
    status          TEXT   NOT NULL DEFAULT 'pending', -- pending, sent, failed
    attempts        BIGINT NOT NULL DEFAULT 0,
    next_attempt_at TEXT   NOT NULL,
    lease_until     TEXT   NOT NULL DEFAULT '',
    lease_token     TEXT   NOT NULL DEFAULT '',
    attempted_at    TEXT   NOT NULL DEFAULT '',
    sent_at         TEXT   NOT NULL DEFAULT '',
    last_error      TEXT   NOT NULL DEFAULT '',
    created_at      TEXT   NOT NULL
);
CREATE INDEX robot_deliveries_due ON robot_deliveries (status, next_attempt_at);
CREATE INDEX robot_deliveries_channel ON robot_deliveries (channel_id, id);
CREATE INDEX robot_deliveries_window ON robot_deliveries (channel_id, attempted_at);

-- Reminders already sent, by key (e.g. report-ahead:2026-03:unit:7): the
-- primary key makes a second insert of the same key a no-op on every
-- server sharing the database.
CREATE TABLE notify_once (
    once_key    TEXT PRIMARY KEY,
    created_at  TEXT NOT NULL
);
