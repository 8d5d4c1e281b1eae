-- Redis lost the events the hub had published (RedisDataGuard, DeliveryProtocol.requeuePublished):
-- every published change still in change_log goes back on the queue and is published again, with
-- the same eventId, in change id order. Skipped and parked rows stay as they are.
INSERT INTO change_queue (change_id, table_name, record_id, tenant_id, high)
SELECT id, table_name, record_id, tenant_id, priority = 'high' FROM change_log WHERE status IS NULL
ON CONFLICT (change_id) DO NOTHING
