-- The relay claims in two lanes (RelayLanes): each lane scans the backlog of the tenants whose id
-- hashes to it, in id order. hashtext is immutable, so the lane of a row never changes.
CREATE INDEX change_log_unprocessed_lane ON change_log ((hashtext(tenant_id) & 1), id) WHERE processed_at IS NULL;
DROP INDEX change_log_unprocessed;

-- Each lane listens on its own channel (suitesync_change_log_0, _1), so a commit wakes only the lanes
-- it gave rows to instead of every lane running an empty claim. Same capture as V1 otherwise.
CREATE OR REPLACE FUNCTION suitesync_capture() RETURNS trigger
LANGUAGE plpgsql AS $fn$
DECLARE
    cfg capture_table%ROWTYPE;
    lanes int;
BEGIN
    SELECT * INTO cfg FROM capture_table WHERE table_name = TG_TABLE_NAME;
    IF NOT FOUND THEN
        RAISE EXCEPTION 'suitesync_capture: table % is not registered in capture_table', TG_TABLE_NAME;
    END IF;

    IF TG_OP = 'INSERT' THEN
        EXECUTE format($q$
            WITH ins AS (INSERT INTO change_log (tenant_id, table_name, record_id, operation, changed_fields, new_values, context, priority)
            SELECT r.j ->> %1$L, %2$L, r.j ->> %3$L, 'INSERT',
                   ARRAY(SELECT jsonb_object_keys(r.j) ORDER BY 1), r.j,
                   COALESCE((SELECT jsonb_object_agg(c, r.j -> c) FROM unnest($1) c), '{}'::jsonb), $2
            FROM (SELECT to_jsonb(n) AS j FROM suitesync_new n) r
            RETURNING hashtext(tenant_id) & 1 AS lane)
            SELECT bit_or(1 << lane) FROM ins$q$,
            cfg.tenant_column, TG_TABLE_NAME, cfg.key_column)
        INTO lanes USING cfg.context_columns, cfg.priority;
    ELSIF TG_OP = 'DELETE' THEN
        EXECUTE format($q$
            WITH ins AS (INSERT INTO change_log (tenant_id, table_name, record_id, operation, changed_fields, old_values, context, priority)
            SELECT r.j ->> %1$L, %2$L, r.j ->> %3$L, 'DELETE',
                   ARRAY(SELECT jsonb_object_keys(r.j) ORDER BY 1), r.j,
                   COALESCE((SELECT jsonb_object_agg(c, r.j -> c) FROM unnest($1) c), '{}'::jsonb), $2
            FROM (SELECT to_jsonb(o) AS j FROM suitesync_old o) r
            RETURNING hashtext(tenant_id) & 1 AS lane)
            SELECT bit_or(1 << lane) FROM ins$q$,
            cfg.tenant_column, TG_TABLE_NAME, cfg.key_column)
        INTO lanes USING cfg.context_columns, cfg.priority;
    ELSE
        -- Old and new rows are paired by key; only columns whose value differs are recorded, and
        -- a row whose columns all stay the same writes nothing.
        EXECUTE format($q$
            WITH ins AS (INSERT INTO change_log (tenant_id, table_name, record_id, operation, changed_fields, old_values, new_values, context, priority)
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
            WHERE d.fields IS NOT NULL
            RETURNING hashtext(tenant_id) & 1 AS lane)
            SELECT bit_or(1 << lane) FROM ins$q$,
            cfg.tenant_column, TG_TABLE_NAME, cfg.key_column)
        INTO lanes USING cfg.context_columns, cfg.priority;
    END IF;
    -- Wakes the relay lanes that got rows, at once; PostgreSQL folds identical notifications of one
    -- transaction into one.
    IF lanes & 1 <> 0 THEN
        PERFORM pg_notify('suitesync_change_log_0', '');
    END IF;
    IF lanes & 2 <> 0 THEN
        PERFORM pg_notify('suitesync_change_log_1', '');
    END IF;
    RETURN NULL;
END
$fn$;
