package io.suitesync.hub.relay;

import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.LongSupplier;

/**
 * Where the fair claim (sql/relay/claim.sql) goes on: it serves at most {@code fair-window} tenants
 * with queued changes per claim, those after {@link #cursor} first and then from the start, so
 * when more tenants than that have a backlog every one of them still gets its turn. Part of
 * {@link DeliveryProtocol}; claims run one at a time on the relay poller's thread.
 *
 * <p>It also sizes the claims. A change of a quiet tenant (or a high-priority one) that arrives while
 * another tenant's backlog drains waits for the batches ahead of it in the relay's two stages, so
 * the batch size bounds its latency: {@code batch-size} (2,000) rows take 100-200 ms per stage on two
 * cores. For {@code busy-hold} after a claim that served a high-priority change beside normal ones, or a quiet tenant
 * (fewer rows than an equal share of the claim) beside a backlogged one (an equal share or more),
 * claims take at most {@code busy-batch-size} rows; tenants draining alone or side by side get whole
 * batches.
 */
public class RelayTenantTurns {

    private volatile String cursor = "";
    private final int fullBatch;
    private final int busyBatch;
    private final long busyHoldNanos;
    private volatile long busyUntil;
    private volatile int lastLimit;

    private final LongSupplier nanoTime;

    public RelayTenantTurns(int fullBatch, int busyBatchSize, Duration busyHold) {
        this(fullBatch, busyBatchSize, busyHold, System::nanoTime);
    }

    /** With the clock the busy hold is measured on ({@link System#nanoTime()} outside tests). */
    RelayTenantTurns(int fullBatch, int busyBatchSize, Duration busyHold, LongSupplier nanoTime) {
        this.nanoTime = nanoTime;
        this.busyUntil = nanoTime.getAsLong();
        if (busyBatchSize < 1) {
            throw new IllegalArgumentException("suitesync.hub.relay.busy-batch-size must be at least 1, was " + busyBatchSize);
        }
        this.fullBatch = fullBatch;
        this.busyBatch = Math.min(busyBatchSize, fullBatch);
        this.busyHoldNanos = busyHold.toNanos();
        this.lastLimit = fullBatch;
    }

    /** Rows the next claim takes at most (claim.sql's {@code batchSize}). */
    public int batchSize() {
        int limit = nanoTime.getAsLong() - busyUntil < 0 ? busyBatch : fullBatch;
        lastLimit = limit;
        return limit;
    }

    /** The limit of the last claim: a claim that filled it means a backlog (the relay overlaps the next claim). */
    public int lastLimit() {
        return lastLimit;
    }

    /** The last tenant the previous claim served. */
    public String cursor() {
        return cursor;
    }

    /**
     * Moves the cursor to the last tenant this claim served in the claim's order: the greatest tenant
     * at or before the old cursor when the claim wrapped around to the start, else the greatest after it.
     */
    public void served(List<ClaimedChange> rows) {
        String previous = cursor;
        String afterCursor = null;
        String wrapped = null;
        boolean high = false;
        boolean normal = false;
        Map<String, Integer> counts = new HashMap<>();
        for (ClaimedChange row : rows) {
            String tenant = row.tenantId();
            counts.merge(tenant, 1, Integer::sum);
            if ("high".equals(row.priority())) {
                high = true;
            } else {
                normal = true;
            }
            if (tenant.compareTo(previous) > 0) {
                afterCursor = max(afterCursor, tenant);
            } else {
                wrapped = max(wrapped, tenant);
            }
        }
        // a high-priority change beside normal ones (a backlog of high-priority changes alone gains nothing)
        boolean busy = high && normal;
        if (!busy && counts.size() > 1) {
            int share = (lastLimit + counts.size() - 1) / counts.size();
            boolean quiet = counts.values().stream().anyMatch(n -> n < share);
            boolean backlogged = counts.values().stream().anyMatch(n -> n >= share);
            busy = quiet && backlogged;
        }
        if (busy) {
            busyUntil = nanoTime.getAsLong() + busyHoldNanos;
        }
        if (wrapped != null) {
            cursor = wrapped;
        } else if (afterCursor != null) {
            cursor = afterCursor;
        }
    }

    private static String max(String a, String b) {
        return a == null || b.compareTo(a) > 0 ? b : a;
    }
}
