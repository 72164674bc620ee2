-- Migration 6 (portable: the same SQL on SQLite and PostgreSQL).
--
-- The prior awards a claim's decision was made with (the ledger's payouts of the enterprise at
-- the time, each with its policy, date, amount and item), as the JSON `prior_awards` list the
-- engine takes, so `Ledger::replay` decides it again with the same history: a second drama's
-- award, an upgrade's difference or a cap's room depend on them. NULL for claims decided before
-- this migration and for claims recorded with a decision made elsewhere (`record_claim`,
-- screening lines keep theirs in `facts`), which replay as before.
ALTER TABLE claims ADD COLUMN priors TEXT;
ALTER TABLE claim_decisions ADD COLUMN priors TEXT;
