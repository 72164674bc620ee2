-- Migration 8 (SQLite; the PostgreSQL file changes the constraint in place).
--
-- 频次 每企业每季一次: a claim under it is recorded as `quarterly`, its payout keyed by its quarter
-- (`2025Q3`), so the unique key refuses a second payout in the same quarter as it does for years.
-- SQLite cannot change a CHECK: the table is rebuilt. Other tables refer to `claims`, so the
-- rows go back in after the new table has taken its name: with foreign keys deferred, the drop
-- leaves their rows without a claim for a moment, and putting the claims back resolves that
-- before the migration's transaction commits (or it fails whole).
PRAGMA defer_foreign_keys = ON;
CREATE TABLE claims_kept AS SELECT * FROM claims;
CREATE TABLE claims_new (
    id {id},
    enterprise TEXT NOT NULL REFERENCES enterprises (uscc),
    policy TEXT NOT NULL,
    department TEXT NOT NULL,
    mode TEXT NOT NULL,
    -- What the policy pays per (a drama, a contract, a store); '' when it pays per enterprise.
    item TEXT NOT NULL,
    period TEXT NOT NULL,
    frequency TEXT NOT NULL CHECK (frequency IN ('once', 'yearly', 'quarterly', 'unlimited')),
    channel TEXT NOT NULL,
    decided_on TEXT NOT NULL,
    facts TEXT NOT NULL,
    decision TEXT NOT NULL,
    outcome TEXT NOT NULL,
    amount_fen BIGINT,
    policy_set TEXT NOT NULL REFERENCES policy_sets (hash),
    calendar TEXT NOT NULL REFERENCES calendars (hash),
    state TEXT NOT NULL,
    created_at TEXT NOT NULL,
    commitment TEXT NOT NULL DEFAULT '',
    applied_on TEXT NOT NULL DEFAULT '',
    due_on TEXT,
    due_provisional BIGINT NOT NULL DEFAULT 0 CHECK (due_provisional IN (0, 1)),
    priors TEXT
);
DROP TABLE claims;
ALTER TABLE claims_new RENAME TO claims;
INSERT INTO claims (id, enterprise, policy, department, mode, item, period, frequency, channel, decided_on,
    facts, decision, outcome, amount_fen, policy_set, calendar, state, created_at, commitment, applied_on,
    due_on, due_provisional, priors)
SELECT id, enterprise, policy, department, mode, item, period, frequency, channel, decided_on,
    facts, decision, outcome, amount_fen, policy_set, calendar, state, created_at, commitment, applied_on,
    due_on, due_provisional, priors FROM claims_kept;
DROP TABLE claims_kept;
CREATE INDEX claims_enterprise ON claims (enterprise);
CREATE INDEX claims_state ON claims (state, due_on);
CREATE INDEX claims_department ON claims (department, state);
-- Quarterly screening lines recorded before this migration (as `unlimited`, keyed by quarter).
UPDATE claims SET frequency = 'quarterly'
WHERE frequency = 'unlimited' AND id IN (SELECT claim FROM payouts WHERE period_key GLOB '[0-9][0-9][0-9][0-9]Q[1-4]');
