-- Migration 8 (PostgreSQL; the SQLite file rebuilds the table).
--
-- 频次 每企业每季一次: a claim under it is recorded as `quarterly`, its payout keyed by its quarter
-- (`2025Q3`), so the unique key refuses a second payout in the same quarter as it does for years.
ALTER TABLE claims DROP CONSTRAINT claims_frequency_check;
ALTER TABLE claims ADD CONSTRAINT claims_frequency_check
    CHECK (frequency IN ('once', 'yearly', 'quarterly', 'unlimited'));
-- Quarterly screening lines recorded before this migration (as `unlimited`, keyed by quarter).
UPDATE claims SET frequency = 'quarterly'
WHERE frequency = 'unlimited' AND id IN (SELECT claim FROM payouts WHERE period_key ~ '^[0-9]{4}Q[1-4]$');
