-- The project library (项目库): key projects with their responsible leader,
-- lead and cooperating units, money, dates, milestones (时间节点), expected
-- targets and stage history. Money is BIGINT yuan; dates are 'YYYY-MM-DD'
-- text ('' when not set); land area is hundredths of a 亩.

-- The categories are a list the supervision office edits.
CREATE TABLE project_categories (
    id          INTEGER PRIMARY KEY,
    name        TEXT    NOT NULL,
    sort_order  BIGINT  NOT NULL DEFAULT 0,
    disabled    BOOLEAN NOT NULL DEFAULT FALSE
);
CREATE UNIQUE INDEX project_categories_name ON project_categories (name);
INSERT INTO project_categories (name, sort_order) VALUES
    ('海洋经济', 10), ('文化旅游', 20), ('先进制造', 30), ('现代农业', 40),
    ('城乡建设', 50), ('社会民生', 60), ('科技创新', 70), ('其他', 80);

CREATE TABLE projects (
    id                 INTEGER PRIMARY KEY,
    code               TEXT    NOT NULL,                 -- e.g. 2026-017, unique
    name               TEXT    NOT NULL,
    category_id        BIGINT  NOT NULL REFERENCES project_categories (id),
    level              TEXT    NOT NULL DEFAULT 'town',   -- province, city, county, town (省/市/县/镇重点)
    tier               TEXT    NOT NULL DEFAULT 'reserve',-- reserve, rolling, active (储备库/滚动库/实施库)
    stage              TEXT    NOT NULL DEFAULT 'planning',
    stage_since        TEXT    NOT NULL DEFAULT '',
    flagship           BOOLEAN NOT NULL DEFAULT FALSE,    -- 牵引性
    chain_leader       BOOLEAN NOT NULL DEFAULT FALSE,    -- 链主型
    investor           TEXT    NOT NULL DEFAULT '',
    investor_contact   TEXT    NOT NULL DEFAULT '',
    location           TEXT    NOT NULL DEFAULT '',
    location_unit_id   BIGINT REFERENCES units (id),      -- the 村/社区 it stands in
    land_area_centimu  BIGINT  NOT NULL DEFAULT 0,
    total_invest       BIGINT  NOT NULL DEFAULT 0,
    completed_invest   BIGINT  NOT NULL DEFAULT 0,        -- cumulative
    leader_id          BIGINT REFERENCES people (id),     -- 责任领导
    unit_id            BIGINT  NOT NULL REFERENCES units (id), -- 牵头单位
    person_in_charge   TEXT    NOT NULL DEFAULT '',       -- 责任人
    planned_start      TEXT    NOT NULL DEFAULT '',
    planned_operating  TEXT    NOT NULL DEFAULT '',
    description        TEXT    NOT NULL DEFAULT '',
    created_at         TEXT    NOT NULL,
    updated_at         TEXT    NOT NULL
);
CREATE UNIQUE INDEX projects_code ON projects (code);
CREATE INDEX projects_unit ON projects (unit_id);
CREATE INDEX projects_leader ON projects (leader_id);
CREATE INDEX projects_tier_stage ON projects (tier, stage);

-- 配合单位.
CREATE TABLE project_co_units (
    project_id  BIGINT NOT NULL REFERENCES projects (id),
    unit_id     BIGINT NOT NULL REFERENCES units (id),
    PRIMARY KEY (project_id, unit_id)
);
CREATE INDEX project_co_units_unit ON project_co_units (unit_id);

-- Planned investment per year, and what was completed in that year (kept
-- up to date by the monthly reports); the light compares the two.
CREATE TABLE project_year_plans (
    project_id        BIGINT NOT NULL REFERENCES projects (id),
    year              BIGINT NOT NULL,
    planned_invest    BIGINT NOT NULL DEFAULT 0,
    completed_invest  BIGINT NOT NULL DEFAULT 0,
    PRIMARY KEY (project_id, year)
);

-- 预期目标: name / value / unit, e.g. 年产值 8000 万元.
CREATE TABLE project_targets (
    id          INTEGER PRIMARY KEY,
    project_id  BIGINT NOT NULL REFERENCES projects (id),
    sort_order  BIGINT NOT NULL DEFAULT 0,
    name        TEXT   NOT NULL,
    value       TEXT   NOT NULL DEFAULT '',
    unit        TEXT   NOT NULL DEFAULT ''
);
CREATE INDEX project_targets_project ON project_targets (project_id, sort_order);

-- 时间节点.
CREATE TABLE milestones (
    id          INTEGER PRIMARY KEY,
    project_id  BIGINT NOT NULL REFERENCES projects (id),
    sort_order  BIGINT NOT NULL DEFAULT 0,
    name        TEXT   NOT NULL,
    planned_on  TEXT   NOT NULL DEFAULT '',
    actual_on   TEXT   NOT NULL DEFAULT '',
    unit_id     BIGINT REFERENCES units (id),
    note        TEXT   NOT NULL DEFAULT ''
);
CREATE INDEX milestones_project ON milestones (project_id, sort_order);

-- Every stage move, dated and noted: the timeline on the project page.
CREATE TABLE project_stages (
    id          INTEGER PRIMARY KEY,
    project_id  BIGINT NOT NULL REFERENCES projects (id),
    stage       TEXT   NOT NULL,
    on_date     TEXT   NOT NULL,
    note        TEXT   NOT NULL DEFAULT '',
    by_user     BIGINT NOT NULL DEFAULT 0,
    by_name     TEXT   NOT NULL DEFAULT '',
    created_at  TEXT   NOT NULL
);
CREATE INDEX project_stages_project ON project_stages (project_id, id);

-- Node templates prefill the usual milestones for a kind of project; the
-- nodes are a JSON array of names.
CREATE TABLE node_templates (
    id          INTEGER PRIMARY KEY,
    name        TEXT   NOT NULL,
    nodes       TEXT   NOT NULL,
    sort_order  BIGINT NOT NULL DEFAULT 0
);
INSERT INTO node_templates (name, nodes, sort_order) VALUES
    ('产业项目', '["签约","供地","立项备案","规划许可","施工许可","开工","主体完工","竣工验收","投产"]', 10),
    ('基础设施与民生项目', '["立项","可研批复","初步设计批复","招标","开工","主体完工","竣工验收"]', 20),
    ('文旅与农业项目', '["签约","用地落实","方案设计","开工","建成","运营"]', 30);
