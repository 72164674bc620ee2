CREATE FUNCTION installment_checks_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION '分期核验记录只能追加：不能修改或删除已写入的记录';
END
$$;
CREATE TRIGGER installment_checks_append_only BEFORE UPDATE OR DELETE ON installment_checks
    FOR EACH ROW EXECUTE FUNCTION installment_checks_append_only();

-- A later installment's check or payment is told to the enterprise (`installment`).
ALTER TABLE outbox DROP CONSTRAINT outbox_kind_check;
ALTER TABLE outbox ADD CONSTRAINT outbox_kind_check
    CHECK (kind IN ('accepted', 'correction_requested', 'approved', 'rejected', 'paid', 'commitment_broken', 'installment'));
