-- Leaders' 批示 and their 反馈 (issue 4 §6). A 批示 is written on a project,
-- a monthly report, a problem, or on its own; it is addressed to units (each
-- answers) and optionally to people, with a feedback deadline. Dates are
-- 'YYYY-MM-DD' text, timestamps RFC 3339 UTC text.

CREATE TABLE instructions (
    id            INTEGER PRIMARY KEY,
    -- What it is written on. Reports and problems live in tables built
    -- alongside this one, so the target has no foreign key; target_label
    -- keeps the item's name as it was when the 批示 was written.
    target_type   TEXT   NOT NULL DEFAULT 'none',  -- project, report, problem, none
    target_id     BIGINT NOT NULL DEFAULT 0,
    target_label  TEXT   NOT NULL DEFAULT '',
    content       TEXT   NOT NULL,
    written_on    TEXT   NOT NULL,                  -- the date of the 批示 (a paper one is entered later)
    deadline      TEXT   NOT NULL,                  -- 反馈 is due by the end of this day
    writer_id     BIGINT NOT NULL DEFAULT 0,        -- the account (0: the system)
    writer_name   TEXT   NOT NULL,
    status        TEXT   NOT NULL DEFAULT 'open',   -- open, closed (已落实)
    closed_at     TEXT   NOT NULL DEFAULT '',
    closed_by     TEXT   NOT NULL DEFAULT '',       -- the name of who closed it
    close_note    TEXT   NOT NULL DEFAULT '',
    created_at    TEXT   NOT NULL,
    updated_at    TEXT   NOT NULL
);
CREATE INDEX instructions_target ON instructions (target_type, target_id);
CREATE INDEX instructions_writer ON instructions (writer_id);
CREATE INDEX instructions_open ON instructions (status, deadline);

-- The units addressed; each answers for itself. first_answered_at is the
-- time of the unit's first answer: it alone decides whether the unit
-- answered on time, and '' means it has not answered yet.
CREATE TABLE instruction_units (
    instruction_id     BIGINT NOT NULL REFERENCES instructions (id),
    unit_id            BIGINT NOT NULL REFERENCES units (id),
    first_answered_at  TEXT   NOT NULL DEFAULT '',
    PRIMARY KEY (instruction_id, unit_id)
);
CREATE INDEX instruction_units_unit ON instruction_units (unit_id, first_answered_at);

-- People named in the 批示 (请某某同志阅办): they read it wherever they work.
CREATE TABLE instruction_people (
    instruction_id  BIGINT NOT NULL REFERENCES instructions (id),
    person_id       BIGINT NOT NULL REFERENCES people (id),
    PRIMARY KEY (instruction_id, person_id)
);
CREATE INDEX instruction_people_person ON instruction_people (person_id);

-- Every answer (反馈) of every unit; a unit may answer more than once.
CREATE TABLE instruction_answers (
    id              INTEGER PRIMARY KEY,
    instruction_id  BIGINT NOT NULL REFERENCES instructions (id),
    unit_id         BIGINT NOT NULL REFERENCES units (id),
    content         TEXT   NOT NULL,
    by_user         BIGINT NOT NULL DEFAULT 0,
    by_name         TEXT   NOT NULL,
    created_at      TEXT   NOT NULL
);
CREATE INDEX instruction_answers_instruction ON instruction_answers (instruction_id, id);
