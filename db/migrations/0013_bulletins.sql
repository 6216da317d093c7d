-- 一季一通报: the bulletins of a town (or a county) over a span of months.
-- A draft holds its content (the text the office edits and the tables and
-- figures computed from the frozen months) as JSON; issuing it fixes its
-- document number, 签发人 and date and stores a SHA-256 of all of them, so
-- a change made behind the application's back shows. A correction is a new
-- bulletin naming the one it replaces; the replaced row is never touched.
CREATE TABLE bulletins (
    id            INTEGER PRIMARY KEY,
    unit_id       BIGINT NOT NULL REFERENCES units (id), -- the town (scope)
    span          TEXT   NOT NULL,                 -- '2026-Q1', '2026-03', '2026-H1', '2026'
    state         TEXT   NOT NULL DEFAULT 'draft', -- draft, issued
    title         TEXT   NOT NULL,
    content       TEXT   NOT NULL,                 -- JSON (bulletin.Content)
    replaces_id   BIGINT REFERENCES bulletins (id),
    number_prefix TEXT   NOT NULL DEFAULT '',      -- 'X镇督'
    number_year   BIGINT NOT NULL DEFAULT 0,
    number_seq    BIGINT NOT NULL DEFAULT 0,
    number        TEXT   NOT NULL DEFAULT '',      -- 'X镇督〔2026〕3号'
    issuer        TEXT   NOT NULL DEFAULT '',      -- 发文机关
    signer        TEXT   NOT NULL DEFAULT '',      -- 签发人
    issued_on     TEXT   NOT NULL DEFAULT '',      -- 成文日期
    issued_at     TEXT   NOT NULL DEFAULT '',
    issued_by     BIGINT NOT NULL DEFAULT 0,
    hash          TEXT   NOT NULL DEFAULT '',
    version       BIGINT NOT NULL DEFAULT 1,       -- bumped by every edit of a draft (stale forms are refused)
    created_at    TEXT   NOT NULL,
    created_by    BIGINT NOT NULL DEFAULT 0,
    created_name  TEXT   NOT NULL DEFAULT '',
    updated_at    TEXT   NOT NULL,
    updated_name  TEXT   NOT NULL DEFAULT ''
);
CREATE INDEX bulletins_unit_span ON bulletins (unit_id, span);
-- Numbers are per town and year; issued bulletins only (drafts carry 0).
CREATE UNIQUE INDEX bulletins_number ON bulletins (unit_id, number_year, number_seq) WHERE number_seq > 0;
