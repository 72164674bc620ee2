-- The workflow's records are append-only, as the events are.
CREATE TRIGGER claim_decisions_no_change BEFORE UPDATE ON claim_decisions
BEGIN SELECT RAISE(ABORT, '申报的历次决定只能追加：不能修改'); END;
CREATE TRIGGER claim_decisions_no_delete BEFORE DELETE ON claim_decisions
BEGIN SELECT RAISE(ABORT, '申报的历次决定只能追加：不能删除'); END;
CREATE TRIGGER claim_reads_no_change BEFORE UPDATE ON claim_reads
BEGIN SELECT RAISE(ABORT, '查阅记录只能追加：不能修改'); END;
CREATE TRIGGER claim_reads_no_delete BEFORE DELETE ON claim_reads
BEGIN SELECT RAISE(ABORT, '查阅记录只能追加：不能删除'); END;
CREATE TRIGGER clawbacks_no_change BEFORE UPDATE ON clawbacks
BEGIN SELECT RAISE(ABORT, '追回记录只能追加：不能修改'); END;
CREATE TRIGGER clawbacks_no_delete BEFORE DELETE ON clawbacks
BEGIN SELECT RAISE(ABORT, '追回记录只能追加：不能删除'); END;
