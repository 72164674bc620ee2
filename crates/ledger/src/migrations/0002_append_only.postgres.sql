-- The audit trail is append-only in the database too, not only by the application's habit: an
-- UPDATE or DELETE of an event is refused, whoever sends it. (The hash chain still catches one made
-- by someone who drops this trigger first: `huiqi ledger verify`.)
CREATE FUNCTION events_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION '审计记录只能追加：不能修改或删除已写入的事件';
END
$$;
CREATE TRIGGER events_append_only BEFORE UPDATE OR DELETE ON events
    FOR EACH ROW EXECUTE FUNCTION events_append_only();
