-- The lanes' tenant walk (V7) goes downwards, from the newest end of each tenant's range.
--
-- change_queue is a queue: a draining tenant's rows are deleted from the old end of its range in
-- change_queue_normal_tenant (tenant_id, change_id), and their index entries stay until a vacuum. V7's
-- walk probed "the first tenant after X" upwards, which lands on the old end of the next tenant's range
-- and steps over every deleted entry there before it finds a live one: after a tenant drained 1,000,000
-- changes, 7-10 ms per walk on every claim of both lanes instead of 1.7 ms, and 0.5 ms per walk beside a
-- tenant draining (the entries deleted since the last vacuum) where the whole claim takes 0.3-0.9 ms.
-- Walking downwards, "the last tenant before X" is a backward probe that lands on the newest end of the
-- previous tenant's range, which a drain reaches last; the count of a tenant's queued changes reads from
-- there too. Same turns as before, in the other direction: the tenants before the lane's cursor first,
-- downwards, then from the greatest tenant down to the cursor again (RelayTenantTurns keeps the cursor
-- at the smallest tenant a claim served).
DROP FUNCTION suitesync_relay_tenants(text, text[], boolean, int, int);

CREATE FUNCTION suitesync_relay_tenants(cursor_tenant text, held_elsewhere text[], backlogged boolean,
                                        threshold int, window_size int)
RETURNS SETOF text
LANGUAGE plpgsql STABLE AS $$
DECLARE
    tenant text;
    wrapped boolean := false;
    taken int := 0;
    queued int;
BEGIN
    tenant := (SELECT q.tenant_id FROM change_queue q WHERE q.tenant_id < cursor_tenant AND NOT q.high
               ORDER BY q.tenant_id DESC LIMIT 1);
    LOOP
        IF tenant IS NULL THEN
            EXIT WHEN wrapped;
            wrapped := true;
            tenant := (SELECT q.tenant_id FROM change_queue q WHERE NOT q.high ORDER BY q.tenant_id DESC LIMIT 1);
            CONTINUE;
        END IF;
        EXIT WHEN wrapped AND tenant < cursor_tenant;
        IF NOT tenant = ANY (held_elsewhere) THEN
            -- a range, not "=": only change_queue_normal_tenant serves it (with "=" a generic plan may walk
            -- the primary key and filter by tenant); newest first, so it does not start among the deleted
            queued := (SELECT count(*) FROM (SELECT 1 FROM change_queue p
                                             WHERE p.tenant_id >= tenant AND p.tenant_id <= tenant AND NOT p.high
                                             ORDER BY p.tenant_id DESC, p.change_id DESC
                                             LIMIT threshold) x);
            IF (queued >= threshold) = backlogged THEN
                RETURN NEXT tenant;
                taken := taken + 1;
                EXIT WHEN taken >= window_size;
            END IF;
        END IF;
        tenant := (SELECT q.tenant_id FROM change_queue q WHERE q.tenant_id < tenant AND NOT q.high
                   ORDER BY q.tenant_id DESC LIMIT 1);
    END LOOP;
END
$$;
