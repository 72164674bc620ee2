-- The workflow's records are append-only, as the events are.
CREATE FUNCTION workflow_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION '% 只能追加：不能修改或删除已写入的记录', TG_TABLE_NAME;
END
$$;
CREATE TRIGGER claim_decisions_append_only BEFORE UPDATE OR DELETE ON claim_decisions
    FOR EACH ROW EXECUTE FUNCTION workflow_append_only();
CREATE TRIGGER claim_reads_append_only BEFORE UPDATE OR DELETE ON claim_reads
    FOR EACH ROW EXECUTE FUNCTION workflow_append_only();
CREATE TRIGGER clawbacks_append_only BEFORE UPDATE OR DELETE ON clawbacks
    FOR EACH ROW EXECUTE FUNCTION workflow_append_only();
