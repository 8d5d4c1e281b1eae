-- Fair claim across tenants, and priority.
--
-- Until now the relay claimed change_queue strictly in change id order, so every tenant waited
-- behind the largest backlog: 200,000 changes of one tenant delayed another tenant's next change
-- by the whole drain (about 20 s). The queue now carries each change's tenant and whether its
-- table is high priority, so the claim (sql/relay/claim.sql) can
--   * take high-priority changes first, whatever their tenant, in id order, and then
--   * deal the rest out tenant by tenant: each tenant's oldest queued change first, then each
--     tenant's second, and so on, until the batch is full.
-- A tenant alone still fills whole batches; next to a backlog, a tenant's new change waits for one
-- batch at most. Within a tenant and priority class the order stays the id order, and every change
-- of a record has the record's table's priority, so per-record order is kept.
ALTER TABLE change_queue ADD COLUMN tenant_id text, ADD COLUMN high boolean NOT NULL DEFAULT false;
UPDATE change_queue q SET tenant_id = c.tenant_id, high = (c.priority = 'high')
FROM change_log c WHERE c.id = q.change_id;
ALTER TABLE change_queue ALTER COLUMN tenant_id SET NOT NULL;

-- one tenant's queued changes in id order; also lists the tenants with queued changes (a loose
-- index scan: one probe per tenant, not one row per change)
CREATE INDEX change_queue_tenant ON change_queue (tenant_id, change_id);
-- the high-priority changes only: usually a handful, whatever the backlog
CREATE INDEX change_queue_high ON change_queue (change_id) WHERE high;

CREATE OR REPLACE FUNCTION suitesync_enqueue() RETURNS trigger
LANGUAGE plpgsql AS $fn$
BEGIN
    INSERT INTO change_queue (change_id, table_name, record_id, tenant_id, high)
    SELECT id, table_name, record_id, tenant_id, priority = 'high' FROM suitesync_new_changes;
    RETURN NULL;
END
$fn$;
