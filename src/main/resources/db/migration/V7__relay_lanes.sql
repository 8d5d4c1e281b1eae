-- The relay's two lanes (io.suitesync.hub.relay.RelayLanes) split the tenants with queued changes:
-- the bulk lane drains those with a backlog (at least bulk-threshold queued normal-priority changes),
-- the live lane serves the others and every high-priority change. Both claims (sql/relay/claim.sql,
-- claim-live.sql) take their tenants from this function.
--
-- The tenant index covers normal-priority changes only: no claim looks up high-priority changes by
-- tenant (the live lane takes them in id order, change_queue_high), so a tenant with only
-- high-priority changes queued costs the walk below nothing, and capturing them maintains one index less.
CREATE INDEX change_queue_normal_tenant ON change_queue (tenant_id, change_id) WHERE NOT high;
DROP INDEX change_queue_tenant;

-- It walks the tenants with queued normal-priority changes in tenant order, from the first after the lane's cursor
-- round to the cursor again (a loose index scan on change_queue_normal_tenant: one probe per tenant, not one
-- row per change), skips the tenants the other lane holds, counts each one's queued normal changes up
-- to the threshold, and returns the first window_size tenants of the lane's kind. It counts tenants of
-- its kind, not tenants walked: a lane's turn is never used up by the other lane's tenants.
CREATE FUNCTION suitesync_relay_tenants(after_tenant text, held_elsewhere text[], backlogged boolean,
                                        threshold int, window_size int)
RETURNS SETOF text
LANGUAGE plpgsql STABLE AS $$
DECLARE
    tenant text;
    wrapped boolean := false;
    taken int := 0;
    queued int;
BEGIN
    tenant := (SELECT q.tenant_id FROM change_queue q WHERE q.tenant_id > after_tenant AND NOT q.high
               ORDER BY q.tenant_id LIMIT 1);
    LOOP
        IF tenant IS NULL THEN
            EXIT WHEN wrapped;
            wrapped := true;
            tenant := (SELECT q.tenant_id FROM change_queue q WHERE NOT q.high ORDER BY q.tenant_id LIMIT 1);
            CONTINUE;
        END IF;
        EXIT WHEN wrapped AND tenant > after_tenant;
        IF NOT tenant = ANY (held_elsewhere) THEN
            -- a range, not "=": only change_queue_normal_tenant serves it, in (tenant_id, change_id) order
            -- (with "=" a generic plan may walk the primary key and filter by tenant)
            queued := (SELECT count(*) FROM (SELECT 1 FROM change_queue p
                                             WHERE p.tenant_id >= tenant AND p.tenant_id <= tenant AND NOT p.high
                                             LIMIT threshold) x);
            IF (queued >= threshold) = backlogged THEN
                RETURN NEXT tenant;
                taken := taken + 1;
                EXIT WHEN taken >= window_size;
            END IF;
        END IF;
        tenant := (SELECT q.tenant_id FROM change_queue q WHERE q.tenant_id > tenant AND NOT q.high
                   ORDER BY q.tenant_id LIMIT 1);
    END LOOP;
END
$$;
