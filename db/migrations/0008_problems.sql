-- Problems (堵点、难点) from 交办 to 销号 (issue 4 §5): the problem with its
-- responsible and cooperating units, its history (the timeline), its
-- extension requests and the attachments of its progress notes. Dates are
-- 'YYYY-MM-DD' text ('' when not set), timestamps RFC 3339 UTC text ('' when
-- not set).

CREATE TABLE problems (
    id           INTEGER PRIMARY KEY,
    title        TEXT    NOT NULL,
    description  TEXT    NOT NULL DEFAULT '',
    category     TEXT    NOT NULL,                 -- land, planning, approval, funding, relocation, utilities, policy, other
    source       TEXT    NOT NULL,                 -- report, meeting, site, instruction, public
    -- The record the problem came from (a monthly report, a meeting
    -- decision), owned by another package: no foreign key.
    source_type  TEXT    NOT NULL DEFAULT '',
    source_id    BIGINT  NOT NULL DEFAULT 0,
    project_id   BIGINT REFERENCES projects (id),
    priority     TEXT    NOT NULL DEFAULT 'normal', -- normal, urgent, critical (一般/紧急/特急)
    state        TEXT    NOT NULL,                 -- pending, handling, done, closed
    unit_id      BIGINT  NOT NULL REFERENCES units (id),  -- 责任单位
    leader_id    BIGINT REFERENCES people (id),    -- 分管领导
    raised_by    BIGINT  NOT NULL DEFAULT 0,       -- the account (0: the system)
    raised_name  TEXT    NOT NULL DEFAULT '',
    raised_unit  TEXT    NOT NULL DEFAULT '',
    assigned     BOOLEAN NOT NULL DEFAULT FALSE,   -- 交办 by the supervision office, not 上报
    limit_days   BIGINT  NOT NULL DEFAULT 0,       -- working days from 签收; 0 with a fixed deadline
    deadline     TEXT    NOT NULL DEFAULT '',      -- set at 签收 when limit_days is used
    sign_by      TEXT    NOT NULL,
    created_at   TEXT    NOT NULL,
    signed_at    TEXT    NOT NULL DEFAULT '',
    done_at      TEXT    NOT NULL DEFAULT '',      -- the last 办结
    closed_at    TEXT    NOT NULL DEFAULT '',      -- 销号
    updated_at   TEXT    NOT NULL
);
CREATE INDEX problems_unit ON problems (unit_id, state);
CREATE INDEX problems_state_deadline ON problems (state, deadline);
CREATE INDEX problems_project ON problems (project_id);
CREATE INDEX problems_leader ON problems (leader_id);
CREATE INDEX problems_source ON problems (source_type, source_id);

-- 配合单位.
CREATE TABLE problem_co_units (
    problem_id  BIGINT NOT NULL REFERENCES problems (id),
    unit_id     BIGINT NOT NULL REFERENCES units (id),
    PRIMARY KEY (problem_id, unit_id)
);
CREATE INDEX problem_co_units_unit ON problem_co_units (unit_id);

-- The history: one row per action, shown as the timeline.
CREATE TABLE problem_events (
    id             INTEGER PRIMARY KEY,
    problem_id     BIGINT NOT NULL REFERENCES problems (id),
    kind           TEXT   NOT NULL,
    from_state     TEXT   NOT NULL DEFAULT '',
    to_state       TEXT   NOT NULL,
    note           TEXT   NOT NULL DEFAULT '',
    deadline_from  TEXT   NOT NULL DEFAULT '',
    deadline_to    TEXT   NOT NULL DEFAULT '',
    by_user        BIGINT NOT NULL DEFAULT 0,
    by_name        TEXT   NOT NULL DEFAULT '',
    by_unit        TEXT   NOT NULL DEFAULT '',
    at             TEXT   NOT NULL
);
CREATE INDEX problem_events_problem ON problem_events (problem_id, at, id);

-- Requests for more time (申请延期) and their decisions; every one is
-- kept, so the history shows each deadline a problem has had.
CREATE TABLE problem_extensions (
    id              INTEGER PRIMARY KEY,
    problem_id      BIGINT NOT NULL REFERENCES problems (id),
    from_deadline   TEXT   NOT NULL,
    to_deadline     TEXT   NOT NULL,
    reason          TEXT   NOT NULL,
    status          TEXT   NOT NULL,               -- pending, approved, refused, withdrawn
    requested_by    BIGINT NOT NULL DEFAULT 0,
    requested_name  TEXT   NOT NULL DEFAULT '',
    requested_at    TEXT   NOT NULL,
    decided_by      BIGINT NOT NULL DEFAULT 0,
    decided_name    TEXT   NOT NULL DEFAULT '',
    decided_at      TEXT   NOT NULL DEFAULT '',
    decision_note   TEXT   NOT NULL DEFAULT ''
);
CREATE INDEX problem_extensions_problem ON problem_extensions (problem_id, id);
-- One request waits at a time, even when two arrive together.
CREATE UNIQUE INDEX problem_extensions_waiting ON problem_extensions (problem_id) WHERE status = 'pending';

-- Attachments of history entries, kept in the database so a backup holds
-- them too. name is made by the server (random hex and an extension that
-- matches the bytes); orig_name is the uploaded name, for the download.
CREATE TABLE problem_files (
    id            INTEGER PRIMARY KEY,
    problem_id    BIGINT NOT NULL REFERENCES problems (id),
    event_id      BIGINT NOT NULL REFERENCES problem_events (id),
    name          TEXT   NOT NULL,
    orig_name     TEXT   NOT NULL,
    content_type  TEXT   NOT NULL,
    size          BIGINT NOT NULL,
    data          BYTEA  NOT NULL,
    created_at    TEXT   NOT NULL
);
CREATE UNIQUE INDEX problem_files_name ON problem_files (name);
CREATE INDEX problem_files_problem ON problem_files (problem_id, event_id);
