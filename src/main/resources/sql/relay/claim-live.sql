-- The live lane's claim (RelayLanes, DeliveryProtocol): high-priority changes first, whatever their
-- tenant (up to batch-size: a backlog of them drains in whole batches, before any normal change, as
-- priority says), then the oldest changes of the tenants without a backlog (fewer than bulk-threshold
-- queued), an equal share of live-batch-size each. It runs on every NOTIFY beside the bulk lane, so a
-- quiet tenant's change waits for neither a backlogged tenant's batches nor their claims.
--
-- It also acknowledges the lane's batches Redis took since its previous claim (DeliveryProtocol.acknowledge:
-- a batch published on the claim's own thread leaves the queue with the lane's next claim, not in a
-- statement of its own), as acknowledge.sql does, and commits without waiting for the WAL flush
-- (LiveClaimConnection). A WITH that writes is not seen by the rest of its statement: those rows stay in
-- in_flight below, so the claim skips them. The acknowledged ids come first: asking for them takes them.
WITH
acknowledged AS MATERIALIZED (
    SELECT CAST(:#${bean:liveDeliveryProtocol.acknowledgedIds} AS bigint[]) AS done,
           CAST(:#${bean:liveDeliveryProtocol.acknowledgedSkippedIds} AS bigint[]) AS skipped),
acknowledged_queue AS (
    DELETE FROM change_queue WHERE change_id = ANY(CAST((SELECT done FROM acknowledged) AS bigint[]))),
acknowledged_retries AS (
    DELETE FROM change_retry WHERE change_id = ANY(CAST((SELECT done FROM acknowledged) AS bigint[]))),
acknowledged_skipped AS (
    UPDATE change_log SET status = 'SKIPPED' WHERE id = ANY(CAST((SELECT skipped FROM acknowledged) AS bigint[]))),
in_flight AS MATERIALIZED (
    SELECT unnest(CAST(:#${bean:liveDeliveryProtocol.claimExclusions} AS bigint[])) AS change_id),
-- the tenants the bulk lane holds now: a tenant's changes are in flight in one lane at a time
held_elsewhere AS MATERIALIZED (
    SELECT CAST(:#${bean:liveDeliveryProtocol.tenantExclusions} AS text[]) AS tenants),
-- up to :window tenants without a backlog, walking downwards: those before the previous claim's last
-- tenant first, then from the greatest (V7__relay_lanes.sql, V15__relay_tenant_walk_downwards.sql)
tenants AS MATERIALIZED (
    SELECT t.tenant_id FROM held_elsewhere h
    CROSS JOIN LATERAL suitesync_relay_tenants(:#${bean:liveDeliveryProtocol.tenantCursor}, h.tenants, false,
        CAST(:#${properties:suitesync.hub.relay.bulk-threshold} AS int),
        CAST(:#${properties:suitesync.hub.relay.fair-window} AS int)) AS t(tenant_id)),
-- high-priority changes first, whatever their tenant: their tables' changes are all high, so no
-- record has changes in both lanes
high AS MATERIALIZED (
    SELECT q.change_id, 0 AS class, 0::bigint AS turn
    FROM change_queue q
    WHERE q.high
      AND NOT EXISTS (SELECT 1 FROM change_retry r
                      WHERE r.table_name = q.table_name AND r.record_id = q.record_id
                        AND r.change_id <= q.change_id AND r.next_attempt_at > now())
      AND q.change_id NOT IN (SELECT change_id FROM in_flight)
    ORDER BY q.change_id
    LIMIT CAST(:#${properties:suitesync.hub.relay.batch-size} AS int)),
share AS MATERIALIZED (
    SELECT CAST(ceil(CAST(:#${bean:liveDeliveryProtocol.batchSize} AS numeric) / greatest(count(*), 1)) AS int) AS per_tenant
    FROM tenants),
-- then each tenant's oldest change, each tenant's second, ... up to an equal share per tenant
turns AS MATERIALIZED (
    SELECT p.change_id, 1 AS class, p.turn
    FROM tenants t CROSS JOIN share s
    CROSS JOIN LATERAL (
        SELECT o.change_id, row_number() OVER (ORDER BY o.change_id) AS turn
        FROM (SELECT q.change_id
              FROM change_queue q
              -- a range, not "=" (see claim.sql)
              WHERE q.tenant_id >= t.tenant_id AND q.tenant_id <= t.tenant_id AND NOT q.high
                AND NOT EXISTS (SELECT 1 FROM change_retry r
                                WHERE r.table_name = q.table_name AND r.record_id = q.record_id
                                  AND r.change_id <= q.change_id AND r.next_attempt_at > now())
                AND q.change_id NOT IN (SELECT change_id FROM in_flight)
              ORDER BY q.tenant_id, q.change_id
              LIMIT s.per_tenant) o) p),
claimed AS MATERIALIZED (
    SELECT change_id, class FROM (
        SELECT change_id, class, turn FROM high
        UNION ALL SELECT change_id, class, turn FROM turns) c
    ORDER BY class, turn, change_id
    LIMIT CAST(:#${properties:suitesync.hub.relay.batch-size} AS int)),
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
