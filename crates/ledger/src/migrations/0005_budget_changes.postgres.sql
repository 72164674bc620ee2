-- Migration 7 (PostgreSQL; the SQLite file differs only in its clock functions and triggers).
--
-- The business date of each event: the day the step was taken in the service's time (its
-- `--today`, else the clock's date in China), which supervision counts working days between.
-- NULL for events written before this migration and for bulk screening lines, whose claim's
-- decision date stands for it. Covered by the event's hash when set.
ALTER TABLE events ADD COLUMN business_date TEXT;

-- Every change of a budget's allocation: who, in which role, when (clock and business date), and
-- from what to what (`from_fen` NULL when the line was new). Append-only, as events are.
CREATE TABLE budget_changes (
    id {id},
    year BIGINT NOT NULL,
    scope TEXT NOT NULL,
    funder TEXT NOT NULL,
    from_fen BIGINT,
    to_fen BIGINT NOT NULL CHECK (to_fen >= 0),
    actor TEXT NOT NULL,
    role TEXT NOT NULL,
    at TEXT NOT NULL,
    business_date TEXT NOT NULL
);
CREATE INDEX budget_changes_line ON budget_changes (year, scope, funder, id);

-- Budgets set before this migration enter the history with their allocation, so every budget's
-- allocation is its last change's `to_fen` (`verify` checks).
INSERT INTO budget_changes (year, scope, funder, from_fen, to_fen, actor, role, at, business_date)
SELECT year, scope, funder, NULL, allocated_fen, 'migration 5', '系统',
       to_char(now() AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"'),
       to_char(now() AT TIME ZONE 'UTC' + interval '8 hours', 'YYYY-MM-DD')
FROM budgets ORDER BY year, scope, funder;

CREATE FUNCTION budget_changes_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION '预算变更记录只能追加：不能修改或删除已写入的记录';
END
$$;
CREATE TRIGGER budget_changes_append_only BEFORE UPDATE OR DELETE ON budget_changes
    FOR EACH ROW EXECUTE FUNCTION budget_changes_append_only();
