-- 一月一调度: the monthly report of each key project (one per project and
-- month, from its lead unit), its submissions, the milestones and problems
-- it states, its photos, the reminders (催报) sent for it, and the lights
-- frozen when a month closes.

CREATE TABLE reports (
    id                  INTEGER PRIMARY KEY,
    project_id          BIGINT NOT NULL REFERENCES projects (id),
    period              TEXT   NOT NULL,             -- '2026-03'
    unit_id             BIGINT NOT NULL REFERENCES units (id), -- the lead unit when it was written
    status              TEXT   NOT NULL DEFAULT 'draft', -- draft, submitted, returned
    version             BIGINT NOT NULL DEFAULT 0,   -- submissions so far
    month_invest        BIGINT NOT NULL DEFAULT 0,   -- yuan completed this month, as stated
    applied_invest      BIGINT NOT NULL DEFAULT 0,   -- yuan of it added to the project so far
    progress            TEXT   NOT NULL DEFAULT '',  -- 形象进度
    next_plan           TEXT   NOT NULL DEFAULT '',
    first_submitted_on  TEXT   NOT NULL DEFAULT '',  -- the day it first came in: on time or late is judged by it
    submitted_at        TEXT   NOT NULL DEFAULT '',
    submitted_by        BIGINT NOT NULL DEFAULT 0,
    submitted_name      TEXT   NOT NULL DEFAULT '',
    returned_at         TEXT   NOT NULL DEFAULT '',
    returned_name       TEXT   NOT NULL DEFAULT '',
    return_reason       TEXT   NOT NULL DEFAULT '',
    created_at          TEXT   NOT NULL,
    updated_at          TEXT   NOT NULL,
    updated_name        TEXT   NOT NULL DEFAULT ''
);
CREATE UNIQUE INDEX reports_project_period ON reports (project_id, period);
CREATE INDEX reports_period_unit ON reports (period, unit_id);

-- Every submission as it was sent, so a returned and corrected report keeps
-- each version visible; content is a JSON snapshot of the form.
CREATE TABLE report_versions (
    id              INTEGER PRIMARY KEY,
    report_id       BIGINT NOT NULL REFERENCES reports (id),
    version         BIGINT NOT NULL,
    content         TEXT   NOT NULL,
    submitted_at    TEXT   NOT NULL,
    submitted_name  TEXT   NOT NULL DEFAULT '',
    returned_at     TEXT   NOT NULL DEFAULT '',
    returned_name   TEXT   NOT NULL DEFAULT '',
    return_reason   TEXT   NOT NULL DEFAULT ''
);
CREATE UNIQUE INDEX report_versions_report ON report_versions (report_id, version);

-- Milestones the report says were reached this month. set_on is the date
-- the report wrote into the milestone ('' when the milestone already had
-- one), so a correction can take back only what the report itself set.
CREATE TABLE report_milestones (
    report_id     BIGINT NOT NULL REFERENCES reports (id),
    milestone_id  BIGINT NOT NULL REFERENCES milestones (id),
    reached_on    TEXT   NOT NULL,
    set_on        TEXT   NOT NULL DEFAULT '',
    PRIMARY KEY (report_id, milestone_id)
);

-- Problems met, one per line; each becomes a tracked problem on submission.
CREATE TABLE report_problems (
    id          INTEGER PRIMARY KEY,
    report_id   BIGINT NOT NULL REFERENCES reports (id),
    sort_order  BIGINT NOT NULL DEFAULT 0,
    text        TEXT   NOT NULL,
    problem_id  BIGINT                                -- set when it became a problem
);
CREATE INDEX report_problems_report ON report_problems (report_id, sort_order);

-- Photos, re-encoded on upload (no location data), under names the server
-- makes. They live in the database so a backup holds them and several
-- servers on one PostgreSQL see the same files.
CREATE TABLE report_photos (
    id           INTEGER PRIMARY KEY,
    report_id    BIGINT NOT NULL REFERENCES reports (id),
    name         TEXT   NOT NULL,
    sort_order   BIGINT NOT NULL DEFAULT 0,
    content      BYTEA  NOT NULL,
    thumb        BYTEA  NOT NULL,
    width        BIGINT NOT NULL,
    height       BIGINT NOT NULL,
    size         BIGINT NOT NULL,
    taken_at     TEXT   NOT NULL DEFAULT '',   -- the capture time the camera wrote, as a fact
    uploaded_at  TEXT   NOT NULL,
    uploaded_by  BIGINT NOT NULL DEFAULT 0
);
CREATE UNIQUE INDEX report_photos_name ON report_photos (name);
CREATE INDEX report_photos_report ON report_photos (report_id, sort_order);

-- 催报: every reminder sent to a unit for a month, by hand or by the
-- scheduler (kind manual, ahead, on_day, overdue).
CREATE TABLE report_reminders (
    id          INTEGER PRIMARY KEY,
    period      TEXT   NOT NULL,
    unit_id     BIGINT NOT NULL REFERENCES units (id),
    kind        TEXT   NOT NULL,
    owed        BIGINT NOT NULL DEFAULT 0,   -- reports still owed when it was sent
    sent_at     TEXT   NOT NULL,
    sent_by     BIGINT NOT NULL DEFAULT 0,
    sent_name   TEXT   NOT NULL DEFAULT ''
);
CREATE INDEX report_reminders_period ON report_reminders (period, unit_id);

-- A month whose reporting is closed for a unit's subtree (a town, or the
-- whole county), and the lights frozen then (DESIGN.md §4): the history,
-- the bulletin and the trends read these, never a recomputation.
CREATE TABLE report_months (
    period       TEXT   NOT NULL,
    unit_id      BIGINT NOT NULL REFERENCES units (id),
    closed_at    TEXT   NOT NULL,
    closed_name  TEXT   NOT NULL DEFAULT '',
    automatic    BOOLEAN NOT NULL DEFAULT FALSE,
    PRIMARY KEY (period, unit_id)
);

CREATE TABLE light_months (
    project_id        BIGINT NOT NULL REFERENCES projects (id),
    period            TEXT   NOT NULL,
    light             TEXT   NOT NULL,
    reasons           TEXT   NOT NULL DEFAULT '[]',  -- JSON list of the reasons' texts
    stage             TEXT   NOT NULL,
    unit_id           BIGINT NOT NULL REFERENCES units (id),
    planned_year      BIGINT NOT NULL DEFAULT 0,     -- yuan
    completed_year    BIGINT NOT NULL DEFAULT 0,
    completed_total   BIGINT NOT NULL DEFAULT 0,
    time_progress     BIGINT NOT NULL DEFAULT 0,     -- per mille of the year elapsed at the month's end
    report_standing   TEXT   NOT NULL DEFAULT '',
    PRIMARY KEY (project_id, period)
);
CREATE INDEX light_months_period ON light_months (period);
