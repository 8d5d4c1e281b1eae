-- A batch Redis has taken is done (DeliveryProtocol.acknowledge): its rows leave the queue, with any
-- retry they waited for, and the rows that routed nowhere are marked SKIPPED. Published rows are not
-- written: change_log stays as the capture wrote it. :doneIds and :skippedIds are array literals.
--
-- It commits without waiting for the WAL flush (synchronous_commit off for this statement alone: the
-- scalar subquery runs once, in the statement's own transaction). The live lane's claim carries most of
-- its acknowledgements (claim-live.sql) and commits the same way; the flush was part of every live
-- change's wait when each went out here before the next claim. What
-- it risks: if PostgreSQL itself crashes within wal_writer_delay (200 ms) of an acknowledgement, those
-- rows are queued again and published a second time with the same eventIds, as after a hub crash between
-- publish and acknowledge (at-least-once; consumers de-duplicate on eventId). The WAL is sequential, so a
-- lost acknowledgement never leaves a later one standing: a record's changes are republished in order.
WITH skipped AS (
    UPDATE change_log SET status = 'SKIPPED' WHERE id = ANY(CAST(:skippedIds AS bigint[]))),
retried AS (
    DELETE FROM change_retry WHERE change_id = ANY(CAST(:doneIds AS bigint[])))
DELETE FROM change_queue
WHERE change_id = ANY(CAST(:doneIds AS bigint[]))
  AND (SELECT set_config('synchronous_commit', 'off', true)) = 'off'
