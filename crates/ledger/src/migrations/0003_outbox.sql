-- The notifications outbox (docs/notifications.md): each step the enterprise should hear about is
-- written here in the transaction of the step, and delivered to the platform's webhook at least
-- once. Unlike `events`, its rows are updated: attempts, lease and delivery are bookkeeping of the
-- delivery, not the audit trail, which stays the append-only events (`event_seq` names the one
-- each notification tells of). Times are RFC 3339 UTC text to the millisecond, so they compare
-- as text.
CREATE TABLE outbox (
    id {id},
    claim BIGINT NOT NULL REFERENCES claims (id),
    kind TEXT NOT NULL CHECK (kind IN ('accepted', 'correction_requested', 'approved', 'rejected', 'paid', 'commitment_broken')),
    enterprise TEXT NOT NULL REFERENCES enterprises (uscc),
    -- Not a foreign key: the events' integrity is their hash chain's to prove (`verify`), even
    -- against an event deleted behind the ledger's back, which a reference from delivery
    -- bookkeeping would refuse before the chain could be shown to catch it.
    event_seq BIGINT NOT NULL,
    -- The message as JSON, all but its `id` (added when sent: the row's id).
    payload TEXT NOT NULL,
    created_at TEXT NOT NULL,
    -- How many times it was leased for delivery.
    attempts BIGINT NOT NULL DEFAULT 0,
    next_attempt_at TEXT NOT NULL,
    -- A worker holds it until then; after, another may take it over.
    leased_until TEXT,
    lease_owner TEXT,
    last_error TEXT,
    delivered_at TEXT
);
-- What is waiting, in order (the workers' lease), and per claim (its timeline; a claim's next
-- notification waits for the one before it).
CREATE INDEX outbox_waiting ON outbox (id) WHERE delivered_at IS NULL;
CREATE INDEX outbox_claim ON outbox (claim, id);
