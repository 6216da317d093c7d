-- 调度会: the monthly dispatch meeting, who attended, and what it decided.
-- The agenda is built from the data when the meeting is opened; what the
-- meeting itself produced (attendance, decisions, 交办) is stored here.

CREATE TABLE meetings (
    id          INTEGER PRIMARY KEY,
    period      TEXT   NOT NULL,             -- the month it dispatches, '2026-03'
    title       TEXT   NOT NULL,
    held_on     TEXT   NOT NULL,             -- date
    place       TEXT   NOT NULL DEFAULT '',
    host        TEXT   NOT NULL DEFAULT '',  -- 主持
    recorder    TEXT   NOT NULL DEFAULT '',  -- 记录
    summary     TEXT   NOT NULL DEFAULT '',  -- 会议总体要求, printed at the head of the 纪要
    unit_id     BIGINT NOT NULL REFERENCES units (id), -- the town it belongs to (scope)
    created_at  TEXT   NOT NULL,
    created_by  BIGINT NOT NULL DEFAULT 0,
    updated_at  TEXT   NOT NULL
);
CREATE INDEX meetings_period ON meetings (period);

-- Attendance: each line a person (or a name typed in), present, on leave or absent.
CREATE TABLE meeting_attendees (
    id          INTEGER PRIMARY KEY,
    meeting_id  BIGINT NOT NULL REFERENCES meetings (id),
    person_id   BIGINT REFERENCES people (id),
    name        TEXT   NOT NULL,
    unit_name   TEXT   NOT NULL DEFAULT '',
    status      TEXT   NOT NULL DEFAULT 'present', -- present, leave (请假), absent
    note        TEXT   NOT NULL DEFAULT ''
);
CREATE INDEX meeting_attendees_meeting ON meeting_attendees (meeting_id, id);

-- A decision on an agenda item (a project, a problem, a unit, or the
-- meeting as a whole); problem_id is the 交办 it created, if any.
CREATE TABLE meeting_decisions (
    id          INTEGER PRIMARY KEY,
    meeting_id  BIGINT NOT NULL REFERENCES meetings (id),
    item_type   TEXT   NOT NULL DEFAULT '',  -- project, problem, unit, or '' for the meeting
    item_id     BIGINT NOT NULL DEFAULT 0,
    item_name   TEXT   NOT NULL DEFAULT '',
    text        TEXT   NOT NULL,
    problem_id  BIGINT,
    created_at  TEXT   NOT NULL,
    created_by  BIGINT NOT NULL DEFAULT 0,
    created_name TEXT  NOT NULL DEFAULT ''
);
CREATE INDEX meeting_decisions_meeting ON meeting_decisions (meeting_id, id);
