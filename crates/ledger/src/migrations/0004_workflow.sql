-- The workflow over HTTP (申报 to 兑付): what an application carries beyond its decision, every
-- decision a claim has had, retried submissions, staff reads, clawbacks and flagged enterprises.

-- The written commitment of a 承诺兑现 application ('' for the other modes).
ALTER TABLE claims ADD COLUMN commitment TEXT NOT NULL DEFAULT '';
-- The date the enterprise applied (eligibility is decided on it, at submission and at review).
ALTER TABLE claims ADD COLUMN applied_on TEXT NOT NULL DEFAULT '';
-- By when the next step is due (working days on the claim's calendar); NULL when none waits.
ALTER TABLE claims ADD COLUMN due_on TEXT;
-- Whether that date was counted past the calendar's end (weekends only until the year's file).
ALTER TABLE claims ADD COLUMN due_provisional BIGINT NOT NULL DEFAULT 0 CHECK (due_provisional IN (0, 1));
CREATE INDEX claims_state ON claims (state, due_on);
CREATE INDEX claims_department ON claims (department, state);
CREATE INDEX payouts_enterprise ON payouts (enterprise);

-- Every decision a claim has had (at submission, resubmission and review), in order: the claim's
-- row holds the latest; these keep each earlier one replayable. Append-only.
CREATE TABLE claim_decisions (
    claim BIGINT NOT NULL REFERENCES claims (id),
    seq BIGINT NOT NULL,
    decided_on TEXT NOT NULL,
    facts TEXT NOT NULL,
    decision TEXT NOT NULL,
    policy_set TEXT NOT NULL REFERENCES policy_sets (hash),
    calendar TEXT NOT NULL REFERENCES calendars (hash),
    why TEXT NOT NULL,
    at TEXT NOT NULL,
    PRIMARY KEY (claim, seq)
);

-- A submission retried with the same `Idempotency-Key` by the same submitter gets the first
-- claim back; the key is refused for a different request.
CREATE TABLE idempotency_keys (
    scope TEXT NOT NULL,
    key TEXT NOT NULL,
    request_hash TEXT NOT NULL,
    claim BIGINT NOT NULL REFERENCES claims (id),
    created_at TEXT NOT NULL,
    PRIMARY KEY (scope, key)
);

-- Every read of a claim by staff. Append-only.
CREATE TABLE claim_reads (
    id {id},
    claim BIGINT NOT NULL REFERENCES claims (id),
    who TEXT NOT NULL,
    role TEXT NOT NULL,
    at TEXT NOT NULL
);
CREATE INDEX claim_reads_claim ON claim_reads (claim);

-- A broken 承诺: the award to recover, once per claim. Append-only.
CREATE TABLE clawbacks (
    claim BIGINT PRIMARY KEY REFERENCES claims (id),
    payout BIGINT NOT NULL REFERENCES payouts (id),
    enterprise TEXT NOT NULL REFERENCES enterprises (uscc),
    amount_fen BIGINT NOT NULL CHECK (amount_fen >= 0),
    reason TEXT NOT NULL,
    recorded_on TEXT NOT NULL,
    at TEXT NOT NULL
);
CREATE INDEX clawbacks_enterprise ON clawbacks (enterprise);
