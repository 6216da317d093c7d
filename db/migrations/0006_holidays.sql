-- The working-day calendar's special days: statutory holidays off and the
-- weekend days worked to bridge them (调休). Ships with the State Council's
-- published schedule for 2026; the system administrator adds a year when
-- its schedule is announced (usually in November), so no release is needed.
CREATE TABLE holidays (
    day         TEXT   PRIMARY KEY,          -- YYYY-MM-DD
    kind        TEXT   NOT NULL,             -- off (放假) or work (调休上班)
    name        TEXT   NOT NULL DEFAULT '',  -- the holiday, e.g. 春节
    updated_at  TEXT   NOT NULL DEFAULT '',
    updated_by  BIGINT
);

INSERT INTO holidays (day, kind, name) VALUES
    ('2026-01-01', 'off', '元旦'),
    ('2026-01-02', 'off', '元旦'),
    ('2026-01-03', 'off', '元旦'),
    ('2026-01-04', 'work', '元旦'),
    ('2026-02-14', 'work', '春节'),
    ('2026-02-15', 'off', '春节'),
    ('2026-02-16', 'off', '春节'),
    ('2026-02-17', 'off', '春节'),
    ('2026-02-18', 'off', '春节'),
    ('2026-02-19', 'off', '春节'),
    ('2026-02-20', 'off', '春节'),
    ('2026-02-21', 'off', '春节'),
    ('2026-02-22', 'off', '春节'),
    ('2026-02-23', 'off', '春节'),
    ('2026-02-28', 'work', '春节'),
    ('2026-04-04', 'off', '清明节'),
    ('2026-04-05', 'off', '清明节'),
    ('2026-04-06', 'off', '清明节'),
    ('2026-05-01', 'off', '劳动节'),
    ('2026-05-02', 'off', '劳动节'),
    ('2026-05-03', 'off', '劳动节'),
    ('2026-05-04', 'off', '劳动节'),
    ('2026-05-05', 'off', '劳动节'),
    ('2026-05-09', 'work', '劳动节'),
    ('2026-06-19', 'off', '端午节'),
    ('2026-06-20', 'off', '端午节'),
    ('2026-06-21', 'off', '端午节'),
    ('2026-09-20', 'work', '国庆节'),
    ('2026-09-25', 'off', '中秋节'),
    ('2026-09-26', 'off', '中秋节'),
    ('2026-09-27', 'off', '中秋节'),
    ('2026-10-01', 'off', '国庆节'),
    ('2026-10-02', 'off', '国庆节'),
    ('2026-10-03', 'off', '国庆节'),
    ('2026-10-04', 'off', '国庆节'),
    ('2026-10-05', 'off', '国庆节'),
    ('2026-10-06', 'off', '国庆节'),
    ('2026-10-07', 'off', '国庆节'),
    ('2026-10-10', 'work', '国庆节');
