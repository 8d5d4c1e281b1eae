-- The relay claims in two lanes (RelayLanes): each lane scans the backlog of the tenants whose id
-- hashes to it, in id order. hashtext is immutable, so the lane of a row never changes.
CREATE INDEX change_log_unprocessed_lane ON change_log ((hashtext(tenant_id) & 1), id) WHERE processed_at IS NULL;
DROP INDEX change_log_unprocessed;
