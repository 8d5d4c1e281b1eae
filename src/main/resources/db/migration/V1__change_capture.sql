-- SuiteSync change capture. Installs on any PostgreSQL >= 13 database, including an existing
-- Wrapper database: it creates only SuiteSync's own objects. Attach capture to a table with
--   SELECT suitesync_capture_table('credit_configurations', context_columns => ARRAY['operation_code']);
-- (or list the table under suitesync.capture.tables and the hub attaches it at start-up).

CREATE TABLE change_log (
    id              bigserial PRIMARY KEY,
    tenant_id       text        NOT NULL,
    table_name      text        NOT NULL,
    record_id       text        NOT NULL,
    operation       text        NOT NULL CHECK (operation IN ('INSERT', 'UPDATE', 'DELETE')),
    changed_fields  text[]      NOT NULL,
    old_values      jsonb,
    new_values      jsonb,
    -- values of the table's context columns (routing keys, cache values) even when they did not change
    context         jsonb       NOT NULL DEFAULT '{}'::jsonb,
    priority        text        NOT NULL DEFAULT 'normal',
    changed_at      timestamptz NOT NULL DEFAULT clock_timestamp(),
    processed_at    timestamptz,
    -- outcome once processed: PUBLISHED (sent to at least one app), SKIPPED (routed nowhere), PARKED (dead letter)
    status          text,
    attempts        int         NOT NULL DEFAULT 0,
    next_attempt_at timestamptz,
    last_error      text
);

-- The relay claims unprocessed rows in id order; this index holds only the backlog.
CREATE INDEX change_log_unprocessed ON change_log (id) WHERE processed_at IS NULL;
-- Rows waiting for a retry hold back later changes of the same record (per-record order).
CREATE INDEX change_log_retrying ON change_log (table_name, record_id) WHERE processed_at IS NULL AND next_attempt_at IS NOT NULL;
CREATE INDEX change_log_purge ON change_log (processed_at) WHERE processed_at IS NOT NULL;

CREATE TABLE change_dead_letter (
    change_id   bigint PRIMARY KEY REFERENCES change_log (id) ON DELETE CASCADE,
    tenant_id   text        NOT NULL,
    table_name  text        NOT NULL,
    record_id   text        NOT NULL,
    attempts    int         NOT NULL,
    error       text        NOT NULL,
    parked_at   timestamptz NOT NULL DEFAULT now(),
    replayed_at timestamptz
);

-- Which tables are captured and how: one row per table, written by suitesync_capture_table().
CREATE TABLE capture_table (
    table_name      text PRIMARY KEY,
    key_column      text   NOT NULL,
    tenant_column   text   NOT NULL,
    context_columns text[] NOT NULL DEFAULT '{}',
    priority        text   NOT NULL DEFAULT 'normal'
);

-- One statement-level trigger function for every captured table: the transition tables are
-- processed set-based, so a 10,000-row UPDATE costs one INSERT ... SELECT, not 10,000 plpgsql calls.
CREATE FUNCTION suitesync_capture() RETURNS trigger
LANGUAGE plpgsql AS $fn$
DECLARE
    cfg capture_table%ROWTYPE;
BEGIN
    SELECT * INTO cfg FROM capture_table WHERE table_name = TG_TABLE_NAME;
    IF NOT FOUND THEN
        RAISE EXCEPTION 'suitesync_capture: table % is not registered in capture_table', TG_TABLE_NAME;
    END IF;

    IF TG_OP = 'INSERT' THEN
        EXECUTE format($q$
            INSERT INTO change_log (tenant_id, table_name, record_id, operation, changed_fields, new_values, context, priority)
            SELECT r.j ->> %1$L, %2$L, r.j ->> %3$L, 'INSERT',
                   ARRAY(SELECT jsonb_object_keys(r.j) ORDER BY 1), r.j,
                   COALESCE((SELECT jsonb_object_agg(c, r.j -> c) FROM unnest($1) c), '{}'::jsonb), $2
            FROM (SELECT to_jsonb(n) AS j FROM suitesync_new n) r$q$,
            cfg.tenant_column, TG_TABLE_NAME, cfg.key_column)
        USING cfg.context_columns, cfg.priority;
    ELSIF TG_OP = 'DELETE' THEN
        EXECUTE format($q$
            INSERT INTO change_log (tenant_id, table_name, record_id, operation, changed_fields, old_values, context, priority)
            SELECT r.j ->> %1$L, %2$L, r.j ->> %3$L, 'DELETE',
                   ARRAY(SELECT jsonb_object_keys(r.j) ORDER BY 1), r.j,
                   COALESCE((SELECT jsonb_object_agg(c, r.j -> c) FROM unnest($1) c), '{}'::jsonb), $2
            FROM (SELECT to_jsonb(o) AS j FROM suitesync_old o) r$q$,
            cfg.tenant_column, TG_TABLE_NAME, cfg.key_column)
        USING cfg.context_columns, cfg.priority;
    ELSE
        -- Old and new rows are paired by key; only columns whose value differs are recorded, and
        -- a row whose columns all stay the same writes nothing.
        EXECUTE format($q$
            INSERT INTO change_log (tenant_id, table_name, record_id, operation, changed_fields, old_values, new_values, context, priority)
            SELECT n.j ->> %1$L, %2$L, n.j ->> %3$L, 'UPDATE', d.fields, d.old_values, d.new_values,
                   COALESCE((SELECT jsonb_object_agg(c, n.j -> c) FROM unnest($1) c), '{}'::jsonb), $2
            FROM (SELECT to_jsonb(x) AS j FROM suitesync_new x) n
            JOIN (SELECT to_jsonb(x) AS j FROM suitesync_old x) o ON (o.j -> %3$L) = (n.j -> %3$L)
            CROSS JOIN LATERAL (
                SELECT array_agg(e.key ORDER BY e.key) AS fields,
                       jsonb_object_agg(e.key, o.j -> e.key) AS old_values,
                       jsonb_object_agg(e.key, e.value) AS new_values
                FROM jsonb_each(n.j) e
                WHERE (o.j -> e.key) IS DISTINCT FROM e.value) d
            WHERE d.fields IS NOT NULL$q$,
            cfg.tenant_column, TG_TABLE_NAME, cfg.key_column)
        USING cfg.context_columns, cfg.priority;
    END IF;
    -- Wakes the relay at once; PostgreSQL folds identical notifications of one transaction into one.
    PERFORM pg_notify('suitesync_change_log', '');
    RETURN NULL;
END
$fn$;

-- Attaches (or re-attaches, idempotently) capture to a table: one call per table.
CREATE FUNCTION suitesync_capture_table(
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
            context_columns = EXCLUDED.context_columns, priority = EXCLUDED.priority;
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
