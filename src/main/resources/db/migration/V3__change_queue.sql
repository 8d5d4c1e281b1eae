-- The relay's work queue: one narrow row per change_log row still to publish.
--
-- Before this, "unprocessed" was change_log.processed_at IS NULL. Marking a batch then rewrote
-- every 580-byte change_log row and inserted three index entries per row (about 20 ms of the
-- database's time per 2,000 rows), and after ANALYZE had seen a large backlog the planner could
-- claim by walking the primary key past every row already published (a claim of 2,000 rows took
-- 170 ms instead of 10). Now every row inserted into change_log is also queued here as (change_id,
-- table, record) by the trigger below; the relay claims in change_id order from this table's
-- primary key, the only index that can order it, and a published batch deletes its queue rows:
-- change_log itself is written once and not updated on the success path.
CREATE TABLE change_queue (
    change_id  bigint PRIMARY KEY,
    table_name text NOT NULL,
    record_id  text NOT NULL
);

-- Queued changes waiting for a retry after a failure. A waiting change holds back the later
-- changes of its record (per-record order). A table of its own, so it stays tiny whatever the
-- backlog and the claim's check against it stays cheap under any plan.
CREATE TABLE change_retry (
    change_id       bigint PRIMARY KEY,
    table_name      text        NOT NULL,
    record_id       text        NOT NULL,
    next_attempt_at timestamptz NOT NULL
);
CREATE INDEX change_retry_record ON change_retry (table_name, record_id);

INSERT INTO change_queue (change_id, table_name, record_id)
SELECT id, table_name, record_id FROM change_log WHERE processed_at IS NULL;
INSERT INTO change_retry (change_id, table_name, record_id, next_attempt_at)
SELECT id, table_name, record_id, next_attempt_at FROM change_log WHERE processed_at IS NULL AND next_attempt_at IS NOT NULL;

-- Every row inserted into change_log is queued, whoever inserts it: one set-based statement per
-- statement, not a plpgsql call per row.
CREATE FUNCTION suitesync_enqueue() RETURNS trigger
LANGUAGE plpgsql AS $fn$
BEGIN
    INSERT INTO change_queue (change_id, table_name, record_id)
    SELECT id, table_name, record_id FROM suitesync_new_changes;
    RETURN NULL;
END
$fn$;
CREATE TRIGGER suitesync_enqueue AFTER INSERT ON change_log REFERENCING NEW TABLE AS suitesync_new_changes
    FOR EACH STATEMENT EXECUTE FUNCTION suitesync_enqueue();

DROP INDEX change_log_unprocessed;
DROP INDEX change_log_retrying;
DROP INDEX change_log_purge;
ALTER TABLE change_log DROP COLUMN processed_at, DROP COLUMN next_attempt_at;
-- the retention purge finds old rows by time
CREATE INDEX change_log_changed_at ON change_log (changed_at);
COMMENT ON COLUMN change_log.status IS
    'SKIPPED (routed nowhere) or PARKED (dead letter); NULL while queued and once published. See change_log_state.';

-- Each change with its relay state, for operators and tests: PENDING (queued; next_attempt_at set
-- while it waits for a retry), PUBLISHED, SKIPPED or PARKED.
CREATE VIEW change_log_state AS
SELECT c.id, c.tenant_id, c.table_name, c.record_id, c.operation, c.changed_at, c.attempts, c.last_error,
       CASE WHEN q.change_id IS NOT NULL THEN 'PENDING'
            ELSE COALESCE(c.status, 'PUBLISHED') END AS state,
       r.next_attempt_at
FROM change_log c
LEFT JOIN change_queue q ON q.change_id = c.id
LEFT JOIN change_retry r ON r.change_id = c.id;
