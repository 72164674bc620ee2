-- Migration 7 (portable part; each backend's append-only triggers follow in its own file).
--
-- The checks of later installments (`分期 … 后续各期 { … }`): a later installment whose policy
-- sets conditions is not payable until the department has checked it, on or after it falls due,
-- against that year's facts. Each check is the engine's `later_installment` on the facts given,
-- kept whole (facts, date judged on, policy set, result) so it replays exactly, with the event it
-- was recorded with. Append-only: a check is never changed; an undetermined one is followed by
-- another, a released or withheld one is final. The installment's state is its last check's.
CREATE TABLE installment_checks (
    id {id},
    payout BIGINT NOT NULL REFERENCES payouts (id),
    seq BIGINT NOT NULL CHECK (seq >= 2),
    -- The day the engine judged on (`评估日期`): the installment's due date, or the check's.
    judged_on TEXT NOT NULL,
    facts TEXT NOT NULL,
    policy_set TEXT NOT NULL REFERENCES policy_sets (hash),
    calendar TEXT NOT NULL REFERENCES calendars (hash),
    -- The engine's `LaterInstallment` as JSON.
    result TEXT NOT NULL,
    outcome TEXT NOT NULL CHECK (outcome IN ('released', 'withheld', 'undetermined')),
    reason TEXT NOT NULL,
    event_seq BIGINT NOT NULL,
    actor TEXT NOT NULL,
    role TEXT NOT NULL,
    at TEXT NOT NULL
);
CREATE INDEX installment_checks_installment ON installment_checks (payout, seq, id);

-- A held-back installment (one with conditions) is paid on its own once released: when, the
-- bank's reference, and the event it was recorded with. NULL until then, and for installments
-- paid with the award.
ALTER TABLE payout_installments ADD COLUMN paid_on TEXT;
ALTER TABLE payout_installments ADD COLUMN bank_ref TEXT;
ALTER TABLE payout_installments ADD COLUMN paid_event BIGINT;
