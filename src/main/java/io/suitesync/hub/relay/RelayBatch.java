package io.suitesync.hub.relay;

import io.suitesync.common.OutboundEvent;
import java.util.List;

/**
 * The outcome of routing one claimed batch: the events to publish, the rows to dequeue once Redis
 * has them ({@code published}, in claim order, and {@code skippedIds}), the rows that failed, and
 * the rows held back because an earlier change of the same record failed (they stay queued, so
 * per-record order holds). {@code generation} is stamped by
 * {@link RelayInFlight#admit} and tells whether the batch is still current when its turn to be
 * published comes; {@code routedAtNanos} ({@link System#nanoTime}) starts the batch's clock;
 * {@code hold} keeps the batch's tenants in its lane ({@link RelayLanes}) until the batch is done.
 */
public record RelayBatch(
        List<OutboundEvent> events,
        List<ClaimedChange> published,
        List<Long> skippedIds,
        List<RowFailure> failures,
        int heldBack,
        long generation,
        long routedAtNanos,
        RelayLanes.Hold hold) {

    public RelayBatch(List<OutboundEvent> events, List<ClaimedChange> published, List<Long> skippedIds,
                      List<RowFailure> failures, int heldBack) {
        this(events, published, skippedIds, failures, heldBack, -1, System.nanoTime(), null);
    }

    public RelayBatch withGeneration(long stamp) {
        return new RelayBatch(events, published, skippedIds, failures, heldBack, stamp, routedAtNanos, hold);
    }

    /** Lets go of the tenants the batch holds in its lane (once; {@link RelayLanes}). */
    public void releaseHold() {
        if (hold != null) {
            hold.release();
        }
    }

    /** The ids of the published rows, in claim order. */
    public List<Long> publishedIds() {
        return published.stream().map(ClaimedChange::id).toList();
    }

    /**
     * Identity, not the record's deep value hash: Camel hashes the body it evaluates expressions on,
     * and hashing thousands of events with their nested maps cost more than the batch's Redis write.
     */
    @Override
    public int hashCode() {
        return System.identityHashCode(this);
    }

    @Override
    public boolean equals(Object other) {
        return this == other;
    }

    /** How many rows the claim returned. */
    public int claimed() {
        return published.size() + skippedIds.size() + failures.size() + heldBack;
    }

    public boolean hasDoneRows() {
        return !published.isEmpty() || !skippedIds.isEmpty();
    }

    /**
     * A row that could not be routed, or one with an event Redis refused. {@code park} once it used
     * its attempts: it moves to the dead letter table; otherwise it is retried after
     * {@code retryDelayMillis}.
     */
    public record RowFailure(long id, String tenantId, String table, String recordId, int attempts,
                             String error, boolean park, long retryDelayMillis) {}
}
