-- The bulk lane's claim (RelayLanes, DeliveryProtocol): whole batches of the tenants with a backlog,
-- normal-priority changes only (the live lane takes the high-priority ones and the quiet tenants).
WITH
in_flight AS MATERIALIZED (
    SELECT unnest(CAST(:#${bean:deliveryProtocol.claimExclusions} AS bigint[])) AS change_id),
-- the tenants the live lane holds now (RelayLanes): a tenant's changes are in flight in one lane at a time
held_elsewhere AS MATERIALIZED (
    SELECT CAST(:#${bean:deliveryProtocol.tenantExclusions} AS text[]) AS tenants),
-- up to :window tenants with a backlog (bulk-threshold queued changes or more), walking downwards:
-- those before the previous claim's last tenant first, then from the greatest (V7__relay_lanes.sql,
-- V15__relay_tenant_walk_downwards.sql)
tenants AS MATERIALIZED (
    SELECT t.tenant_id FROM held_elsewhere h
    CROSS JOIN LATERAL suitesync_relay_tenants(:#${bean:deliveryProtocol.tenantCursor}, h.tenants, true,
        CAST(:#${properties:suitesync.hub.relay.bulk-threshold} AS int),
        CAST(:#${properties:suitesync.hub.relay.fair-window} AS int)) AS t(tenant_id)),
share AS MATERIALIZED (
    SELECT CAST(ceil(CAST(:#${bean:deliveryProtocol.batchSize} AS numeric) / greatest(count(*), 1)) AS int) AS per_tenant
    FROM tenants),
-- each tenant's oldest change, each tenant's second, ...: up to an equal share per tenant,
-- then, for the tenants that have more, what the others left of the batch
turns AS MATERIALIZED (
    SELECT p.change_id, 1 AS class, p.turn, t.tenant_id
    FROM tenants t CROSS JOIN share s
    CROSS JOIN LATERAL (
        SELECT o.change_id, row_number() OVER (ORDER BY o.change_id) AS turn
        FROM (SELECT q.change_id
              FROM change_queue q
              -- a range, not "=": with "=" the planner may walk the primary key in id order and filter
              -- by tenant (its estimate of one tenant's rows is the average), which reads through a
              -- large backlog of another tenant for each quiet tenant: 800 ms per claim instead of
              -- 60 with 200,000 changes of one tenant and one of ten others. The range can only be
              -- served in (tenant_id, change_id) order by change_queue_normal_tenant (V7).
              WHERE q.tenant_id >= t.tenant_id AND q.tenant_id <= t.tenant_id AND NOT q.high
                AND NOT EXISTS (SELECT 1 FROM change_retry r
                                WHERE r.table_name = q.table_name AND r.record_id = q.record_id
                                  AND r.change_id <= q.change_id AND r.next_attempt_at > now())
                AND q.change_id NOT IN (SELECT change_id FROM in_flight)
              ORDER BY q.tenant_id, q.change_id
              LIMIT s.per_tenant) o) p),
leftover AS MATERIALIZED (
    SELECT greatest(CAST(:#${bean:deliveryProtocol.batchSize} AS int)
                    - (SELECT count(*) FROM turns), 0) AS rows),
more AS (
    SELECT p.change_id, 1 AS class, s.per_tenant + p.turn AS turn
    FROM (SELECT tenant_id, max(change_id) AS last_id FROM turns GROUP BY tenant_id) f
    CROSS JOIN share s CROSS JOIN leftover l
    CROSS JOIN LATERAL (
        SELECT o.change_id, row_number() OVER (ORDER BY o.change_id) AS turn
        FROM (SELECT q.change_id
              FROM change_queue q
              WHERE q.tenant_id >= f.tenant_id AND q.tenant_id <= f.tenant_id AND NOT q.high AND q.change_id > f.last_id
                AND NOT EXISTS (SELECT 1 FROM change_retry r
                                WHERE r.table_name = q.table_name AND r.record_id = q.record_id
                                  AND r.change_id <= q.change_id AND r.next_attempt_at > now())
                AND q.change_id NOT IN (SELECT change_id FROM in_flight)
              ORDER BY q.tenant_id, q.change_id
              LIMIT l.rows) o) p
    WHERE l.rows > 0
      AND (SELECT count(*) FROM turns u WHERE u.tenant_id = f.tenant_id) >= s.per_tenant),
claimed AS MATERIALIZED (
    SELECT change_id, class FROM (
        SELECT change_id, class, turn FROM turns
        UNION ALL SELECT change_id, class, turn FROM more) c
    ORDER BY class, turn, change_id
    LIMIT CAST(:#${bean:deliveryProtocol.batchSize} AS int)),
batch AS (
    SELECT c.id, c.tenant_id, c.table_name, c.record_id, c.operation, c.changed_fields, c.old_values,
           c.new_values, c.context, c.priority, c.changed_at, c.attempts, q.class
    FROM claimed q
    -- one primary-key probe per claimed row. A plain join is planned for claimed's LIMIT (a full
    -- batch) and hashed a sequential scan of all of change_log (published rows stay for retention)
    -- under a live claim of a few rows; OFFSET 0 keeps the subquery from being flattened into it.
    CROSS JOIN LATERAL (SELECT * FROM change_log l WHERE l.id = q.change_id OFFSET 0) c),
apps AS MATERIALIZED (
    SELECT tenant_id, to_jsonb(array_agg(application_code))::text AS enabled_apps
    FROM organization_applications
    WHERE is_enabled AND tenant_id IN (SELECT DISTINCT tenant_id FROM batch)
    GROUP BY tenant_id)
SELECT b.id, b.tenant_id, b.table_name, b.record_id, b.operation,
       array_to_json(b.changed_fields)::text AS changed_fields, b.old_values::text AS old_values,
       b.new_values::text AS new_values, b.context::text AS context, b.priority, b.changed_at,
       b.attempts, a.enabled_apps
FROM batch b LEFT JOIN apps a ON a.tenant_id = b.tenant_id
ORDER BY b.class, b.id
