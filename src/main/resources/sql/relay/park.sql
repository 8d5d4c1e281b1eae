-- A row that failed max-attempts times (DeliveryProtocol.retryOrPark): off the queue, marked PARKED
-- with its error, and listed in change_dead_letter, from where an operator can replay it. The later
-- changes of its record are claimed again. A replayed row that is parked again is listed afresh.
WITH dequeued AS (
    DELETE FROM change_queue WHERE change_id = :id),
retry_dropped AS (
    DELETE FROM change_retry WHERE change_id = :id),
parked AS (
    UPDATE change_log SET status = 'PARKED', attempts = :attempts, last_error = :error
    WHERE id = :id RETURNING id, tenant_id, table_name, record_id, attempts, last_error)
INSERT INTO change_dead_letter (change_id, tenant_id, table_name, record_id, attempts, error)
SELECT id, tenant_id, table_name, record_id, attempts, last_error FROM parked
ON CONFLICT (change_id) DO UPDATE SET attempts = EXCLUDED.attempts, error = EXCLUDED.error,
    parked_at = now(), replayed_at = NULL
