-- Capture: a fast path for statements that change one row.
--
-- V1's suitesync_capture() builds its INSERT INTO change_log with EXECUTE format(...), so
-- PostgreSQL parses and plans that statement on every call. For a single-row UPDATE of
-- credit_configurations that planning was most of the trigger's cost: 0.7-0.9 ms per UPDATE with
-- capture against 0.2-0.3 ms without (pgbench, one client, 2 cores), which saturated the CPU at
-- 1,000 single-row commits/s.
--
-- Static SQL (no EXECUTE) is planned once per session and then reused, but a cached plan does not
-- know how many rows the transition tables hold: a plan made while they held one row (nested loop
-- joining old and new rows by key) made a later 10,000-row UPDATE on the same connection run for
-- more than a minute. plan_cache_mode = force_custom_plan does not help there: a statement without
-- parameters always gets the generic plan.
--
-- So the function first reads at most two rows of the statement's transition table:
--   * exactly one row: static SQL. The row is read into a jsonb variable and the change_log row is
--     computed from variables only, so no cached plan depends on the transition tables' size, and
--     an UPDATE pairs its one old row with its one new row directly, without a join (the keys are
--     still compared, as V1's join did: an UPDATE that changes the key writes nothing, as before).
--     About 0.4 ms per single-row UPDATE, INSERT or DELETE here.
--   * more rows: V1's set-based dynamic statement, unchanged, planned on every call with the real
--     row counts (a 10,000-row UPDATE takes as long as with V1, 1.2-1.4 s here, also right after
--     single-row statements on the same connection).
--   * no rows: nothing to insert (V1 inserted nothing either); the notification is still sent.
-- Both paths write the same change_log rows as V1: same expressions, same order of fields.
--
-- The transition tables are read with static SQL although their columns differ from table to
-- table: PL/pgSQL compiles a trigger function separately for each trigger, so every captured
-- table has its own cached plans with its own row type, and ALTER TABLE invalidates them (checked
-- with two tables on one connection, and with columns added, dropped and retyped in between).
-- The read uses x.* so that a column named x cannot be taken for the whole row.
--
-- Left as they were, because taking each out changed a single-row UPDATE by no more than the
-- run-to-run noise (0.01-0.03 ms of the 0.15-0.2 ms the trigger still costs): the capture_table
-- lookup (an index lookup with a cached plan), pg_notify, and V3's enqueue trigger on change_log.
-- Queuing into change_queue from here in the same statement would also need a way to stop that
-- statement-level trigger from queuing the same rows again, so it is not worth it. The rest (the
-- AFTER trigger machinery, building the jsonb, inserting the change_log row) was not broken down.
--
-- The static statements have parameters (the jsonb variables), so they rely on the plan cache's
-- default choice of a generic plan; with plan_cache_mode = force_custom_plan set for the session
-- they are planned on every call again (measured 0.65 ms per single-row UPDATE).

CREATE OR REPLACE FUNCTION suitesync_capture() RETURNS trigger
LANGUAGE plpgsql AS $fn$
DECLARE
    cfg       capture_table%ROWTYPE;
    -- the statement's first (at most) two rows as jsonb: new rows, or old rows for DELETE
    v_rows    jsonb[];
    v_new     jsonb;
    v_old     jsonb;
BEGIN
    SELECT * INTO cfg FROM capture_table WHERE table_name = TG_TABLE_NAME;
    IF NOT FOUND THEN
        RAISE EXCEPTION 'suitesync_capture: table % is not registered in capture_table', TG_TABLE_NAME;
    END IF;

    IF TG_OP = 'INSERT' THEN
        SELECT array_agg(r.j) INTO v_rows FROM (SELECT to_jsonb(x.*) AS j FROM suitesync_new x LIMIT 2) r;
    ELSIF TG_OP = 'DELETE' THEN
        SELECT array_agg(r.j) INTO v_rows FROM (SELECT to_jsonb(x.*) AS j FROM suitesync_old x LIMIT 2) r;
    ELSE
        -- an UPDATE has as many old rows as new ones: the old row is needed only if there is one
        SELECT (SELECT array_agg(r.j) FROM (SELECT to_jsonb(x.*) AS j FROM suitesync_new x LIMIT 2) r),
               (SELECT to_jsonb(x.*) FROM suitesync_old x LIMIT 1)
          INTO v_rows, v_old;
    END IF;

    IF cardinality(v_rows) = 1 THEN
        IF TG_OP IN ('INSERT', 'DELETE') THEN
            -- the whole row, as inserted (new values) or as deleted (old values)
            v_new := v_rows[1];
            INSERT INTO change_log (tenant_id, table_name, record_id, operation, changed_fields, old_values, new_values, context, priority)
            SELECT v_new ->> cfg.tenant_column, TG_TABLE_NAME, v_new ->> cfg.key_column, TG_OP,
                   ARRAY(SELECT jsonb_object_keys(v_new) ORDER BY 1),
                   CASE WHEN TG_OP = 'DELETE' THEN v_new END, CASE WHEN TG_OP = 'INSERT' THEN v_new END,
                   COALESCE((SELECT jsonb_object_agg(c, v_new -> c) FROM unnest(cfg.context_columns) c), '{}'::jsonb),
                   cfg.priority;
        ELSE
            v_new := v_rows[1];
            -- Only columns whose value differs are recorded; a row whose columns all stay the same
            -- writes nothing. The key comparison is V1's join condition: a row whose key changed
            -- did not pair with its old row there, so it writes nothing here either.
            INSERT INTO change_log (tenant_id, table_name, record_id, operation, changed_fields, old_values, new_values, context, priority)
            SELECT v_new ->> cfg.tenant_column, TG_TABLE_NAME, v_new ->> cfg.key_column, 'UPDATE',
                   d.fields, d.old_values, d.new_values,
                   COALESCE((SELECT jsonb_object_agg(c, v_new -> c) FROM unnest(cfg.context_columns) c), '{}'::jsonb),
                   cfg.priority
            FROM (SELECT array_agg(e.key ORDER BY e.key) AS fields,
                         jsonb_object_agg(e.key, v_old -> e.key) AS old_values,
                         jsonb_object_agg(e.key, e.value) AS new_values
                  FROM jsonb_each(v_new) e
                  WHERE (v_old -> e.key) IS DISTINCT FROM e.value) d
            WHERE d.fields IS NOT NULL AND (v_old -> cfg.key_column) = (v_new -> cfg.key_column);
        END IF;
    ELSIF cardinality(v_rows) > 1 THEN
        -- Several rows: V1's set-based statements, planned on every call with the real row counts.
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
    END IF;
    -- Wakes the relay at once; PostgreSQL folds identical notifications of one transaction into one.
    -- Sent for every statement, as V1 did, even one that changed nothing.
    PERFORM pg_notify('suitesync_change_log', '');
    RETURN NULL;
END
$fn$;
