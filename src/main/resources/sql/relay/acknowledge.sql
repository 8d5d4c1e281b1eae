-- A batch Redis has taken is done (DeliveryProtocol.acknowledge): its rows leave the queue, with any
-- retry they waited for, and the rows that routed nowhere are marked SKIPPED. Published rows are not
-- written: change_log stays as the capture wrote it. :doneIds and :skippedIds are array literals.
WITH skipped AS (
    UPDATE change_log SET status = 'SKIPPED' WHERE id = ANY(CAST(:skippedIds AS bigint[]))),
retried AS (
    DELETE FROM change_retry WHERE change_id = ANY(CAST(:doneIds AS bigint[])))
DELETE FROM change_queue WHERE change_id = ANY(CAST(:doneIds AS bigint[]))
