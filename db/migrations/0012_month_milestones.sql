-- The quarterly bulletin scores units on milestones met on time; a month's
-- close freezes, with its light, how many of each project's milestones were
-- planned within the month and how many of those were reached by their day,
-- so a bulletin over past months always counts the same.
ALTER TABLE light_months ADD COLUMN milestones_due BIGINT NOT NULL DEFAULT 0;
ALTER TABLE light_months ADD COLUMN milestones_on_time BIGINT NOT NULL DEFAULT 0;
