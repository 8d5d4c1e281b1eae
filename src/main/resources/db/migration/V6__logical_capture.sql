-- Logical capture (suitesync.hub.capture.mode: logical): the hub reads PostgreSQL's logical
-- replication stream (pgoutput, publication and slot both named by configuration, default
-- suitesync_capture) and writes change_log itself, so the writer's transaction carries no trigger.
-- change_log, change_queue and everything downstream stay as they are.
--
-- A table moves from trigger capture to logical capture in one transaction that locks it against
-- writers, adds it to the publication, drops its capture triggers and records the WAL position of
-- that moment in logical_since: every transaction that changed the table before committed before the
-- lock, with its triggers (change_log has its changes); every later one commits after this
-- transaction, without triggers, and is read from the slot. The reader ignores a change of the
-- table from a transaction that committed before logical_since, so none is written twice.
ALTER TABLE capture_table ADD COLUMN logical_since pg_lsn;
COMMENT ON COLUMN capture_table.logical_since IS
    'NULL: captured by the triggers; else read from the logical replication slot for transactions committed after this WAL position';

-- How far the reader has written change_log, committed in the same transaction as the rows: after a
-- crash the reader starts here and skips what the slot sends again, so no change is written twice.
CREATE TABLE capture_position (
    slot_name  text PRIMARY KEY,
    lsn        pg_lsn      NOT NULL,
    updated_at timestamptz NOT NULL DEFAULT now()
);

-- Registers a table for logical capture (idempotent) and returns its logical_since. The slot must
-- exist before the first call: a change committed between this call and the slot's creation would
-- be in neither change_log nor the slot.
CREATE FUNCTION suitesync_capture_logical(
    target          regclass,
    key_column      text,
    tenant_column   text,
    context_columns text[],
    priority        text,
    publication     text) RETURNS pg_lsn
LANGUAGE plpgsql AS $fn$
DECLARE
    tbl      text := (SELECT relname FROM pg_class WHERE oid = target);
    since    pg_lsn;
    triggers boolean;
BEGIN
    -- writers wait from here to the commit; the lock is taken before anything is looked at
    EXECUTE format('LOCK TABLE %s IN SHARE ROW EXCLUSIVE MODE', target);
    INSERT INTO capture_table (table_name, key_column, tenant_column, context_columns, priority)
    VALUES (tbl, key_column, tenant_column, context_columns, priority)
    ON CONFLICT (table_name) DO UPDATE
        SET key_column = EXCLUDED.key_column, tenant_column = EXCLUDED.tenant_column,
            context_columns = EXCLUDED.context_columns, priority = EXCLUDED.priority;
    IF NOT EXISTS (SELECT 1 FROM pg_publication_rel pr JOIN pg_publication p ON p.oid = pr.prpubid
                   WHERE p.pubname = publication AND pr.prrelid = target) THEN
        EXECUTE format('ALTER PUBLICATION %I ADD TABLE %s', publication, target);
    END IF;
    -- the old row's every column, so an UPDATE's changed fields and a DELETE's values are known
    IF (SELECT relreplident FROM pg_class WHERE oid = target) <> 'f' THEN
        EXECUTE format('ALTER TABLE %s REPLICA IDENTITY FULL', target);
    END IF;
    triggers := EXISTS (SELECT 1 FROM pg_trigger WHERE tgrelid = target AND tgname LIKE 'suitesync_capture_%');
    EXECUTE format('DROP TRIGGER IF EXISTS suitesync_capture_insert ON %s', target);
    EXECUTE format('DROP TRIGGER IF EXISTS suitesync_capture_update ON %s', target);
    EXECUTE format('DROP TRIGGER IF EXISTS suitesync_capture_delete ON %s', target);
    SELECT c.logical_since INTO since FROM capture_table c WHERE c.table_name = tbl;
    IF since IS NULL OR triggers THEN
        since := pg_current_wal_insert_lsn();
        UPDATE capture_table c SET logical_since = since WHERE c.table_name = tbl;
    END IF;
    RETURN since;
END
$fn$;

-- Trigger capture again (suitesync.hub.capture.mode: trigger) clears logical_since.
CREATE OR REPLACE FUNCTION suitesync_capture_table(
    target          regclass,
    key_column      text   DEFAULT 'id',
    tenant_column   text   DEFAULT 'tenant_id',
    context_columns text[] DEFAULT '{}',
    priority        text   DEFAULT 'normal') RETURNS void
LANGUAGE plpgsql AS $fn$
DECLARE
    tbl text := (SELECT relname FROM pg_class WHERE oid = target);
BEGIN
    INSERT INTO capture_table (table_name, key_column, tenant_column, context_columns, priority)
    VALUES (tbl, key_column, tenant_column, context_columns, priority)
    ON CONFLICT (table_name) DO UPDATE
        SET key_column = EXCLUDED.key_column, tenant_column = EXCLUDED.tenant_column,
            context_columns = EXCLUDED.context_columns, priority = EXCLUDED.priority, logical_since = NULL;
    EXECUTE format('DROP TRIGGER IF EXISTS suitesync_capture_insert ON %s', target);
    EXECUTE format('DROP TRIGGER IF EXISTS suitesync_capture_update ON %s', target);
    EXECUTE format('DROP TRIGGER IF EXISTS suitesync_capture_delete ON %s', target);
    EXECUTE format('CREATE TRIGGER suitesync_capture_insert AFTER INSERT ON %s REFERENCING NEW TABLE AS suitesync_new '
                   'FOR EACH STATEMENT EXECUTE FUNCTION suitesync_capture()', target);
    EXECUTE format('CREATE TRIGGER suitesync_capture_update AFTER UPDATE ON %s REFERENCING OLD TABLE AS suitesync_old '
                   'NEW TABLE AS suitesync_new FOR EACH STATEMENT EXECUTE FUNCTION suitesync_capture()', target);
    EXECUTE format('CREATE TRIGGER suitesync_capture_delete AFTER DELETE ON %s REFERENCING OLD TABLE AS suitesync_old '
                   'FOR EACH STATEMENT EXECUTE FUNCTION suitesync_capture()', target);
END
$fn$;
