-- The first ledger. Portable types only: BIGINT (money in 分, counts, 0/1) and TEXT (ISO dates and
-- timestamps, JSON). `{id}` is the backend's auto-numbered primary key.

CREATE TABLE enterprises (
    uscc TEXT PRIMARY KEY,
    name TEXT NOT NULL,
    bank TEXT NOT NULL,
    account TEXT NOT NULL,
    in_park BIGINT NOT NULL CHECK (in_park IN (0, 1)),
    updated_at TEXT NOT NULL
);

-- The policy files of every set that decided something, by the engine's policy-set hash.
CREATE TABLE policy_sets (
    hash TEXT PRIMARY KEY,
    files TEXT NOT NULL,
    stored_at TEXT NOT NULL
);

-- The calendar's year files a decision's due dates were counted on, by their own hash.
CREATE TABLE calendars (
    hash TEXT PRIMARY KEY,
    files TEXT NOT NULL,
    stored_at TEXT NOT NULL
);

CREATE TABLE claims (
    id {id},
    enterprise TEXT NOT NULL REFERENCES enterprises (uscc),
    policy TEXT NOT NULL,
    department TEXT NOT NULL,
    mode TEXT NOT NULL,
    -- What the policy pays per (a drama, a contract, a store); '' when it pays per enterprise.
    item TEXT NOT NULL,
    period TEXT NOT NULL,
    frequency TEXT NOT NULL CHECK (frequency IN ('once', 'yearly', 'unlimited')),
    channel TEXT NOT NULL,
    decided_on TEXT NOT NULL,
    facts TEXT NOT NULL,
    decision TEXT NOT NULL,
    outcome TEXT NOT NULL,
    amount_fen BIGINT,
    policy_set TEXT NOT NULL REFERENCES policy_sets (hash),
    calendar TEXT NOT NULL REFERENCES calendars (hash),
    state TEXT NOT NULL,
    created_at TEXT NOT NULL
);
CREATE INDEX claims_enterprise ON claims (enterprise);

-- Append-only: the application never updates or deletes an event. `seq` is the place in the one
-- chain of all events; `hash` covers the event and `prev_hash`.
CREATE TABLE events (
    seq BIGINT PRIMARY KEY,
    claim BIGINT NOT NULL REFERENCES claims (id),
    from_state TEXT,
    to_state TEXT NOT NULL,
    actor TEXT NOT NULL,
    role TEXT NOT NULL,
    at TEXT NOT NULL,
    reason TEXT NOT NULL,
    prev_hash TEXT NOT NULL,
    hash TEXT NOT NULL
);
CREATE INDEX events_claim ON events (claim, seq);

-- The chain's head, read and advanced in the transaction of each event (its row lock orders them).
CREATE TABLE chain_head (
    id BIGINT PRIMARY KEY CHECK (id = 1),
    seq BIGINT NOT NULL,
    hash TEXT NOT NULL
);
INSERT INTO chain_head (id, seq, hash) VALUES (1, 0, '0000000000000000000000000000000000000000000000000000000000000000');

CREATE TABLE payouts (
    id {id},
    claim BIGINT NOT NULL UNIQUE REFERENCES claims (id),
    enterprise TEXT NOT NULL REFERENCES enterprises (uscc),
    policy TEXT NOT NULL,
    item TEXT NOT NULL,
    -- As the policy's 频次 counts: 'once' for all time, the year, or 'claim:<id>'.
    period_key TEXT NOT NULL,
    payer TEXT NOT NULL,
    amount_fen BIGINT NOT NULL CHECK (amount_fen >= 0),
    due_on TEXT NOT NULL,
    paid_on TEXT,
    bank_ref TEXT,
    created_at TEXT NOT NULL,
    -- Never two payouts for the same enterprise, policy, item and period: the database says so.
    CONSTRAINT payouts_once UNIQUE (enterprise, policy, item, period_key)
);

CREATE TABLE payout_shares (
    payout BIGINT NOT NULL REFERENCES payouts (id),
    funder TEXT NOT NULL,
    amount_fen BIGINT NOT NULL CHECK (amount_fen >= 0),
    -- The budget it was charged to ('' when the funder has no budget for it).
    budget_scope TEXT NOT NULL,
    PRIMARY KEY (payout, funder)
);

CREATE TABLE payout_installments (
    payout BIGINT NOT NULL REFERENCES payouts (id),
    seq BIGINT NOT NULL,
    year BIGINT NOT NULL,
    due_on TEXT,
    amount_fen BIGINT NOT NULL CHECK (amount_fen >= 0),
    PRIMARY KEY (payout, seq)
);

-- Per year, per policy or department (scope), per funder (市/区).
CREATE TABLE budgets (
    year BIGINT NOT NULL,
    scope TEXT NOT NULL,
    funder TEXT NOT NULL,
    allocated_fen BIGINT NOT NULL CHECK (allocated_fen >= 0),
    committed_fen BIGINT NOT NULL DEFAULT 0 CHECK (committed_fen >= 0),
    paid_fen BIGINT NOT NULL DEFAULT 0 CHECK (paid_fen >= 0),
    PRIMARY KEY (year, scope, funder),
    CHECK (committed_fen <= allocated_fen),
    CHECK (paid_fen <= committed_fen)
);
