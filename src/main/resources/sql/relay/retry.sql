-- A row that failed (it could not be routed, or Redis refused its event) and has attempts left
-- (DeliveryProtocol.retryOrPark): it stays queued, and change_retry holds it and every later change
-- of its record back from the claim until :retryDelayMillis have passed.
WITH failed AS (
    UPDATE change_log SET attempts = :attempts, last_error = :error WHERE id = :id)
INSERT INTO change_retry (change_id, table_name, record_id, next_attempt_at)
VALUES (:id, :table, :recordId, now() + CAST(:retryDelayMillis AS bigint) * interval '1 millisecond')
ON CONFLICT (change_id) DO UPDATE SET next_attempt_at = EXCLUDED.next_attempt_at
