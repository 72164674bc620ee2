CREATE TRIGGER installment_checks_no_update BEFORE UPDATE ON installment_checks
BEGIN
    SELECT RAISE(ABORT, '分期核验记录只能追加：不能修改已写入的记录');
END;
CREATE TRIGGER installment_checks_no_delete BEFORE DELETE ON installment_checks
BEGIN
    SELECT RAISE(ABORT, '分期核验记录只能追加：不能删除已写入的记录');
END;

-- A later installment's check or payment is told to the enterprise (`installment`): SQLite cannot
-- change a CHECK, so the outbox is rebuilt with the new kind, its rows and indexes as they were.
CREATE TABLE outbox_new (
    id {id},
    claim BIGINT NOT NULL REFERENCES claims (id),
    kind TEXT NOT NULL CHECK (kind IN ('accepted', 'correction_requested', 'approved', 'rejected', 'paid', 'commitment_broken', 'installment')),
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
INSERT INTO outbox_new SELECT id, claim, kind, enterprise, event_seq, payload, created_at, attempts,
    next_attempt_at, leased_until, lease_owner, last_error, delivered_at FROM outbox;
DROP TABLE outbox;
ALTER TABLE outbox_new RENAME TO outbox;
CREATE INDEX outbox_waiting ON outbox (id) WHERE delivered_at IS NULL;
CREATE INDEX outbox_claim ON outbox (claim, id);
