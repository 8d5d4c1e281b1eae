package io.suitesync.hub.relay;

import java.util.List;

/**
 * Where a lane's fair claim (sql/relay/claim*.sql) goes on: it serves at most {@code fair-window}
 * tenants with queued changes per claim, those before {@link #cursor} first (downwards) and then from the greatest,
 * so when more tenants than that have a backlog every one of them still gets its turn. Part of
 * {@link DeliveryProtocol}; a lane's claims run one at a time on its poller's thread.
 */
public class RelayTenantTurns {

    private volatile String cursor = "";
    private final int batchSize;

    public RelayTenantTurns(int batchSize) {
        if (batchSize < 1) {
            throw new IllegalArgumentException("a relay lane's batch size must be at least 1, was " + batchSize);
        }
        this.batchSize = batchSize;
    }

    /** Rows a claim takes at most. */
    public int batchSize() {
        return batchSize;
    }

    /** The last tenant the previous claim served. */
    public String cursor() {
        return cursor;
    }

    /**
     * Moves the cursor to the last tenant this claim served in the claim's order, which walks the tenants
     * downwards (V15__relay_tenant_walk_downwards.sql): the smallest tenant at or after the old cursor when
     * the claim wrapped around to the greatest, else the smallest before it.
     */
    public void served(List<ClaimedChange> rows) {
        String previous = cursor;
        String beforeCursor = null;
        String wrapped = null;
        for (ClaimedChange row : rows) {
            String tenant = row.tenantId();
            if (tenant.compareTo(previous) < 0) {
                beforeCursor = min(beforeCursor, tenant);
            } else {
                wrapped = min(wrapped, tenant);
            }
        }
        if (wrapped != null) {
            cursor = wrapped;
        } else if (beforeCursor != null) {
            cursor = beforeCursor;
        }
    }

    private static String min(String a, String b) {
        return a == null || b.compareTo(a) < 0 ? b : a;
    }
}
