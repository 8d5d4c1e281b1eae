-- The version of a record as of a snapshot is the newest change_log id of that record visible in it
-- (read API snapshot, historical backfill): an index makes that lookup cheap.
CREATE INDEX change_log_record ON change_log (table_name, record_id, id);
