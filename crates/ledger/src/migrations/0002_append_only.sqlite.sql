-- The audit trail is append-only in the database too, not only by the application's habit: an
-- UPDATE or DELETE of an event is refused, whoever sends it. (The hash chain still catches one made
-- by someone who drops these triggers first: `huiqi ledger verify`.)
CREATE TRIGGER events_no_update BEFORE UPDATE ON events
BEGIN
    SELECT RAISE(ABORT, '审计记录只能追加：不能修改已写入的事件');
END;
CREATE TRIGGER events_no_delete BEFORE DELETE ON events
BEGIN
    SELECT RAISE(ABORT, '审计记录只能追加：不能删除已写入的事件');
END;
