package io.suitesync.hub.relay;

import java.util.HashSet;
import java.util.Set;
import java.util.stream.Collectors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The batches between claim and dequeue, so the relay can claim and route batch N+1 while batch N
 * is being written to Redis and taken off the queue (the two routes of change-log-relay.camel.yaml);
 * part of {@link DeliveryProtocol}, which alone calls it.
 *
 * <p>Two rules keep that overlap safe:
 * <ul>
 *   <li>a claim skips the rows of batches in flight, by id. An id range would not do: a change that
 *       commits late can sit below the range, and skipping it while publishing a later change of
 *       its record would break per-record order;</li>
 *   <li>a claim made while a batch was in flight depends on that batch: if the batch fails after its
 *       redeliveries (its rows stay queued) or is itself discarded, every batch claimed in the meantime
 *       is discarded unpublished, so no later change of a record overtakes the unpublished one. A
 *       generation counter, read with the exclusions, tells such batches apart.</li>
 * </ul>
 * Claims run on the relay poller's thread one at a time; publishing runs on the publish route's
 * single consumer, in claim order.
 */
public class RelayInFlight {

    private static final Logger log = LoggerFactory.getLogger(RelayInFlight.class);

    private final Set<Long> ids = new HashSet<>();
    /**
     * The rows of {@link #ids} that Redis has taken, whose acknowledgement waits for the lane's next claim
     * ({@link DeliveryProtocol}, live lane): claims still skip them, but they are published, so nothing
     * claimed later depends on them and they do not keep a batch from being published at once.
     */
    private final Set<Long> acknowledging = new HashSet<>();
    /** Whether the last {@link #claimExclusions} had rows not yet published among them. */
    private boolean claimSkipsUnpublished;
    private long generation;
    /** The oldest generation the claim being made has seen; stamped on its batch by {@link #admit}. */
    private long claimGeneration = Long.MAX_VALUE;
    private long dropped;

    /** The ids the next claim must skip, as a PostgreSQL array literal. */
    public synchronized String claimExclusions() {
        // a claim with nothing unpublished in flight depends on no batch (a published one waiting for its
        // acknowledgement cannot fail any more): whatever an earlier claim that admitted nothing (an empty
        // poll) left here is not its concern
        claimSkipsUnpublished = ids.size() > acknowledging.size();
        claimGeneration = claimSkipsUnpublished ? Math.min(claimGeneration, generation) : generation;
        return ids.stream().map(String::valueOf).collect(Collectors.joining(",", "{", "}"));
    }

    /**
     * Whether the last {@link #claimExclusions} skipped rows not yet published: the claim may have left
     * later changes of their records queued. Rows only waiting for their acknowledgement do not count.
     */
    public synchronized boolean claimSkippedUnpublished() {
        return claimSkipsUnpublished;
    }

    /** Registers a routed batch before it is handed to the publish route; returns it stamped. */
    public synchronized RelayBatch admit(RelayBatch batch) {
        long stamp = claimGeneration == Long.MAX_VALUE ? generation : claimGeneration;
        claimGeneration = Long.MAX_VALUE;
        batch.published().forEach(row -> ids.add(row.id()));
        ids.addAll(batch.skippedIds());
        return batch.withGeneration(stamp);
    }

    /** Whether the admitted batch's rows are all that is in flight. */
    public synchronized boolean alone(RelayBatch admitted) {
        return ids.size() - acknowledging.size() == admitted.published().size() + admitted.skippedIds().size();
    }

    /**
     * Redis took the admitted batch and its acknowledgement waits for the lane's next claim: its rows
     * stay skipped by claims until {@link #release}, but no longer count as unpublished.
     */
    public synchronized void awaitAcknowledgement(RelayBatch admitted) {
        admitted.published().forEach(row -> acknowledging.add(row.id()));
        acknowledging.addAll(admitted.skippedIds());
    }

    /** False when a batch that was in flight at this batch's claim has failed since. */
    public synchronized boolean isCurrent(RelayBatch batch) {
        return batch.generation() == generation;
    }

    /** Done: its rows are off the queue (or were never published and stay queued). */
    public synchronized void release(RelayBatch batch) {
        batch.published().forEach(row -> {
            ids.remove(row.id());
            acknowledging.remove(row.id());
        });
        batch.skippedIds().forEach(id -> {
            ids.remove(id);
            acknowledging.remove(id);
        });
    }

    /**
     * A batch claimed before an earlier one failed: dropped unpublished, its rows stay queued. Like a
     * failed batch, it makes the batches claimed while it was in flight stale: they skipped its rows,
     * so they may hold later changes of its records (seen in RelayOverlapIT: a stale batch of the
     * oldest changes dropped, the next batch of newer ones published first).
     */
    public synchronized void discard(RelayBatch batch) {
        log.info("dropping a batch of {} changes claimed before a failed batch; they stay queued",
                batch.published().size() + batch.skippedIds().size());
        dropped++;
        generation++;
        release(batch);
    }

    /**
     * A batch failed after its redeliveries: its rows stay queued, and batches claimed while it was
     * in flight become stale. Any other body (a claim that failed before routing) had nothing in flight.
     */
    public synchronized void abandon(Object body) {
        if (body instanceof RelayBatch batch) {
            generation++;
            release(batch);
        }
    }

    /**
     * Redis refused some events of a published batch ({@code outcome} holds their rows as failures):
     * batches claimed while it was in flight may hold later changes of those records, so they become
     * stale, as after {@link #abandon}. The caller releases the batch as admitted.
     */
    public synchronized void refused(RelayBatch outcome) {
        if (!outcome.failures().isEmpty()) {
            generation++;
        }
    }

    /**
     * Changes were queued again below the batches in flight (Redis lost its data and they are
     * republished): every batch admitted but not yet published becomes stale and is dropped, its
     * rows stay queued, so the next claims take the older changes first.
     */
    public synchronized void invalidate() {
        generation++;
    }

    /** Rows claimed and not yet dequeued or dropped. */
    public synchronized int size() {
        return ids.size();
    }

    /** Batches dropped unpublished because an earlier batch failed (since start). */
    public synchronized long droppedBatches() {
        return dropped;
    }
}
