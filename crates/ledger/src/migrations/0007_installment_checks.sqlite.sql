CREATE TRIGGER installment_checks_no_update BEFORE UPDATE ON installment_checks
BEGIN
    SELECT RAISE(ABORT, '分期核验记录只能追加：不能修改已写入的记录');
END;
CREATE TRIGGER installment_checks_no_delete BEFORE DELETE ON installment_checks
BEGIN
    SELECT RAISE(ABORT, '分期核验记录只能追加：不能删除已写入的记录');
END;
